#pragma once
// The common JSON numbers read in one pass, eight digits at a time.
//
// Configs saved with weights inside (a Constant initializer's matrix) hold tens of thousands
// of numbers such as -2.4922495, and every config holds thousands of small integers (shapes,
// filters, kernel sizes). Reading them a digit at a time cost about 220 instructions a float.
// Here eight bytes are tested for digits and converted with a few multiplications (SWAR:
// SIMD within a register), and a number is settled in one pass when it is one of the common
// kinds: at most 19 digits, an exponent of at most 4 digits, and (for a float) a value that
// Clinger's exact fast path computes. Anything else (a long or malformed number, a float
// needing correct rounding) is declined, and the parser's general path reads it again from
// its first byte, so this changes no result: it only answers sooner.

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "shapelint/json/document.hpp"
#include "shapelint/json/exact_decimal.hpp"

namespace shapelint {

namespace number_scan_detail {

inline constexpr std::uint64_t kZeros = 0x3030303030303030ull;  ///< '0' in every byte

/// The eight bytes at `s`, the first in the lowest byte.
inline std::uint64_t load8(const char* s) noexcept {
  std::uint64_t v;
  std::memcpy(&v, s, 8);
  return v;
}

/// How many of the eight bytes of `chunk` (first byte lowest) are ASCII digits before the
/// first that is not. A byte is a digit when, xor '0', it is below 10: adding 0x76 then
/// sets its high bit for 10 to 127, and the byte's own high bit covers 128 to 255. A carry
/// out of a byte only reaches bytes after it, which are past the first non-digit.
inline int leading_digit_bytes(std::uint64_t chunk) noexcept {
  std::uint64_t x = chunk ^ kZeros;
  std::uint64_t not_digit = ((x + 0x7676767676767676ull) | x) & 0x8080808080808080ull;
  return not_digit ? std::countr_zero(not_digit) / 8 : 8;
}

/// The value of eight digits, each byte already 0 to 9, the first (the most significant) in
/// the lowest byte: pairs, then quadruples, then the whole, each step one multiplication.
inline std::uint64_t eight_digits_value(std::uint64_t digits) noexcept {
  digits = digits * 10 + (digits >> 8);  // 10a + b in the low byte of each 16 bits
  constexpr std::uint64_t kPairs = 0x000000FF000000FFull;
  constexpr std::uint64_t kPairsToQuads = 100 + (1000000ull << 32);
  constexpr std::uint64_t kQuadsToWhole = 1 + (10000ull << 32);
  return (((digits & kPairs) * kPairsToQuads) + (((digits >> 16) & kPairs) * kQuadsToWhole)) >> 32;
}

inline constexpr std::uint64_t kPowersOfTen64[9] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

inline constexpr int kMaxDigits = 19;  ///< 10^19 - 1 still fits 64 bits

inline bool is_digit(char c) noexcept {
  return static_cast<unsigned char>(c - '0') < 10;
}

/// Appends the digits at `s` (up to the first non-digit or `end`) to `mantissa`, adding
/// their number to `count`; returns where they end. Stops early, with `count` past
/// kMaxDigits, when they would no longer fit (the caller then declines the number).
inline const char* read_digit_run(const char* s,
                                  const char* end,
                                  std::uint64_t& mantissa,
                                  int& count) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    while (end - s >= 8) {
      std::uint64_t chunk = load8(s);
      int n = leading_digit_bytes(chunk);
      count += n;
      if (n == 0 || count > kMaxDigits)
        return s + n;
      // The n digits moved up to the high bytes: the zero bytes below are leading zeros. A
      // borrow of the subtraction starts at a byte past the digits, and is shifted out.
      std::uint64_t digits = (chunk - kZeros) << (8 * (8 - n));  // n is 1 to 8 here
      mantissa = mantissa * kPowersOfTen64[n] + eight_digits_value(digits);
      s += n;
      if (n < 8)
        return s;
    }
  }
  for (; s < end && is_digit(*s); ++s)
    if (++count <= kMaxDigits)
      mantissa = mantissa * 10 + static_cast<std::uint64_t>(*s - '0');
    else
      return s;
  return s;
}

/// Steps over the digits at `s` (up to the first non-digit or `end`), adding their number to
/// `count`; may stop early once `count` is past kMaxDigits.
inline const char* skip_digit_run(const char* s, const char* end, int& count) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    while (end - s >= 8) {
      int n = leading_digit_bytes(load8(s));
      count += n;
      s += n;
      if (n < 8 || count > kMaxDigits)
        return s;
    }
  }
  for (; s < end && is_digit(*s) && count <= kMaxDigits; ++s)
    ++count;
  return s;
}

/// What a one-window look (number_in_window) decided.
enum class WindowAnswer {
  plain_float,    ///< digits, a point, digits, inside the window: no exponent
  short_integer,  ///< digits only, at most 15, and neither a point nor an exponent after them
  not_plain,      ///< malformed: the general path reads it, and reports it
  look_closer,    ///< longer than the window, or with an exponent
};

#ifdef __SSE2__
/// Bit i set where byte i of the 16 at `s` is an ASCII digit.
inline std::uint32_t digits_in_16(const char* s) noexcept {
  __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  // '0' to '9' move to -128 to -119 as signed bytes, and no other byte does: one signed
  // compare then tells digits (a min and an equality took one more step, and a register).
  __m128i shifted = _mm_add_epi8(bytes, _mm_set1_epi8(static_cast<char>(0x80 - '0')));
  __m128i digit = _mm_cmplt_epi8(shifted, _mm_set1_epi8(-118));
  return static_cast<std::uint32_t>(_mm_movemask_epi8(digit));
}

/// Whether `c` is 'e' or 'E'.
inline bool is_exponent_mark(char c) noexcept {
  return (c | 0x20) == 'e';
}

/// The number at `s` from the `Bytes` bytes there (16 or 32) at once, for the commonest
/// numbers (a weight such as -0.051124573, a size such as 224): a bit mask of the digits,
/// and the parts' ends found by counting zero bits. The byte-at-a-time scan took a
/// mispredicted branch or two per number, on lengths and signs that vary at random, and was
/// most of the parse of a config with its weights inside. 32 bytes take a float32 weight
/// that json.dumps wrote as a double (-0.004567891359329224, 20 digits). `number_end` is set
/// for a plain float and a short integer.
///
/// A plain float here has no exponent, so whatever its digits (up to 30) its value is
/// between 1e-30 and 1e31: finite and normal, safe to leave as text and read later.
template <int Bytes = 16>
inline WindowAnswer number_in_window(const char* s, const char*& number_end) noexcept {
  static_assert(Bytes == 16 || Bytes == 32);
  // Inverted in 64 bits: every bit from Bytes on is set, so a count of zero bits stops there.
  std::uint64_t digits = digits_in_16(s);
  if constexpr (Bytes == 32)
    digits |= std::uint64_t{digits_in_16(s + 16)} << 16;
  std::uint64_t not_digit = ~digits;
  std::uint32_t first = s[0] == '-' ? 1 : 0;
  // The first non-digit at or after bit `from` (Bytes when the window holds none).
  auto digits_end = [&](std::uint32_t from) {
    return static_cast<std::uint32_t>(std::countr_zero(not_digit >> from)) + from;
  };
  std::uint32_t integer_end = digits_end(first);
  if (integer_end == Bytes)
    return WindowAnswer::look_closer;
  bool leading_zero = s[first] == '0' && integer_end != first + 1;
  if (integer_end == first || leading_zero)
    return WindowAnswer::not_plain;  // not a number the grammar allows
  if (s[integer_end] != '.') {
    // short_integer_value reads at most 15 bytes.
    if (is_exponent_mark(s[integer_end]) || (Bytes == 32 && integer_end > 15))
      return WindowAnswer::look_closer;
    number_end = s + integer_end;
    return WindowAnswer::short_integer;
  }
  std::uint32_t fraction_end = digits_end(integer_end + 1);
  if (fraction_end == integer_end + 1)
    return WindowAnswer::not_plain;  // a point with no digit after it
  if (fraction_end == Bytes || is_exponent_mark(s[fraction_end]))
    return WindowAnswer::look_closer;
  number_end = s + fraction_end;
  return WindowAnswer::plain_float;
}

/// The bytes plain_floats_in_block looks at, and the most floats it can find there: a comma
/// and at least three bytes ("0.5") each.
inline constexpr int kBlockBytes = 64;
inline constexpr int kMaxBlockFloats = kBlockBytes / 4;

/// The digits and the commas among the 64 bytes at `s`, as bit masks (bit i for byte i).
struct BlockMasks {
  std::uint64_t digits = 0;
  std::uint64_t commas = 0;
};

inline BlockMasks masks_of_block(const char* s) noexcept {
  BlockMasks masks;
  for (int part = 0; part < kBlockBytes / 16; ++part) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16 * part));
    __m128i shifted = _mm_add_epi8(bytes, _mm_set1_epi8(static_cast<char>(0x80 - '0')));
    __m128i digit = _mm_cmplt_epi8(shifted, _mm_set1_epi8(-118));  // as in digits_in_16
    __m128i comma = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(','));
    auto shift = 16 * part;
    masks.digits |= std::uint64_t{static_cast<std::uint32_t>(_mm_movemask_epi8(digit))} << shift;
    masks.commas |= std::uint64_t{static_cast<std::uint32_t>(_mm_movemask_epi8(comma))} << shift;
  }
  return masks;
}

/// Bits `from` to `to - 1` (0 <= from <= to <= 63).
inline std::uint64_t bits_between(std::uint32_t from, std::uint32_t to) noexcept {
  return ((std::uint64_t{1} << to) - 1) & (~std::uint64_t{0} << from);
}

/// The plain floats (as number_in_window<32> takes them: digits, a point, digits, under 32
/// bytes) that follow one another in the 64 bytes at `s`, which must start with the comma
/// after a number: each after a comma and at most one space, and before the next comma.
/// Calls `take(start, length)` for each, in order (offsets from `s`), up to the first element
/// that is not one, or is not followed by a comma inside the block; returns the offset of the
/// comma after the last float taken (0 when none was).
///
/// Why: a weight matrix's numbers, read one at a time, each waited for the previous one's
/// end to be found (a load, a mask, a count of zero bits: a chain of some 30 cycles a
/// number, most of the parse of a config holding one). Here every comma of the block is
/// found at once, and the numbers between them are checked independently of one another.
template <class Take>
[[gnu::always_inline]] inline std::uint32_t plain_floats_in_block(const char* s,
                                                                  Take&& take) noexcept {
  BlockMasks masks = masks_of_block(s);
  std::uint64_t next_commas = masks.commas & (masks.commas - 1);  // those after s[0]
  std::uint32_t from = 0;                                         // the comma before the element
  while (next_commas != 0) {
    auto to = static_cast<std::uint32_t>(std::countr_zero(next_commas));
    next_commas &= next_commas - 1;
    std::uint32_t start = from + 1 + (s[from + 1] == ' ' ? 1 : 0);  // start <= to
    std::uint32_t first_digit = start + (s[start] == '-' ? 1 : 0);  // s[to] is no '-'
    // The bytes from the first digit to the comma: digits and a single point.
    std::uint64_t not_digits = bits_between(first_digit, to) & ~masks.digits;
    if (not_digits == 0 || (not_digits & (not_digits - 1)) != 0)
      break;
    auto point = static_cast<std::uint32_t>(std::countr_zero(not_digits));
    bool plain = s[point] == '.' && point > first_digit && point + 1 < to &&
                 (s[first_digit] != '0' || point == first_digit + 1) && to - start < 32;
    if (!plain)
      break;
    take(start, to - start);
    from = to;
  }
  return from;
}
#endif

}  // namespace number_scan_detail

/// The end of the float at `s` when it can be left as text and read later: it is then
/// certainly valid JSON, a float (it has a point), and finite and normal whatever its
/// digits (at most 19 of them, and an exponent of at most two digits). Null for any other
/// number (an integer, a long or malformed one), which is read at once as before.
inline const char* plain_float_end(const char* s, const char* end) noexcept {
  using namespace number_scan_detail;
#ifdef __SSE2__
  if (end - s >= 16) {
    const char* number_end = nullptr;
    switch (number_in_window(s, number_end)) {
      case WindowAnswer::plain_float:
        return number_end;
      case WindowAnswer::short_integer:
      case WindowAnswer::not_plain:
        return nullptr;
      case WindowAnswer::look_closer:
        break;
    }
  }
#endif
  s += s < end && *s == '-' ? 1 : 0;
  if (s == end)
    return nullptr;
  int count = 0;
  if (*s == '0') {
    ++s;  // no leading zero: a digit after it is not part of the number
    count = 1;
  } else {
    s = skip_digit_run(s, end, count);
    if (count == 0)
      return nullptr;
  }
  if (s == end || *s != '.')
    return nullptr;
  int before = count;
  s = skip_digit_run(s + 1, end, count);
  if (count == before || count > kMaxDigits)
    return nullptr;
  if (s < end && (*s == 'e' || *s == 'E')) {
    ++s;
    if (s < end && (*s == '-' || *s == '+'))
      ++s;
    int exponent_digits = 0;
    for (; s < end && is_digit(*s) && exponent_digits <= 2; ++s)
      ++exponent_digits;
    if (exponent_digits == 0 || exponent_digits > 2)
      return nullptr;
  }
  return s;
}

/// A number read by read_common_number: its kind and bits as the document stores them.
struct CommonNumber {
  json_detail::Kind kind = json_detail::Kind::null;
  std::uint64_t bits = 0;
  const char* end = nullptr;  ///< just past its text
};

/// Reads the number at `s` when it is a common one (see the top of this file) and gives
/// exactly what the general path gives for it: an integer as nlohmann reads it (unsigned when
/// not negative, signed when negative) or the correctly rounded double. False to decline:
/// then nothing is said about the text, which may still be a valid number.
inline bool read_common_number(const char* s, const char* end, CommonNumber& out) noexcept {
  using namespace number_scan_detail;
  bool negative = s < end && *s == '-';
  s += negative ? 1 : 0;
  if (s == end)
    return false;
  std::uint64_t mantissa = 0;
  int count = 0;
  if (*s == '0') {
    ++s;  // JSON allows no leading zero: a digit after it is not part of the number
    count = 1;
  } else if (is_digit(*s)) {
    if (end - s >= 2 && !is_digit(s[1])) {
      // One digit before the point (a weight, a kernel size): no run to read.
      mantissa = static_cast<std::uint64_t>(*s - '0');
      count = 1;
      ++s;
    } else {
      s = read_digit_run(s, end, mantissa, count);
    }
  } else {
    return false;
  }
  int fraction_digits = 0;
  bool is_float = false;
  if (s < end && *s == '.') {
    int before = count;
    s = read_digit_run(s + 1, end, mantissa, count);
    fraction_digits = count - before;
    if (fraction_digits == 0)
      return false;
    is_float = true;
  }
  if (count > kMaxDigits)
    return false;
  int exponent = 0;
  if (s < end && (*s == 'e' || *s == 'E')) {
    ++s;
    bool negative_exponent = s < end && *s == '-';
    if (s < end && (*s == '-' || *s == '+'))
      ++s;
    const char* first = s;
    for (; s < end && is_digit(*s) && s - first < 4; ++s)
      exponent = exponent * 10 + (*s - '0');
    if (s == first || (s < end && is_digit(*s)))
      return false;  // no digit (malformed), or a long exponent
    exponent = negative_exponent ? -exponent : exponent;
    is_float = true;
  }
  out.end = s;
  if (!is_float) {
    if (!negative) {
      out.kind = json_detail::Kind::unsigned_integer;
      out.bits = mantissa;
      return true;
    }
    if (mantissa > (std::uint64_t{1} << 63))
      return false;  // below INT64_MIN: nlohmann reads a double
    out.kind = json_detail::Kind::integer;
    out.bits = 0 - mantissa;  // the two's complement of -mantissa (INT64_MIN for 2^63)
    return true;
  }
  std::optional<double> value =
      exact_decimal_double(mantissa, exponent - fraction_digits, negative);
  if (!value)
    return false;
  out.kind = json_detail::Kind::floating;
  out.bits = std::bit_cast<std::uint64_t>(*value);
  return true;
}

/// The value of a short integer number_in_window found at `s`, ending at `end` (at most 15
/// digits after an optional '-'): as read_common_number reads it. The 16 bytes from its first
/// digit must be readable.
[[gnu::always_inline]] inline CommonNumber short_integer_value(const char* s,
                                                               const char* end) noexcept {
  using namespace number_scan_detail;
  bool negative = *s == '-';
  const char* digits = s + (negative ? 1 : 0);
  auto count = static_cast<int>(end - digits);  // 1 to 15; 16 bytes from `digits` are readable
  int high = count < 8 ? count : 8;
  // The digits moved up to the high bytes: the zero bytes below are leading zeros. A borrow
  // of the subtraction starts at a byte past the digits, and is shifted out.
  std::uint64_t value = eight_digits_value((load8(digits) - kZeros) << (8 * (8 - high)));
  if (count > 8) {
    int low = count - 8;
    value = value * kPowersOfTen64[low] +
            eight_digits_value((load8(digits + 8) - kZeros) << (8 * (8 - low)));
  }
  CommonNumber out;
  out.end = end;
  out.kind = negative ? json_detail::Kind::integer : json_detail::Kind::unsigned_integer;
  out.bits = negative ? 0 - value : value;
  return out;
}

}  // namespace shapelint
