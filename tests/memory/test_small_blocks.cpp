#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/memory/small_blocks.hpp"
#include <unistd.h>

namespace memory = shapelint::memory;

namespace {

bool aligned16(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) % 16 == 0;
}

/// A live block and the byte it was filled with.
struct Live {
  unsigned char* block;
  std::size_t size;
  unsigned char fill;
};

bool still_filled(const Live& b) {
  return std::all_of(b.block, b.block + b.size, [&](unsigned char c) { return c == b.fill; });
}

/// Sorted by address, no block may reach into the next; then each is checked and freed.
void check_apart_and_release(std::vector<Live>& live) {
  std::sort(
      live.begin(), live.end(), [](const Live& a, const Live& b) { return a.block < b.block; });
  for (std::size_t i = 0; i + 1 < live.size(); ++i)
    REQUIRE(live[i].block + memory::usable_size(live[i].block) <= live[i + 1].block);
  for (const Live& b : live) {
    REQUIRE(still_filled(b));
    memory::release(b.block);
  }
}

/// `steps` random allocations (of sizes `size_of(rng)`) and frees, each block filled with a
/// byte of its own and checked when freed and at the end.
template <class SizeOf>
void churn(std::uint32_t seed, int steps, SizeOf size_of) {
  std::mt19937 rng(seed);
  std::vector<Live> live;
  for (int step = 0; step < steps; ++step) {
    bool release_one = !live.empty() && rng() % 5 < 2;
    if (release_one) {
      std::size_t i = rng() % live.size();
      INFO("step " << step);
      REQUIRE(still_filled(live[i]));
      memory::release(live[i].block);
      live[i] = live.back();
      live.pop_back();
      continue;
    }
    std::size_t size = size_of(rng);
    auto* p = static_cast<unsigned char*>(memory::allocate(size));
    REQUIRE(p != nullptr);
    REQUIRE(aligned16(p));
    auto fill = static_cast<unsigned char>(rng());
    std::memset(p, fill, size);
    live.push_back({p, size, fill});
  }
  check_apart_and_release(live);
}

}  // namespace

TEST_CASE("small blocks: every size is 16-byte aligned and at least as large as asked") {
  std::vector<void*> blocks;
  for (std::size_t size = 0; size <= 3 * memory::kLargestSmallBlock; ++size) {
    void* p = memory::allocate(size);
    INFO("size " << size);
    REQUIRE(p != nullptr);
    CHECK(aligned16(p));
    CHECK(memory::usable_size(p) >= std::max<std::size_t>(size, 1));
    std::memset(p, 0xAB, size);
    blocks.push_back(p);
  }
  for (void* p : blocks)
    memory::release(p);
}

TEST_CASE("small blocks: a small block uses its class, a larger one is malloc's") {
  void* small = memory::allocate(memory::kLargestSmallBlock);
  void* large = memory::allocate(memory::kLargestSmallBlock + 1);
  CHECK(memory::usable_size(small) == memory::kLargestSmallBlock);
  CHECK(memory::usable_size(large) >= memory::kLargestSmallBlock + 1);
  void* one = memory::allocate(1);
  CHECK(memory::usable_size(one) == 8);
  void* nine = memory::allocate(9);
  CHECK(memory::usable_size(nine) == 24);
  for (void* p : {small, large, one, nine})
    memory::release(p);
}

TEST_CASE("small blocks: a freed block is the next one given for its class") {
  void* a = memory::allocate(40);
  memory::release(a);
  void* b = memory::allocate(36);  // same 16-byte class as 40 (with the header: 48)
  CHECK(b == a);
  void* other_class = memory::allocate(200);
  CHECK(other_class != a);
  memory::release(b);
  memory::release(other_class);
}

TEST_CASE("small blocks: sizes that cannot be had give null, not a wrapped size") {
  CHECK(memory::allocate(SIZE_MAX) == nullptr);
  CHECK(memory::allocate(SIZE_MAX - 16) == nullptr);
  CHECK(memory::allocate(SIZE_MAX - 31) == nullptr);
  memory::release(nullptr);  // ignored
}

TEST_CASE("small blocks: random allocations and frees never overlap or disturb each other") {
  // Mostly small sizes, some past the small classes.
  churn(20261126, 40000, [](std::mt19937& rng) -> std::size_t {
    return rng() % 8 == 0 ? rng() % 5000 : rng() % 300;
  });
}

TEST_CASE("small blocks: blocks fill chunk after chunk without overlapping") {
  // Enough blocks of mixed sizes to use many chunks, each chunk's rest kept as a smaller
  // free block: sorted by address, no block may reach into the next.
  std::vector<Live> live;
  for (int i = 0; i < 6000; ++i) {
    std::size_t size = 1 + (static_cast<std::size_t>(i) * 37) % memory::kLargestSmallBlock;
    auto* p = static_cast<unsigned char*>(memory::allocate(size));
    REQUIRE(p != nullptr);
    auto fill = static_cast<unsigned char>(i);
    std::memset(p, fill, size);
    live.push_back({p, size, fill});
  }
  check_apart_and_release(live);
}

TEST_CASE("small blocks: a block made in one thread may be freed in another") {
  std::vector<void*> made(2000);
  std::thread maker([&] {
    for (std::size_t i = 0; i < made.size(); ++i) {
      made[i] = memory::allocate(i % 500);
      std::memset(made[i], 1, i % 500);
    }
  });
  maker.join();
  std::thread freer([&] {
    for (void* p : made)
      memory::release(p);
    // The freeing thread now hands them out again.
    std::vector<void*> again;
    for (std::size_t i = 0; i < made.size(); ++i)
      again.push_back(memory::allocate(i % 500));
    for (void* p : again)
      memory::release(p);
  });
  freer.join();
  SUCCEED("no crash, and under ASan no report");
}

namespace {

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;

/// Runs `body` in a thread of its own: use_huge_pages lasts as long as the thread does.
template <class Body>
void in_new_thread(Body body) {
  std::thread t(body);
  t.join();
}

}  // namespace

TEST_CASE("huge-page arena: larger blocks come from it once asked for, rounded to an eighth") {
  // The class a size falls in spans the 16 bytes before the block too: (1 KiB, 1.125 KiB],
  // (1.125, 1.25], ... (1.875, 2], then (2, 2.25] and so on up to (7.5 MiB, 8 MiB].
  struct Case {
    std::size_t size;
    std::size_t usable;
  };

  const Case cases[] = {
      {memory::kLargestSmallBlock + 1, 1152 - 16},
      {1152 - 16, 1152 - 16},
      {1152 - 15, 1280 - 16},
      {1280 - 16, 1280 - 16},
      {1280 - 15, 1408 - 16},
      {2048 - 16, 2048 - 16},
      {2048 - 15, 2304 - 16},
      {5000, 5120 - 16},
      {100 * kKiB, 104 * kKiB - 16},
      {7 * kMiB - 16, 7 * kMiB - 16},
      {7 * kMiB, 7 * kMiB + 512 * kKiB - 16},
      {8 * kMiB - 16, 8 * kMiB - 16},
  };
  in_new_thread([&] {
    memory::use_huge_pages();
    for (const Case& c : cases) {
      INFO("size " << c.size);
      auto* p = static_cast<unsigned char*>(memory::allocate(c.size));
      REQUIRE(p != nullptr);
      CHECK(aligned16(p));
      CHECK(memory::from_huge_page_arena(p));
      CHECK(memory::usable_size(p) == c.usable);
      p[0] = 1;  // its first and last bytes are its own
      p[c.usable - 1] = 2;
      memory::release(p);
    }
  });
}

TEST_CASE("huge-page arena: it counts the bytes cut from it, blocks and their prefixes") {
  in_new_thread([] {
    std::size_t without_arena = memory::arena_bytes_cut();
    memory::use_huge_pages();
    // Read around each block alone: a check may make small blocks, cut in 8 KiB chunks.
    std::size_t before = memory::arena_bytes_cut();
    void* a = memory::allocate(5000);  // (4.5 KiB, 5 KiB] with its prefix
    std::size_t after_a = memory::arena_bytes_cut();
    void* b = memory::allocate(100 * kKiB);  // (96 KiB, 104 KiB]
    std::size_t after_b = memory::arena_bytes_cut();
    memory::release(a);
    void* again = memory::allocate(5000);  // the freed block: nothing new is cut
    std::size_t after_again = memory::arena_bytes_cut();
    CHECK(without_arena == 0);
    CHECK(after_a - before == 5 * kKiB);
    CHECK(after_b - after_a == 104 * kKiB);
    CHECK(again == a);
    CHECK(after_again == after_b);
    memory::release(again);
    memory::release(b);
  });
}

TEST_CASE("huge-page arena: only threads that ask use it, and only up to 8 MiB blocks") {
  void* elsewhere = memory::allocate(5000);
  CHECK_FALSE(memory::from_huge_page_arena(elsewhere));
  memory::release(elsewhere);
  in_new_thread([] {
    memory::use_huge_pages();
    void* largest = memory::allocate(8 * kMiB - 16);
    void* past = memory::allocate(8 * kMiB - 15);
    CHECK(memory::from_huge_page_arena(largest));
    CHECK_FALSE(memory::from_huge_page_arena(past));
    CHECK(memory::usable_size(past) >= 8 * kMiB - 15);
    memory::release(largest);
    memory::release(past);
  });
}

TEST_CASE("huge-page arena: a freed block is the next one given for its class") {
  in_new_thread([] {
    memory::use_huge_pages();
    void* a = memory::allocate(5000);
    memory::release(a);
    void* b = memory::allocate(4800);  // 4816 and 5016 bytes with the prefix: (4.5, 5 KiB]
    CHECK(b == a);
    void* c = memory::allocate(5200);  // the next class
    CHECK(c != a);
    memory::release(b);
    memory::release(c);
  });
}

TEST_CASE("huge-page arena: while a WithoutHugePages lives, new blocks come from malloc") {
  in_new_thread([] {
    memory::use_huge_pages();
    void* before = memory::allocate(5000);
    CHECK(memory::from_huge_page_arena(before));
    {
      memory::WithoutHugePages paused;
      void* during = memory::allocate(300 * kKiB);
      CHECK_FALSE(memory::from_huge_page_arena(during));
      CHECK(memory::usable_size(during) >= 300 * kKiB);
      { memory::WithoutHugePages nested; }  // ends paused still: the outer one lives on
      void* still = memory::allocate(300 * kKiB);
      CHECK_FALSE(memory::from_huge_page_arena(still));
      // A block the arena gave before is still taken back, and reused for its class.
      memory::release(before);
      void* reused = memory::allocate(5000);
      CHECK(reused == before);
      memory::release(reused);
      memory::release(during);
      memory::release(still);
    }
    void* after = memory::allocate(300 * kKiB);
    CHECK(memory::from_huge_page_arena(after));
    memory::release(after);
  });
}

TEST_CASE("huge-page arena: a pause gives back only pages no block is on; blocks cut later work") {
  // The pause gives back the rest of the arena's current 2 MiB page (madvise): the blocks
  // cut before it, small and large, keep their bytes, and the blocks cut there once the
  // pause ends are usable (the pages come back, zeroed).
  in_new_thread([] {
    memory::use_huge_pages();
    std::vector<Live> live;
    for (std::size_t size : {std::size_t{24}, std::size_t{700}, 5000 * std::size_t{1}, 90 * kKiB})
      live.push_back({static_cast<unsigned char*>(memory::allocate(size)), size, 0});
    for (std::size_t i = 0; i < live.size(); ++i) {
      live[i].fill = static_cast<unsigned char>(0xA0 + i);
      std::memset(live[i].block, live[i].fill, live[i].size);
    }
    REQUIRE(memory::from_huge_page_arena(live[2].block));
    {
      memory::WithoutHugePages paused;
      // The current chunk still gives small blocks (it lies before the part given back).
      live.push_back({static_cast<unsigned char*>(memory::allocate(40)), 40, 0x5A});
      std::memset(live.back().block, 0x5A, 40);
      for (const Live& b : live)
        CHECK(still_filled(b));
    }
    for (std::size_t size : {6000 * std::size_t{1}, 200 * kKiB, 900 * kKiB}) {
      auto* p = static_cast<unsigned char*>(memory::allocate(size));
      CHECK(memory::from_huge_page_arena(p));
      std::memset(p, 0x3C, size);
      live.push_back({p, size, 0x3C});
    }
    check_apart_and_release(live);
  });
}

TEST_CASE(
    "huge-page arena: use_huge_pages asked for while paused takes effect when the pause ends") {
  in_new_thread([] {
    {
      memory::WithoutHugePages paused;
      memory::use_huge_pages();  // asked for while paused: made, but not used until the end
      void* during = memory::allocate(5000);
      CHECK_FALSE(memory::from_huge_page_arena(during));
      memory::release(during);
    }
    void* after = memory::allocate(5000);
    CHECK(memory::from_huge_page_arena(after));
    memory::release(after);
  });
}

TEST_CASE("huge-page arena: when it is full, blocks come from malloc, all usable") {
  in_new_thread([] {
    memory::use_huge_pages();
    // The arena holds 32 MiB: four of the largest blocks, then malloc's.
    std::vector<unsigned char*> blocks;
    for (int i = 0; i < 6; ++i) {
      auto* p = static_cast<unsigned char*>(memory::allocate(8 * kMiB - 16));
      REQUIRE(p != nullptr);
      p[0] = static_cast<unsigned char>(i);
      p[8 * kMiB - 17] = static_cast<unsigned char>(i);
      blocks.push_back(p);
    }
    for (int i = 0; i < 6; ++i) {
      INFO("block " << i);
      CHECK(memory::from_huge_page_arena(blocks[i]) == (i < 4));
      CHECK(blocks[i][0] == i);
      CHECK(blocks[i][8 * kMiB - 17] == i);
    }
    // Small blocks still come from chunks (malloc's now): they work as before.
    void* small = memory::allocate(100);
    REQUIRE(small != nullptr);
    std::memset(small, 7, 100);
    memory::release(small);
    for (auto* p : blocks)
      memory::release(p);
  });
}

TEST_CASE("huge-page arena: random blocks of every size never overlap or disturb each other") {
  in_new_thread([] {
    memory::use_huge_pages();
    churn(20261127, 20000, [](std::mt19937& rng) -> std::size_t {
      return rng() % 4 == 0 ? rng() % (64 * kKiB) : rng() % 600;
    });
  });
}

TEST_CASE("huge-page arena: a block freed in another thread is reused there") {
  void* made = nullptr;
  in_new_thread([&] {
    memory::use_huge_pages();
    made = memory::allocate(3000);
    std::memset(made, 1, 3000);
  });
  REQUIRE(memory::from_huge_page_arena(made));
  in_new_thread([&] {
    memory::release(made);
    void* again = memory::allocate(2900);  // same class, in a thread with no arena of its own
    CHECK(again == made);
    memory::release(again);
  });
}

// AddressSanitizer's allocator, not malloc's heap, holds the blocks there: nothing to measure.
#if !defined(__SANITIZE_ADDRESS__)
namespace {

/// This process's resident memory, from /proc/self/statm.
std::size_t resident_bytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  long pages = 0;
  long resident = 0;
  if (statm) {
    if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    std::fclose(statm);
  }
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

/// Resident memory given back when `pause` is set: 24 MiB of malloc's blocks are written,
/// all but the last freed (which holds the heap's top, so free() alone trims nothing), and
/// return_free_heap_pages called.
std::size_t bytes_given_back(bool pause) {
  std::size_t given_back = 0;
  in_new_thread([&] {
    std::optional<memory::WithoutHugePages> paused;
    if (pause)
      paused.emplace();
    constexpr std::size_t kBlock = 48 * kKiB;  // under malloc's mmap threshold: its heap's
    std::vector<void*> blocks;
    for (int i = 0; i < 512; ++i) {
      void* block = memory::allocate(kBlock);
      REQUIRE(block != nullptr);
      std::memset(block, 1, kBlock);
      blocks.push_back(block);
    }
    for (std::size_t i = 0; i + 1 < blocks.size(); ++i)
      memory::release(blocks[i]);
    std::size_t before = resident_bytes();
    memory::return_free_heap_pages();
    std::size_t after = resident_bytes();
    given_back = before > after ? before - after : 0;
    memory::release(blocks.back());
  });
  return given_back;
}

}  // namespace
#endif

TEST_CASE("free heap pages: given back inside a WithoutHugePages, kept elsewhere") {
#if defined(__SANITIZE_ADDRESS__)
  SUCCEED("skipped: AddressSanitizer's allocator, not malloc's heap, holds the blocks");
#else
  CHECK(bytes_given_back(true) > 16 * kMiB);
  CHECK(bytes_given_back(false) < 4 * kMiB);
#endif
}
