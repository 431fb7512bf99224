#include "shapelint/memory/small_blocks.hpp"

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "shapelint/io/prefault.hpp"
#include <malloc.h>
#include <sys/mman.h>

namespace shapelint::memory {
namespace {

constexpr std::size_t kGranule = 16;
constexpr std::size_t kHeader = 8;
constexpr std::size_t kClasses = (kLargestSmallBlock + kHeader) / kGranule;  // 64
constexpr std::size_t kChunk = 8 * 1024;
/// The header of a block glibc's malloc made (every small class is 1 to kClasses).
constexpr std::uint64_t kLargeBlock = 0;

// The huge-page arena (use_huge_pages). Its size is address space only: pages are backed as
// they are first written, 2 MiB at a time.
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kArenaBytes = std::size_t{32} << 20;
/// The header of a large block cut from an arena: this plus its large class.
constexpr std::uint64_t kFirstArenaClass = 128;
/// Large classes: eight per power of two, from (1 KiB, 1.125 KiB] to (7.5 MiB, 8 MiB], so
/// that rounding up wastes at most an eighth. Sizes count the block's 16 bytes before it. The
/// arena is cut front to back, so what rounding wastes moves every later block further on:
/// with quarters, a 2,000-layer model's lint wrote a third 2 MiB page (a fault of a quarter
/// of a millisecond), its 906 KB text and 768 KB of values taking 1 MiB and 896 KiB.
constexpr std::size_t kLargeClasses = 104;

static_assert((kLargestSmallBlock + kHeader) % kGranule == 0);

struct FreeBlock {
  FreeBlock* next;
};

/// One thread's blocks. Plain data, so that a thread_local of it needs no guard and no
/// destructor: a thread that ends leaves its chunks behind (the program's few threads live
/// as long as it does).
struct ThreadBlocks {
  FreeBlock* free_lists[kClasses + 1] = {};
  char* next = nullptr;        ///< where the next block's header goes: 8 past a 16-byte boundary
  char* end = nullptr;         ///< the end of the current chunk
  bool arena_wanted = false;   ///< use_huge_pages was called; the arena is made when needed
  bool arena_paused = false;   ///< a WithoutHugePages lives: new blocks come from malloc
  char* arena_next = nullptr;  ///< where the arena's next chunk or large block is cut
  char* arena_end = nullptr;
  char* arena_begin = nullptr;
  FreeBlock* large_lists[kLargeClasses] = {};  ///< freed arena blocks, by large class
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

/// Puts `block` on the free list `list` (of its class, small or large).
void push_free(FreeBlock*& list, void* block) noexcept {
  auto* f = static_cast<FreeBlock*>(block);
  f->next = list;
  list = f;
}

/// The block at the head of `list`, taken off it; null when the list is empty.
FreeBlock* pop_free(FreeBlock*& list) noexcept {
  FreeBlock* f = list;
  if (f)
    list = f->next;
  return f;
}

/// The large class of a block of `total` bytes (its 16-byte prefix included), 1 KiB to 8 MiB:
/// the power of two below it and which eighth of the next it falls in.
std::size_t large_class_of(std::size_t total) noexcept {
  auto power = static_cast<std::size_t>(std::bit_width(total - 1) - 1);  // 10 to 22
  std::size_t eighth = (total - 1) >> (power - 3);                       // 8 to 15
  return power * 8 + eighth - 88;
}

/// The bytes a block of large class `c` spans, its prefix included.
std::size_t large_class_bytes(std::size_t c) noexcept {
  std::size_t power = (c + 88) / 8 - 1;
  std::size_t eighth = (c + 88) % 8 + 8;
  return (eighth + 1) << (power - 3);
}

/// Maps this thread's arena: address space for kArenaBytes on a 2 MiB boundary, marked for
/// transparent huge pages. On the virtual machines CI runs on, every 4 KiB page a lint first
/// writes cost over a microsecond in the kernel (a 400 KiB config's lint wrote about 270 of
/// them, a sixth of its time); a 2 MiB page costs about 60. Where the kernel gives no huge
/// pages (they are off, or memory is too fragmented) it backs the arena with small ones, as
/// malloc's heap is.
void make_arena(ThreadBlocks& t) noexcept {
  t.arena_wanted = false;  // once: a failed mapping is not tried again
  void* mapped = mmap(nullptr,
                      kArenaBytes + kHugePage,
                      PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1,
                      0);
  if (mapped == MAP_FAILED)
    return;
  auto aligned = (reinterpret_cast<std::uintptr_t>(mapped) + kHugePage - 1) & ~(kHugePage - 1);
  t.arena_next = reinterpret_cast<char*>(aligned);
  t.arena_begin = t.arena_next;
  t.arena_end = t.arena_next + kArenaBytes;
#ifdef MADV_HUGEPAGE
  madvise(t.arena_next, kArenaBytes, MADV_HUGEPAGE);  // no huge pages: small ones, as before
#endif
}

/// `bytes` (a multiple of 16) cut from this thread's arena, made first if it is wanted; null
/// when there is no arena or no room left in it.
char* cut_from_arena(ThreadBlocks& t, std::size_t bytes) noexcept {
  if (t.arena_paused)
    return nullptr;
  if (t.arena_wanted)
    make_arena(t);
  if (static_cast<std::size_t>(t.arena_end - t.arena_next) < bytes)
    return nullptr;
  char* cut = t.arena_next;
  t.arena_next += bytes;
  return cut;
}

/// A block of a large class: one freed before, or a new one from the arena; null when
/// neither can be had.
void* allocate_in_arena(ThreadBlocks& t, std::size_t size) noexcept {
  std::size_t total = size + kGranule;
  std::size_t c = large_class_of(total);
  if (FreeBlock* f = pop_free(t.large_lists[c]))
    return f;
  char* base = cut_from_arena(t, large_class_bytes(c));
  if (!base)
    return nullptr;
  void* block = base + kGranule;  // 16-byte aligned, its header before it, as malloc's below
  header_of(block) = kFirstArenaClass + c;
  return block;
}

/// A block of malloc's, for sizes past the small classes (and when no chunk can be had).
void* allocate_from_malloc(std::size_t size) noexcept {
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

/// A block past the small classes: from the arena when this thread has one (or holds freed
/// arena blocks), from malloc otherwise.
void* allocate_large(ThreadBlocks& t, std::size_t size) noexcept {
  if (size <= kLargestArenaBlock - kGranule)
    if (void* block = allocate_in_arena(t, size))
      return block;
  return allocate_from_malloc(size);
}

/// The rest of the current chunk, too small for the block asked for, as a free block of the
/// largest class it holds, so that a small chunk wastes nothing.
void keep_rest_of_chunk(ThreadBlocks& t) noexcept {
  std::size_t rest = static_cast<std::size_t>(t.end - t.next) / kGranule;
  if (rest != 0)
    push_free(t.free_lists[rest], cut_block(t, rest));
}

/// Cuts a block of class `c` from a new chunk. Chunks are small, so that they fit the holes
/// earlier frees left in glibc's heap (larger ones grew the heap, and so the pages touched).
[[gnu::noinline]] void* allocate_from_new_chunk(ThreadBlocks& t, std::size_t c) noexcept {
  char* chunk = cut_from_arena(t, kChunk);
  if (!chunk) {
    chunk = static_cast<char*>(std::malloc(kChunk));
    if (!chunk)
      return allocate_from_malloc((c * kGranule) - kHeader);
    remember_chunk(chunk);  // an arena's chunks stay reachable through its mapping
  }
  if (t.next)
    keep_rest_of_chunk(t);
  t.next = chunk + kHeader;  // a header 8 bytes past the boundary puts the block on one
  t.end = chunk + kChunk;
  return cut_block(t, c);
}

}  // namespace

void* allocate(std::size_t size) noexcept {
  ThreadBlocks& t = blocks;
  if (size > kLargestSmallBlock)
    return allocate_large(t, size);
  std::size_t c = size == 0 ? 1 : class_of(size);
  if (FreeBlock* f = pop_free(t.free_lists[c]))
    return f;
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
  ThreadBlocks& t = blocks;
  push_free(c >= kFirstArenaClass ? t.large_lists[c - kFirstArenaClass] : t.free_lists[c], block);
}

void use_huge_pages() noexcept {
  ThreadBlocks& t = blocks;
  if (!t.arena_end)
    t.arena_wanted = true;
}

WithoutHugePages::WithoutHugePages() noexcept : was_paused_(blocks.arena_paused) {
  ThreadBlocks& t = blocks;
  t.arena_paused = true;
  // The rest of the arena's current 2 MiB page holds no block yet, but counts whole in the
  // process's memory: given back, it does not add to the peak of the large lint that pauses
  // the arena (nearly 2 MB of it, the program's start having used a few pages). It is
  // faulted in again, a page at a time, if the arena cuts there later.
  if (t.arena_next && t.arena_next < t.arena_end) {
    auto next = reinterpret_cast<std::uintptr_t>(t.arena_next);
    std::uintptr_t page_end = (next + kHugePage - 1) & ~(kHugePage - 1);
    io::discard_pages(t.arena_next, static_cast<std::size_t>(page_end - next));
  }
}

WithoutHugePages::~WithoutHugePages() {
  blocks.arena_paused = was_paused_;
}

void return_free_heap_pages() noexcept {
  if (blocks.arena_paused)
    malloc_trim(0);
}

std::size_t arena_bytes_cut() noexcept {
  return static_cast<std::size_t>(blocks.arena_next - blocks.arena_begin);
}

bool from_huge_page_arena(const void* block) noexcept {
  return header_of(const_cast<void*>(block)) >= kFirstArenaClass;
}

std::size_t usable_size(const void* block) noexcept {
  std::uint64_t c = header_of(const_cast<void*>(block));
  if (c == kLargeBlock)
    return malloc_usable_size(static_cast<char*>(const_cast<void*>(block)) - kGranule) - kGranule;
  if (c >= kFirstArenaClass)
    return large_class_bytes(c - kFirstArenaClass) - kGranule;
  return c * kGranule - kHeader;
}

}  // namespace shapelint::memory
