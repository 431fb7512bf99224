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
/// - larger sizes are passed to glibc's malloc (with the same header, marked "large"), or,
///   in a thread that called use_huge_pages, cut from that thread's huge-page arena;
/// - blocks are 16-byte aligned, as `operator new` promises.
namespace shapelint::memory {

/// The largest size a small block is made for; larger ones come from malloc.
inline constexpr std::size_t kLargestSmallBlock = 1016;

/// The largest block a huge-page arena (use_huge_pages) gives, its header included; larger
/// blocks always come from malloc: the arena is for the many mid-sized ones.
inline constexpr std::size_t kLargestArenaBlock = std::size_t{8} << 20;

/// A block of at least `size` bytes (a zero size counts as one), 16-byte aligned; null
/// when the memory is exhausted.
void* allocate(std::size_t size) noexcept;

/// Takes back a block `allocate` returned (null is ignored). Any thread may release any
/// block.
void release(void* block) noexcept;

/// The usable size of a block `allocate` returned: at least what was asked. For tests.
std::size_t usable_size(const void* block) noexcept;

/// From now on, this thread's chunks and its larger blocks (up to 8 MiB) come from an arena
/// the kernel backs with 2 MiB pages where it can (transparent huge pages), mapped at the
/// first allocation that needs it. On the virtual machines CI runs on, every fresh 4 KiB
/// page a process writes costs a fault of 1 to 12 microseconds (depending on the host), and
/// a lint of a 400 KiB config writes hundreds of them; a 2 MiB page costs 35 to 200. The
/// program calls it first thing (even a small model's run wrote 18 pages of heap, 0.2 ms on
/// the slower hosts), the library for each lint of a text of 64 KiB or more. Freed arena
/// blocks are kept for blocks of their size class (an eighth of a power of two), never given
/// back. Where the arena is full, blocks come from malloc as before.
void use_huge_pages() noexcept;

/// While it lives, this thread cuts nothing new from its huge-page arena (if it has one):
/// new chunks and larger blocks come from malloc. For the lint of a text of many megabytes,
/// whose blocks would outgrow the arena, and which malloc's heap (reusing freed memory more
/// closely) keeps to a lower peak. Freed arena blocks are still taken back and reused.
class WithoutHugePages {
 public:
  WithoutHugePages() noexcept;
  ~WithoutHugePages();
  WithoutHugePages(const WithoutHugePages&) = delete;
  WithoutHugePages& operator=(const WithoutHugePages&) = delete;

 private:
  bool was_paused_;
};

/// Inside a WithoutHugePages: gives the pages of malloc's heap that hold no block back to the
/// system (malloc_trim), so that what is allocated next touches pages only as it needs them.
/// Elsewhere nothing: the arena keeps its blocks. For a lint that has just freed something
/// large: a 100,000-layer model's JSON document (40 MB, freed before the rows are made) left
/// free heap whose pages, touched or not, the rows were then given; its peak was the rows',
/// 4 MB over the propagation's.
void return_free_heap_pages() noexcept;

/// The bytes this thread has cut from its huge-page arena so far (0 without one): a lint
/// whose blocks pass the end of a 2 MiB page writes one more when it uses them. For
/// SHAPELINT_PHASES and tests.
std::size_t arena_bytes_cut() noexcept;

/// Whether a block larger than kLargestSmallBlock was cut from a huge-page arena. For tests.
bool from_huge_page_arena(const void* block) noexcept;

}  // namespace shapelint::memory
