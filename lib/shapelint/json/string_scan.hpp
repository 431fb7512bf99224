#pragma once

#include <bit>
#include <cstddef>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace shapelint {

/// Whether byte `c` can stand in a JSON string as it is, in both directions: not the quote,
/// not the backslash, not a control character, and ASCII (a multi-byte UTF-8 sequence is
/// checked on its own).
constexpr bool is_plain_string_byte(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/// The first byte in [s, end) that is not plain (is_plain_string_byte), or end: sixteen bytes
/// at a time where SSE2 is there (every x86-64). Names, keys and class names are plain, and
/// both the parser and the JSON writer spend much of their time looking for their end.
inline const char* skip_plain_string_bytes(const char* s, const char* end) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  // A signed compare: control characters and every byte from 0x80 are below 0x20.
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - s >= 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                     _mm_cmplt_epi8(bytes, space));
    if (int mask = _mm_movemask_epi8(special))
      return s + std::countr_zero(static_cast<unsigned>(mask));
    s += 16;
  }
#endif
  while (s < end && is_plain_string_byte(static_cast<unsigned char>(*s)))
    ++s;
  return s;
}

}  // namespace shapelint
