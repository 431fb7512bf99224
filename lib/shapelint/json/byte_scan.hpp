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
#include <string_view>

#ifdef __SSE2__
#include <algorithm>
#include <bit>

#include <emmintrin.h>
#endif

namespace shapelint {

/// Whether more than half of `text` is ASCII digits, judged from 16 samples of 256 bytes
/// spread over it (a text shorter than the samples is not): a config holding a weight matrix
/// is, one of layers is not.
inline bool mostly_digits(std::string_view text) {
  constexpr std::size_t kSamples = 16;
  constexpr std::size_t kSampleBytes = 256;
  if (text.size() < kSamples * kSampleBytes)
    return false;
  const std::size_t step = (text.size() - kSampleBytes) / (kSamples - 1);
  std::size_t digits = 0;
  for (std::size_t i = 0; i < kSamples; ++i)
    for (char c : text.substr(i * step, kSampleBytes))
      digits += static_cast<unsigned char>(c - '0') < 10 ? 1 : 0;
  return digits * 2 > kSamples * kSampleBytes;
}

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

inline std::size_t total_of(__m128i sums) {
  std::uint64_t lanes[2];
  std::memcpy(lanes, &sums, sizeof lanes);
  return static_cast<std::size_t>(lanes[0] + lanes[1]);
}

/// How many bytes of the whole 16-byte blocks from `s` on `matches` (all ones for a byte that
/// matches) marks, and where those blocks end. Each block adds one to a byte's counter for
/// each match (subtracting -1), in four counters of sixteen byte lanes: a block costs three
/// instructions. The lanes are summed (SAD) every 255 blocks, before a byte can overflow.
template <class Matches>
inline std::size_t count_matching_blocks(const char*& s, const char* end, Matches matches) {
  const __m128i zero = _mm_setzero_si128();
  std::size_t count = 0;
  while (end - s >= 64) {
    std::size_t rounds = std::min<std::size_t>(static_cast<std::size_t>(end - s) / 64, 255);
    __m128i a = zero, b = zero, c = zero, d = zero;
    for (std::size_t i = 0; i < rounds; ++i, s += 64) {
      a = _mm_sub_epi8(a, matches(load16(s)));
      b = _mm_sub_epi8(b, matches(load16(s + 16)));
      c = _mm_sub_epi8(c, matches(load16(s + 32)));
      d = _mm_sub_epi8(d, matches(load16(s + 48)));
    }
    __m128i sums = _mm_add_epi64(_mm_sad_epu8(a, zero), _mm_sad_epu8(b, zero));
    sums = _mm_add_epi64(sums, _mm_add_epi64(_mm_sad_epu8(c, zero), _mm_sad_epu8(d, zero)));
    count += total_of(sums);
  }
  __m128i ones = zero;
  for (; end - s >= 16; s += 16)
    ones = _mm_sub_epi8(ones, matches(load16(s)));
  return count + total_of(_mm_sad_epu8(ones, zero));
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
  const __m128i newline = _mm_set1_epi8('\n');
  count = byte_scan_detail::count_matching_blocks(
      s, end, [newline](__m128i bytes) { return _mm_cmpeq_epi8(bytes, newline); });
#endif
  for (; s < end; ++s)
    count += *s == '\n';
  return count;
}

/// How many ',', '{' and '[' bytes [s, end) holds: one more is at least the number of values
/// in it, if it is JSON. Every value but the whole text's is an element or a member of a
/// container, and a container of k of them holds k - 1 commas and opened with a bracket; the
/// bytes inside strings only make the bound larger.
inline std::size_t count_value_bound_bytes(const char* s, const char* end) {
  std::size_t count = 0;
#ifdef __SSE2__
  // '[' (0x5B) and '{' (0x7B) are the two bytes that read '{' with bit 0x20 set.
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i bit5 = _mm_set1_epi8(0x20);
  const __m128i brace = _mm_set1_epi8('{');
  count = byte_scan_detail::count_matching_blocks(s, end, [=](__m128i bytes) {
    return _mm_or_si128(_mm_cmpeq_epi8(bytes, comma),
                        _mm_cmpeq_epi8(_mm_or_si128(bytes, bit5), brace));
  });
#endif
  for (; s < end; ++s)
    count += *s == ',' || *s == '{' || *s == '[';
  return count;
}

/// The last '\n' in [s, end), or nullptr. Searches from the back, so it reads only the
/// current line (and what lies before `s` is never read).
inline const char* find_last_newline(const char* s, const char* end) {
#ifdef __SSE2__
  using byte_scan_detail::load16;
  const __m128i newline = _mm_set1_epi8('\n');
  // A long line (a config written on one line) is passed 64 bytes at a time.
  while (end - s >= 64) {
    __m128i any = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(load16(end - 16), newline),
                                            _mm_cmpeq_epi8(load16(end - 32), newline)),
                               _mm_or_si128(_mm_cmpeq_epi8(load16(end - 48), newline),
                                            _mm_cmpeq_epi8(load16(end - 64), newline)));
    if (_mm_movemask_epi8(any))
      break;
    end -= 64;
  }
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
  // A signed compare: the continuation bytes 0x80..0xBF are exactly those below 0xC0 (-64).
  const __m128i first_lead = _mm_set1_epi8(static_cast<char>(0xC0));
  const char* blocks = s;
  std::size_t continuations = byte_scan_detail::count_matching_blocks(
      s, end, [first_lead](__m128i bytes) { return _mm_cmplt_epi8(bytes, first_lead); });
  count = static_cast<std::size_t>(s - blocks) - continuations;
#endif
  for (; s < end; ++s)
    count += begins_code_point(*s);
  return count;
}

}  // namespace shapelint
