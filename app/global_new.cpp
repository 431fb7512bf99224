// The shapelint program's operator new and delete: small blocks from per-thread free lists
// (lib/shapelint/memory/small_blocks.hpp says why and how). Linked into the statically
// linked program only: the sanitizer builds keep their own allocator, which checks every
// block, and the tests check small_blocks directly.
#include <new>

#include "shapelint/memory/small_blocks.hpp"

namespace {

void* allocate_or_throw(std::size_t size) {
  void* block = shapelint::memory::allocate(size);
  if (!block)
    throw std::bad_alloc();
  return block;
}

/// The main thread's blocks come from the huge-page arena from the first one on, which the
/// static constructors make (iostreams, CLI11's validators): before main, they took three
/// 4 KiB pages of glibc's heap, a fault each. Priority 101, the first a program may use, runs
/// it before every constructor of the default priority.
[[gnu::constructor(101)]] void main_thread_in_huge_pages() {
  shapelint::memory::use_huge_pages();
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate_or_throw(size);
}

void* operator new[](std::size_t size) {
  return allocate_or_throw(size);
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return shapelint::memory::allocate(size);
}

void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return shapelint::memory::allocate(size);
}

void operator delete(void* block) noexcept {
  shapelint::memory::release(block);
}

void operator delete[](void* block) noexcept {
  shapelint::memory::release(block);
}

void operator delete(void* block, std::size_t) noexcept {
  shapelint::memory::release(block);
}

void operator delete[](void* block, std::size_t) noexcept {
  shapelint::memory::release(block);
}

void operator delete(void* block, const std::nothrow_t&) noexcept {
  shapelint::memory::release(block);
}

void operator delete[](void* block, const std::nothrow_t&) noexcept {
  shapelint::memory::release(block);
}
