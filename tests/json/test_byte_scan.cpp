// The sixteen-bytes-at-a-time searches and counts of json/byte_scan.hpp agree with plain
// byte loops for every length and every place of the byte looked for, so both the vector
// loop and its scalar tail are exercised. Each text sits in a heap block of exactly its size,
// so the sanitizer build catches a read past the end.
#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/json/byte_scan.hpp"
#include "support/exact_copy.hpp"

using shapelint::testing::ExactCopy;

namespace {

template <class Predicate>
const char* slow_find(const char* s, const char* end, Predicate wanted) {
  while (s < end && !wanted(*s))
    ++s;
  return s;
}

const char* slow_find_last_newline(const char* s, const char* end) {
  const char* last = nullptr;
  for (; s < end; ++s)
    if (*s == '\n')
      last = s;
  return last;
}

std::size_t slow_count_newlines(const char* s, const char* end) {
  std::size_t count = 0;
  for (; s < end; ++s)
    if (*s == '\n')
      ++count;
  return count;
}

std::size_t slow_count_value_bound_bytes(const char* s, const char* end) {
  std::size_t count = 0;
  for (; s < end; ++s)
    if (*s == ',' || *s == '{' || *s == '[')
      ++count;
  return count;
}

std::size_t slow_count_code_points(const char* s, const char* end) {
  std::size_t count = 0;
  for (; s < end; ++s)
    if ((static_cast<unsigned char>(*s) & 0xC0) != 0x80)
      ++count;
  return count;
}

/// Where a container that opens just before `s` ends, read one byte at a time: just past
/// its closer, or `end` with whether the text ended inside a string.
const char* slow_container_end(const char* s, const char* end, bool& in_string) {
  std::size_t depth = 1;
  bool escaped = false;
  in_string = false;
  for (; s < end; ++s) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (*s == '\\')
        escaped = true;
      else if (*s == '"')
        in_string = false;
    } else if (*s == '"') {
      in_string = true;
    } else if (*s == '{' || *s == '[') {
      ++depth;
    } else if ((*s == '}' || *s == ']') && --depth == 0) {
      return s + 1;
    }
  }
  return end;
}

/// Checks every helper against its slow twin on `text`, from every start offset.
void check_all_helpers(std::string_view text) {
  ExactCopy copy(text);
  for (const char* s = copy.begin(); s <= copy.end(); ++s) {
    const char* end = copy.end();
    CHECK(shapelint::find_quote_or_backslash(s, end) ==
          slow_find(s, end, shapelint::is_quote_or_backslash));
    CHECK(shapelint::find_last_newline(s, end) == slow_find_last_newline(s, end));
    CHECK(shapelint::count_newlines(s, end) == slow_count_newlines(s, end));
    CHECK(shapelint::count_value_bound_bytes(s, end) == slow_count_value_bound_bytes(s, end));
    CHECK(shapelint::count_code_points(s, end) == slow_count_code_points(s, end));
    shapelint::BracketSkip state;
    bool slow_in_string = false;
    CHECK(shapelint::skip_to_container_end(s, end, state) ==
          slow_container_end(s, end, slow_in_string));
    CHECK(state.in_string == slow_in_string);
  }
}

}  // namespace

TEST_CASE("byte scans agree with byte loops wherever the byte looked for stands") {
  // Bytes the helpers look for, and decoys one bit away from a bracket (';' '=' 0xDB 0xDD),
  // since the container skip finds brackets by setting bit 0x20.
  const std::vector<std::string> specials{
      "\"", "\\", "{", "}", "[", "]", ",", "\n", "\r", "é", "😀", "\xDB", "\xDD", ";", "=", "\x80"};
  for (std::size_t length : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 33u, 47u, 48u, 49u, 63u, 64u, 65u}) {
    for (const auto& special : specials) {
      for (std::size_t at = 0; at <= length; ++at) {
        std::string text(length, 'x');
        text.insert(at, special);
        INFO("length " << length << ", byte " << static_cast<int>(special[0] & 0xFF) << " at "
                       << at);
        check_all_helpers(text);
      }
    }
  }
}

TEST_CASE("byte scans agree with byte loops on text dense with what they look for") {
  const std::vector<std::string> patterns{
      "{\"é\\\"]\n[😀}\r\n\"",
      // Strings that cross block boundaries, escapes at their ends, closers inside strings
      // and out.
      "\"ab\\\\\"]}[{\"\\\"}\"x]",
      "[{\"k\": \"v}\"}, \"\\\\\", [\"]\"]]",
      "\\\\\\\"\"\\",
  };
  for (const auto& pattern : patterns) {
    std::string text;
    for (int i = 0; i < 9; ++i)
      text += pattern + std::string(static_cast<std::size_t>(i), ' ');
    check_all_helpers(text);
  }
}

TEST_CASE("a skipped container ends at the closer that balances it, at any depth") {
  for (std::size_t depth = 1; depth <= 40; ++depth) {
    // The container's own opener stands before the text.
    std::string text = std::string(depth - 1, '[') + "\"]\"" + std::string(depth, ']') + "]";
    ExactCopy copy(text);
    shapelint::BracketSkip state;
    CHECK(shapelint::skip_to_container_end(copy.begin(), copy.end(), state) == copy.end() - 1);
  }
}

TEST_CASE("a container skip from any depth agrees with a byte loop on random bracket-dense text") {
  // Brackets, strings and escapes in random runs, so that blocks are counted whole (fewer
  // closers than open brackets) and walked, from depths of 1 to 40.
  std::mt19937 random(20261126);
  const std::vector<std::string> pieces{"[",
                                        "]",
                                        "{",
                                        "}",
                                        "[[[",
                                        "]]]",
                                        "\"a]\"",
                                        "\"[\"",
                                        "\"\\\"]\"",
                                        "0, ",
                                        "\"conv2d\", 0, 0, {}",
                                        " ",
                                        "\n"};
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (std::size_t n = 1 + random() % 60; n > 0; --n)
      text += pieces[random() % pieces.size()];
    ExactCopy copy(text);
    std::size_t depth = 1 + random() % 40;
    shapelint::BracketSkip state;
    state.depth = depth;
    shapelint::BracketSkip slow;
    slow.depth = depth;
    const char* expected =
        shapelint::byte_scan_detail::step_through_container(copy.begin(), copy.end(), slow);
    const char* got = shapelint::skip_to_container_end(copy.begin(), copy.end(), state);
    INFO(text << " from depth " << depth);
    REQUIRE(got == (expected ? expected : copy.end()));
    if (!expected) {
      CHECK(state.depth == slow.depth);
      CHECK(state.in_string == slow.in_string);
      CHECK(state.escaped == slow.escaped);
    }
  }
}

TEST_CASE("counts over long texts stay exact past the point where byte counters are summed") {
  // The counts keep a counter per byte lane and sum them every 255 rounds of 64 bytes: texts
  // made only of what is counted would overflow a lane that was summed too late.
  for (const std::string unit : {"\n", "é", "😀", "\n\xC3\xA9x", "x", ",", "{[,"}) {
    std::string text;
    while (text.size() < 3 * 255 * 64 + 100)
      text += unit;
    ExactCopy copy(text);
    for (std::size_t cut : {0u, 1u, 63u, 64u, 16319u, 16320u, 16321u, 16384u}) {
      const char* s = copy.begin() + cut;
      for (const char* end : {copy.end(), copy.end() - 1, copy.end() - 40, s + 16320, s + 16384}) {
        INFO("unit of " << unit.size() << " bytes, from " << cut << " to " << (end - copy.begin()));
        CHECK(shapelint::count_newlines(s, end) == slow_count_newlines(s, end));
        CHECK(shapelint::count_code_points(s, end) == slow_count_code_points(s, end));
        CHECK(shapelint::count_value_bound_bytes(s, end) == slow_count_value_bound_bytes(s, end));
        CHECK(shapelint::find_last_newline(s, end) == slow_find_last_newline(s, end));
      }
    }
  }
}

TEST_CASE("mostly_digits tells a config holding a weight matrix from one of layers") {
  std::string weights = R"({"config": {"value": [)";
  for (int i = 0; weights.size() < 100000; ++i)
    weights += "-0.0" + std::to_string(4567891359329224 + i * 7919) + ", ";
  weights += "0.5]}}";
  CHECK(shapelint::mostly_digits(weights));
  std::string layers = R"({"config": {"layers": [)";
  for (int i = 0; layers.size() < 100000; ++i)
    layers += R"({"class_name": "Conv2D", "config": {"name": "conv_)" + std::to_string(i) +
              R"(", "filters": 64, "kernel_size": [3, 3], "strides": [1, 1]}}, )";
  layers += "{}]}}";
  CHECK_FALSE(shapelint::mostly_digits(layers));
  // Short texts are not judged: nothing of a small one is worth the look.
  CHECK_FALSE(shapelint::mostly_digits(std::string(4000, '7')));
  CHECK(shapelint::mostly_digits(std::string(4096, '7')));
  // Half is not more than half.
  std::string half;
  while (half.size() < 8192)
    half += "7x";
  CHECK_FALSE(shapelint::mostly_digits(half));
}
