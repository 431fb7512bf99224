// string_hash: equal strings hash alike, it reads only their bytes, and strings crafted to
// collide under an unkeyed multiply-and-shift hash (the kind shapelint used before) do not
// collide under it: a hostile file cannot flood the string table or the name indexes.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "shapelint/hash/string_hash.hpp"
#include "support/exact_copy.hpp"

using shapelint::string_hash;
using shapelint::testing::ExactCopy;

namespace {

std::uint64_t load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

/// An unkeyed hash of the multiply-and-shift kind, 8 bytes a round: (h ^ word) * K, then
/// h ^= h >> 31. A flipped top bit passes the multiplication unchanged and the shift turns it
/// into a fixed pair of bits, which the next word can flip back: whatever the constants,
/// strings built from such pairs of words collide.
std::uint64_t multiply_shift_hash(const std::string& s) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  for (std::size_t i = 0; i + 8 <= s.size(); i += 8) {
    h = (h ^ load8(s.data() + i)) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  return h;
}

/// 2^units strings of 16 bytes a unit: each unit is either two plain words or the same words
/// with the top bit of the first flipped and, in the second, the bits that flip becomes after
/// the shift (bit 63 and bit 32).
std::vector<std::string> multicollisions(int units) {
  std::vector<std::string> out;
  for (std::uint32_t choice = 0; choice < (1u << units); ++choice) {
    std::string s;
    for (int u = 0; u < units; ++u) {
      std::uint64_t first = 0x4141414141414141ull + static_cast<std::uint64_t>(u);
      std::uint64_t second = 0x4242424242424242ull;
      if (choice & (1u << u)) {
        first ^= std::uint64_t{1} << 63;
        second ^= (std::uint64_t{1} << 63) | (std::uint64_t{1} << 32);
      }
      s.append(reinterpret_cast<const char*>(&first), 8);
      s.append(reinterpret_cast<const char*>(&second), 8);
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("equal strings hash alike wherever they are stored, and only their bytes are read") {
  std::string text;
  for (int length = 0; length <= 80; ++length) {
    std::string s;
    for (int i = 0; i < length; ++i)
      s += static_cast<char>('a' + (i * 7 + length) % 26);
    ExactCopy copy(s);  // the sanitizer build catches a read past its end
    INFO("length " << length);
    CHECK(string_hash(copy.view()) == string_hash(s));
    CHECK(string_hash(copy.view()) == string_hash(std::string(s)));
  }
}

TEST_CASE("strings that differ in one byte, or only in length, hash apart") {
  std::set<std::uint64_t> seen;
  std::size_t made = 0;
  for (int length = 0; length <= 40; ++length) {
    std::string base(static_cast<std::size_t>(length), 'x');
    seen.insert(string_hash(base));
    ++made;
    for (int at = 0; at < length; ++at) {
      for (char c : {'y', '\0', '\xff'}) {
        std::string changed = base;
        changed[static_cast<std::size_t>(at)] = c;
        seen.insert(string_hash(changed));
        ++made;
      }
    }
  }
  // Over 64 bits, no two of these few thousand strings should share a hash.
  CHECK(seen.size() == made);
}

TEST_CASE("strings crafted to collide under an unkeyed multiply-and-shift hash do not") {
  auto strings = multicollisions(12);  // 4096 strings of 192 bytes
  std::set<std::uint64_t> unkeyed, keyed;
  for (const auto& s : strings) {
    unkeyed.insert(multiply_shift_hash(s));
    keyed.insert(string_hash(s));
  }
  CHECK(unkeyed.size() == 1);  // the attack works on the unkeyed hash
  CHECK(keyed.size() == strings.size());
  // And they spread over a table's slots as random keys would: no slot of 4096 holds many.
  std::unordered_map<std::uint64_t, int> per_slot;
  int fullest = 0;
  for (const auto& s : strings)
    fullest = std::max(fullest, ++per_slot[string_hash(s) & 4095]);
  CHECK(fullest <= 12);
}

TEST_CASE("layer names that differ only at the end spread over the table's low bits") {
  std::unordered_map<std::uint64_t, int> per_slot;
  int fullest = 0;
  for (int i = 0; i < 65536; ++i)
    fullest = std::max(fullest, ++per_slot[string_hash(fmt::format("conv2d_{}", i)) & 65535]);
  CHECK(fullest <= 16);
}
