#pragma once

#include <cstddef>

/// A small-block allocator for the shapelint program's `operator new` (app/global_new.cpp).
///
/// Why: a lint makes thousands of small allocations (names, shapes, rows) and frees most of
/// them soon after; glibc's malloc and free took about 110 instructions each, an eighth of
/// the instructions of an Inception-sized lint. Here a block is taken from the thread's free
/// list of its size class, or cut from the thread's current chunk, in a dozen instructions.
///
/// How, and what it keeps of glibc's behaviour:
/// - every block has an 8-byte header before it, as glibc's do, and blocks are cut one after
///   the other from 64 KiB chunks, so a run touches about as many pages as with glibc (each
///   new page is a fault, which costs as much as thousands of instructions);
/// - sizes up to kLargestSmallBlock go to 64 classes, 16 bytes apart; a freed block goes to
///   the free list of its class in the freeing thread, and is never given back to glibc;
/// - larger sizes are passed to glibc's malloc (with the same header, marked "large");
/// - blocks are 16-byte aligned, as `operator new` promises.
namespace shapelint::memory {

/// The largest size a small block is made for; larger ones come from malloc.
inline constexpr std::size_t kLargestSmallBlock = 1016;

/// A block of at least `size` bytes (a zero size counts as one), 16-byte aligned; null
/// when the memory is exhausted.
void* allocate(std::size_t size) noexcept;

/// Takes back a block `allocate` returned (null is ignored). Any thread may release any
/// block.
void release(void* block) noexcept;

/// The usable size of a block `allocate` returned: at least what was asked. For tests.
std::size_t usable_size(const void* block) noexcept;

}  // namespace shapelint::memory
