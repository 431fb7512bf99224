#include "shapelint/memory/small_blocks.hpp"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <malloc.h>

namespace shapelint::memory {
namespace {

constexpr std::size_t kGranule = 16;
constexpr std::size_t kHeader = 8;
constexpr std::size_t kClasses = (kLargestSmallBlock + kHeader) / kGranule;  // 64
constexpr std::size_t kChunk = 8 * 1024;
/// The header of a block glibc's malloc made (every small class is 1 to kClasses).
constexpr std::uint64_t kLargeBlock = 0;

static_assert((kLargestSmallBlock + kHeader) % kGranule == 0);

struct FreeBlock {
  FreeBlock* next;
};

/// One thread's blocks. Plain data, so that a thread_local of it needs no guard and no
/// destructor: a thread that ends leaves its chunks behind (the program's few threads live
/// as long as it does).
struct ThreadBlocks {
  FreeBlock* free_lists[kClasses + 1] = {};
  char* next = nullptr;  ///< where the next block's header goes: 8 past a 16-byte boundary
  char* end = nullptr;   ///< the end of the current chunk
};

thread_local ThreadBlocks blocks;

/// Every chunk ever made, linked through its first 8 bytes (which no block uses): chunks are
/// never given back, and the list keeps them reachable, so that a leak checker does not
/// report those of a thread that has ended.
std::atomic<char*> all_chunks{nullptr};

void remember_chunk(char* chunk) noexcept {
  char* head = all_chunks.load(std::memory_order_relaxed);
  do
    std::memcpy(chunk, &head, sizeof head);
  while (!all_chunks.compare_exchange_weak(
      head, chunk, std::memory_order_release, std::memory_order_relaxed));
}

std::uint64_t& header_of(void* block) noexcept {
  return *reinterpret_cast<std::uint64_t*>(static_cast<char*>(block) - kHeader);
}

std::size_t class_of(std::size_t size) noexcept {
  return (size + kHeader + kGranule - 1) / kGranule;
}

/// Cuts a block of class `c` at the current chunk's next free place, which has room for it.
void* cut_block(ThreadBlocks& t, std::size_t c) noexcept {
  void* block = t.next + kHeader;
  t.next += c * kGranule;
  header_of(block) = c;
  return block;
}

/// Puts `block`, of class `c`, on this thread's free list of its class.
void push_free(ThreadBlocks& t, void* block, std::size_t c) noexcept {
  auto* f = static_cast<FreeBlock*>(block);
  f->next = t.free_lists[c];
  t.free_lists[c] = f;
}

/// A block of malloc's, for sizes past the small classes (and when no chunk can be had).
void* allocate_large(std::size_t size) noexcept {
  if (size > SIZE_MAX - 2 * kGranule)
    return nullptr;
  // malloc's 16-byte alignment: the block 16 bytes in is aligned too, its header before it.
  char* base = static_cast<char*>(std::malloc(size + kGranule));
  if (!base)
    return nullptr;
  void* block = base + kGranule;
  header_of(block) = kLargeBlock;
  return block;
}

/// The rest of the current chunk, too small for the block asked for, as a free block of the
/// largest class it holds, so that a small chunk wastes nothing.
void keep_rest_of_chunk(ThreadBlocks& t) noexcept {
  std::size_t rest = static_cast<std::size_t>(t.end - t.next) / kGranule;
  if (rest != 0)
    push_free(t, cut_block(t, rest), rest);
}

/// Cuts a block of class `c` from a new chunk. Chunks are small, so that they fit the holes
/// earlier frees left in glibc's heap (larger ones grew the heap, and so the pages touched).
[[gnu::noinline]] void* allocate_from_new_chunk(ThreadBlocks& t, std::size_t c) noexcept {
  char* chunk = static_cast<char*>(std::malloc(kChunk));
  if (!chunk)
    return allocate_large((c * kGranule) - kHeader);
  remember_chunk(chunk);
  if (t.next)
    keep_rest_of_chunk(t);
  t.next = chunk + kHeader;  // a header 8 bytes past the boundary puts the block on one
  t.end = chunk + kChunk;
  return cut_block(t, c);
}

}  // namespace

void* allocate(std::size_t size) noexcept {
  if (size > kLargestSmallBlock)
    return allocate_large(size);
  std::size_t c = size == 0 ? 1 : class_of(size);
  ThreadBlocks& t = blocks;
  if (FreeBlock* f = t.free_lists[c]) {
    t.free_lists[c] = f->next;
    return f;
  }
  if (static_cast<std::size_t>(t.end - t.next) < c * kGranule)
    return allocate_from_new_chunk(t, c);
  return cut_block(t, c);
}

void release(void* block) noexcept {
  if (!block)
    return;
  std::uint64_t c = header_of(block);
  if (c == kLargeBlock) {
    std::free(static_cast<char*>(block) - kGranule);
    return;
  }
  push_free(blocks, block, c);
}

std::size_t usable_size(const void* block) noexcept {
  std::uint64_t c = header_of(const_cast<void*>(block));
  if (c == kLargeBlock)
    return malloc_usable_size(static_cast<char*>(const_cast<void*>(block)) - kGranule) - kGranule;
  return c * kGranule - kHeader;
}

}  // namespace shapelint::memory
