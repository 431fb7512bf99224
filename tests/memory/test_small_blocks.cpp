#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/memory/small_blocks.hpp"

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
  std::mt19937 rng(20261126);
  std::vector<Live> live;
  for (int step = 0; step < 40000; ++step) {
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
    // Mostly small sizes, some past the small classes.
    std::size_t size = rng() % 8 == 0 ? rng() % 5000 : rng() % 300;
    auto* p = static_cast<unsigned char*>(memory::allocate(size));
    REQUIRE(p != nullptr);
    REQUIRE(aligned16(p));
    auto fill = static_cast<unsigned char>(rng());
    std::memset(p, fill, size);
    live.push_back({p, size, fill});
  }
  for (const Live& b : live) {
    REQUIRE(still_filled(b));
    memory::release(b.block);
  }
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
  std::sort(
      live.begin(), live.end(), [](const Live& a, const Live& b) { return a.block < b.block; });
  for (std::size_t i = 0; i + 1 < live.size(); ++i)
    REQUIRE(live[i].block + memory::usable_size(live[i].block) <= live[i + 1].block);
  for (const Live& b : live) {
    REQUIRE(still_filled(b));
    memory::release(b.block);
  }
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
