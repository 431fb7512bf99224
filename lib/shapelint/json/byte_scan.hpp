#pragma once
// Byte searches and counts over raw JSON text, sixteen or thirty-two bytes at a time where
// SSE2 is there (every x86-64), with a scalar loop for the tail and for other targets. They serve
// the rescan that gives findings a line and column (model/json_positions.cpp): that scan skips
// nearly the whole file, so it must not look at each byte one by one.
//
// Every function reads only inside [s, end).

#include <cstddef>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <bit>

#include <emmintrin.h>
#endif

namespace shapelint {

/// Whether `c` ends a run of plain bytes inside a string: its closing quote or an escape.
constexpr bool is_quote_or_backslash(char c) {
  return c == '"' || c == '\\';
}

/// Whether `c` begins a UTF-8 code point: anything but a continuation byte (10xxxxxx).
constexpr bool begins_code_point(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
}

#ifdef __SSE2__
namespace byte_scan_detail {

inline __m128i load16(const char* s) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
}

/// Adds up the bytes of `ones` (each 0 or 1) into the two 64-bit lanes of `sums`.
inline __m128i add_byte_counts(__m128i sums, __m128i ones) {
  return _mm_add_epi64(sums, _mm_sad_epu8(ones, _mm_setzero_si128()));
}

inline std::size_t total_of(__m128i sums) {
  std::uint64_t lanes[2];
  std::memcpy(lanes, &sums, sizeof lanes);
  return static_cast<std::size_t>(lanes[0] + lanes[1]);
}

}  // namespace byte_scan_detail
#endif

/// Where a skip through a container stands: how many brackets are open, whether it is inside
/// a string, and whether just after a backslash there.
struct BracketSkip {
  std::size_t depth = 1;  ///< the container's own bracket included
  bool in_string = false;
  bool escaped = false;
};

namespace byte_scan_detail {

/// Steps through [s, end) one byte at a time; returns just past the closer that brings the
/// depth to zero, or nullptr. Escapes count only inside strings, as in JSON.
inline const char* step_through_container(const char* s, const char* end, BracketSkip& state) {
  for (; s < end; ++s) {
    char c = *s;
    if (state.in_string) {
      if (state.escaped)
        state.escaped = false;
      else if (c == '\\')
        state.escaped = true;
      else if (c == '"')
        state.in_string = false;
    } else if (c == '"') {
      state.in_string = true;
    } else if (c == '{' || c == '[') {
      ++state.depth;
    } else if ((c == '}' || c == ']') && --state.depth == 0) {
      return s + 1;
    }
  }
  return nullptr;
}

#ifdef __SSE2__
/// Bit i set when an odd number of the bits 0..i of `quotes` are: the bytes from an opening
/// quote up to, not including, its closing one, when no quote is escaped.
inline std::uint32_t between_quotes(std::uint32_t quotes) {
  quotes ^= quotes << 1;
  quotes ^= quotes << 2;
  quotes ^= quotes << 4;
  quotes ^= quotes << 8;
  quotes ^= quotes << 16;
  return quotes;
}

/// The bytes of a 32-byte block that matter to a container skip, one bit each.
struct BlockBits {
  std::uint32_t quotes;
  std::uint32_t backslashes;
  std::uint32_t opens;   ///< '{' and '['
  std::uint32_t closes;  ///< '}' and ']'
};

inline std::uint32_t bits_of_half(__m128i hits) {
  return static_cast<std::uint32_t>(_mm_movemask_epi8(hits));
}

inline BlockBits block_bits(const char* s) {
  // '[' | 0x20 is '{' and ']' | 0x20 is '}', and no other byte maps onto either: two
  // compares find all four brackets.
  const __m128i case_bit = _mm_set1_epi8(0x20);
  BlockBits bits{0, 0, 0, 0};
  for (int half = 0; half < 2; ++half) {
    __m128i bytes = load16(s + 16 * half);
    __m128i folded = _mm_or_si128(bytes, case_bit);
    int shift = 16 * half;
    bits.quotes |= bits_of_half(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'))) << shift;
    bits.backslashes |= bits_of_half(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))) << shift;
    bits.opens |= bits_of_half(_mm_cmpeq_epi8(folded, _mm_set1_epi8('{'))) << shift;
    bits.closes |= bits_of_half(_mm_cmpeq_epi8(folded, _mm_set1_epi8('}'))) << shift;
  }
  return bits;
}

/// Counts the brackets of the block at `s` that `outside_strings` marks, in order; returns
/// just past the closer that brings `depth` to zero, or nullptr.
inline const char* count_brackets(const char* s,
                                  const BlockBits& bits,
                                  std::uint32_t outside_strings,
                                  std::size_t& depth) {
  for (std::uint32_t brackets = (bits.opens | bits.closes) & outside_strings; brackets != 0;
       brackets &= brackets - 1) {
    std::uint32_t bit = brackets & (~brackets + 1);  // the lowest
    if (bits.opens & bit)
      ++depth;
    else if (--depth == 0)
      return s + std::countr_zero(bit) + 1;
  }
  return nullptr;
}
#endif

}  // namespace byte_scan_detail

/// Moves through [s, end), the bytes after a container's opening bracket (or a part of
/// them, with the `state` the part before left), counting brackets outside strings; any
/// closer closes, whatever its kind. Returns just past the closer that brings the depth to
/// zero, or end: then `state` says whether the text ended inside a string. A loop, not
/// recursion, so deep nesting costs no stack, and the depth is at least one whenever a closer
/// is met.
///
/// Thirty-two bytes at a time where SSE2 is there: the quotes of a block tell which of its
/// bytes are inside strings, and only its brackets outside them are looked at one by one.
/// A block with a backslash, or after one, goes byte by byte: escapes are rare in JSON
/// configs, and text full of them still costs one pass.
inline const char* skip_to_container_end(const char* s, const char* end, BracketSkip& state) {
  using byte_scan_detail::step_through_container;
#ifdef __SSE2__
  using namespace byte_scan_detail;
  for (; end - s >= 32; s += 32) {
    BlockBits bits = block_bits(s);
    if (state.escaped || bits.backslashes != 0) {
      if (const char* done = step_through_container(s, s + 32, state))
        return done;
      continue;
    }
    std::uint32_t inside = between_quotes(bits.quotes);
    if (state.in_string)
      inside = ~inside;
    if (const char* done = count_brackets(s, bits, ~inside, state.depth)) {
      state.in_string = false;  // a closer stands outside strings
      return done;
    }
    state.in_string = (inside >> 31) != 0;
  }
#endif
  if (const char* done = step_through_container(s, end, state))
    return done;
  return end;
}

/// The first quote or backslash in [s, end), or end.
inline const char* find_quote_or_backslash(const char* s, const char* end) {
#ifdef __SSE2__
  using byte_scan_detail::load16;
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (end - s >= 16) {
    __m128i bytes = load16(s);
    __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash));
    if (int mask = _mm_movemask_epi8(hits))
      return s + std::countr_zero(static_cast<unsigned>(mask));
    s += 16;
  }
#endif
  while (s < end && !is_quote_or_backslash(*s))
    ++s;
  return s;
}

/// How many '\n' bytes [s, end) holds.
inline std::size_t count_newlines(const char* s, const char* end) {
  std::size_t count = 0;
#ifdef __SSE2__
  using namespace byte_scan_detail;
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i one = _mm_set1_epi8(1);
  __m128i sums = _mm_setzero_si128();
  for (; end - s >= 16; s += 16)
    sums = add_byte_counts(sums, _mm_and_si128(_mm_cmpeq_epi8(load16(s), newline), one));
  count = total_of(sums);
#endif
  for (; s < end; ++s)
    count += *s == '\n';
  return count;
}

/// The last '\n' in [s, end), or nullptr. Searches from the back, so it reads only the
/// current line (and what lies before `s` is never read).
inline const char* find_last_newline(const char* s, const char* end) {
#ifdef __SSE2__
  using byte_scan_detail::load16;
  const __m128i newline = _mm_set1_epi8('\n');
  while (end - s >= 16) {
    if (int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(load16(end - 16), newline)))
      return end - 16 + (31 - std::countl_zero(static_cast<unsigned>(mask)));
    end -= 16;
  }
#endif
  while (end > s) {
    --end;
    if (*end == '\n')
      return end;
  }
  return nullptr;
}

/// How many UTF-8 code points begin in [s, end) (begins_code_point).
inline std::size_t count_code_points(const char* s, const char* end) {
  std::size_t count = 0;
#ifdef __SSE2__
  using namespace byte_scan_detail;
  // A signed compare: the continuation bytes 0x80..0xBF are exactly those below 0xC0 (-64).
  const __m128i first_lead = _mm_set1_epi8(static_cast<char>(0xC0));
  const __m128i one = _mm_set1_epi8(1);
  __m128i continuations = _mm_setzero_si128();
  std::size_t bytes = 0;
  for (; end - s >= 16; s += 16, bytes += 16)
    continuations =
        add_byte_counts(continuations, _mm_and_si128(_mm_cmplt_epi8(load16(s), first_lead), one));
  count = bytes - total_of(continuations);
#endif
  for (; s < end; ++s)
    count += begins_code_point(*s);
  return count;
}

}  // namespace shapelint
