#pragma once
// The hash of strings read from model files (JSON keys and strings, layer names) for hash
// tables, keyed with a secret drawn when the program starts.
//
// A hash anyone can compute lets a hostile file hold thousands of distinct strings crafted to
// land in one slot of a table (hash flooding): every insert then probes past all the strings
// before it, and a million of them take hours instead of milliseconds. With the secret, which
// strings collide differs from run to run and cannot be worked out from the file. The mixing
// is a 64x64 -> 128-bit product folded in half for every 16 bytes (as wyhash does): a
// difference in the input spreads through the product according to the other, secret-keyed
// operand, so no difference between two inputs cancels whatever the secret, as it can with a
// multiply-and-shift mix (a flipped top bit passes it unchanged).
//
// Nothing shapelint prints depends on the hash: it places strings in tables, whose contents are
// only ever looked up, never listed in hash order.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace shapelint {

namespace string_hash_detail {

struct Secret {
  std::uint64_t k[4];
};

/// Four secret words from the 16 random bytes the kernel gives every program (AT_RANDOM).
Secret draw_secret() noexcept;

inline const Secret& secret() noexcept {
  static const Secret drawn = draw_secret();
  return drawn;
}

// GCC's and Clang's 128-bit integer (one MUL instruction on x86-64); `__extension__` tells
// -Wpedantic that it is meant.
__extension__ using Uint128 = unsigned __int128;

/// The 128-bit product of `a` and `b`, its halves xor-ed.
inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) noexcept {
  Uint128 product = static_cast<Uint128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

inline std::uint64_t load4(const char* p) noexcept {
  std::uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

}  // namespace string_hash_detail

/// A hash of `s`: equal strings hash alike within one run of the program; across runs it
/// differs. Reads only the bytes of `s`, whole words where it can (the last bytes as
/// overlapping words: a copy of a variable length is a library call that would cost as much
/// as the rest of the hash).
inline std::uint64_t string_hash(std::string_view s) noexcept {
  using namespace string_hash_detail;
  const Secret& key = secret();
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t h = key.k[0] ^ n;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  if (n > 16) {
    const char* last = p + n - 16;
    for (; p < last; p += 16)
      h = fold_multiply(load8(p) ^ key.k[1], load8(p + 8) ^ h);
    a = load8(last);
    b = load8(last + 8);
  } else if (n >= 8) {
    a = load8(p);
    b = load8(p + n - 8);
  } else if (n >= 4) {
    a = load4(p);
    b = load4(p + n - 4);
  } else if (n > 0) {
    // The first, middle and last bytes tell apart all strings of one length up to 3.
    a = (std::uint64_t{static_cast<unsigned char>(p[0])} << 16) |
        (std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
        static_cast<unsigned char>(p[n - 1]);
  }
  h = fold_multiply(a ^ key.k[1], b ^ h);
  return fold_multiply(h ^ key.k[2], n ^ key.k[3]);
}

/// string_hash as the hash of an unordered container of names.
struct StringHash {
  std::size_t operator()(std::string_view s) const noexcept {
    return static_cast<std::size_t>(string_hash(s));
  }
};

}  // namespace shapelint
