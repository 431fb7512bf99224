#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/memory/inline_bytes.hpp"

using shapelint::InlineBytes;

TEST_CASE("InlineBytes: keeps up to 31 bytes inline and more on the heap") {
  struct Case {
    const char* name;
    std::string bytes;
    bool on_heap;
  };

  const std::vector<Case> cases = {
      {"empty", "", false},
      {"one byte", "a", false},
      {"a tf.keras name of 16 bytes", "activation_12345", false},
      {"30 bytes", std::string(30, 'x'), false},
      {"31 bytes, the most inline", std::string(31, 'y'), false},
      {"32 bytes, the fewest on the heap", std::string(32, 'z'), true},
      {"a long name", std::string(1000, 'q'), true},
      {"any byte, NUL and 0xFF included", std::string("\0\xff\x80 a", 5), false},
      {"a heap string ending in 0xFF", std::string(40, '\xff'), true},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      InlineBytes b(c.bytes);
      CHECK(b.view() == c.bytes);
      CHECK(b.size() == c.bytes.size());
      CHECK(b.empty() == c.bytes.empty());
      CHECK(b.on_heap() == c.on_heap);

      InlineBytes copy = b;
      CHECK(copy.view() == c.bytes);
      CHECK(copy == b);
      if (c.on_heap)
        CHECK(copy.data() != b.data());  // its own bytes

      InlineBytes moved = std::move(copy);
      CHECK(moved.view() == c.bytes);
      CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is empty

      InlineBytes assigned("old bytes, long enough to be kept on the heap");
      assigned = b;
      CHECK(assigned.view() == c.bytes);
      assigned = std::move(moved);
      CHECK(assigned.view() == c.bytes);
      CHECK(moved.empty());  // NOLINT(bugprone-use-after-move)

      InlineBytes& self = assigned;
      assigned = self;
      CHECK(assigned.view() == c.bytes);
    }
  }
}

TEST_CASE("InlineBytes: of_size gives room to write, inline or on the heap") {
  for (std::size_t size : {std::size_t{0},
                           std::size_t{7},
                           InlineBytes::kInline,
                           InlineBytes::kInline + 1,
                           std::size_t{300}}) {
    INFO("size " << size);
    InlineBytes b = InlineBytes::of_size(size);
    REQUIRE(b.size() == size);
    for (std::size_t i = 0; i < size; ++i)
      b.data()[i] = static_cast<char>('a' + i % 26);
    std::string expected;
    for (std::size_t i = 0; i < size; ++i)
      expected += static_cast<char>('a' + i % 26);
    CHECK(b.view() == expected);
    CHECK(b.on_heap() == (size > InlineBytes::kInline));
  }
}

TEST_CASE("InlineBytes: equal when the bytes are, wherever they are kept") {
  CHECK(InlineBytes("abc") == InlineBytes("abc"));
  CHECK_FALSE(InlineBytes("abc") == InlineBytes("abd"));
  CHECK_FALSE(InlineBytes("abc") == InlineBytes("ab"));
  CHECK(InlineBytes(std::string(40, 'k')) == InlineBytes(std::string(40, 'k')));
  CHECK_FALSE(InlineBytes(std::string(40, 'k')) == InlineBytes(std::string(41, 'k')));
  CHECK(InlineBytes() == InlineBytes(""));
}
