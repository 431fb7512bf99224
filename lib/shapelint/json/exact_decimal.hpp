#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace shapelint {

/// mantissa * 10^exponent, negated when `negative`, when Clinger's fast path computes it
/// exactly (see below); zero whatever the exponent.
inline std::optional<double> exact_decimal_double(std::uint64_t mantissa,
                                                  std::int64_t exponent,
                                                  bool negative) {
  static constexpr std::array<double, 23> kPowersOfTen = {
      1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  constexpr std::uint64_t kMaxExactInteger = std::uint64_t{1} << 53;
  if (mantissa == 0)
    return negative ? -0.0 : 0.0;
  if (mantissa > kMaxExactInteger || exponent < -22 || exponent > 22)
    return std::nullopt;
  double value = static_cast<double>(mantissa);
  value = exponent < 0 ? value / kPowersOfTen[static_cast<std::size_t>(-exponent)]
                       : value * kPowersOfTen[static_cast<std::size_t>(exponent)];
  return negative ? -value : value;
}

/// The digits of a JSON number, gathered while the parser checks its grammar, so that most
/// numbers need no second pass: an integer of up to 19 significant digits is exact here, and
/// so is a float whose value one IEEE operation computes exactly.
///
/// That is Clinger's fast path: when the significant digits form an integer m <= 2^53 and
/// the decimal exponent e has |e| <= 22, m and 10^|e| are both exact doubles and a single
/// multiplication or division rounds correctly, giving the double std::from_chars gives.
/// Anything else is nothing, and the parser takes the general path. Configs saved with
/// weights inside (a Constant initializer's matrix) hold tens of thousands of numbers such as
/// -2.4922495, which from_chars reads several times slower.
class DecimalDigits {
 public:
  static constexpr int kMaxSignificantDigits = 19;  ///< 10^19 - 1 still fits 64 bits

  /// Reads the digits at `s` (up to the first non-digit or `end`) as integer digits or, with
  /// `fraction`, as digits after the point; returns where they end.
  const char* read(const char* s, const char* end, bool fraction) {
    // Locals, not members, in the loop: a store through `this` could alias the text's chars,
    // which would make the compiler reload and store every member at every digit.
    std::uint64_t mantissa = mantissa_;
    int significant = significant_digits_;
    std::int64_t fraction_digits = fraction_digits_;
    const std::int64_t per_digit = fraction ? 1 : 0;
    for (; s < end && static_cast<unsigned char>(*s - '0') < 10; ++s) {
      auto digit = static_cast<std::uint64_t>(*s - '0');
      if (mantissa == 0 && digit == 0) {
        fraction_digits += per_digit;  // 0.000125: leading zeros are not significant
        continue;
      }
      if (significant > kMaxSignificantDigits || ++significant > kMaxSignificantDigits)
        continue;  // no longer exact (the general path reads the text again); stops counting
      mantissa = mantissa * 10 + digit;
      fraction_digits += per_digit;
    }
    mantissa_ = mantissa;
    significant_digits_ = significant;
    fraction_digits_ = fraction_digits;
    return s;
  }

  /// Adds one digit of the exponent; a long exponent is left to the general path.
  void add_exponent_digit(char c) {
    if (exponent_ < kMaxExponent)
      exponent_ = exponent_ * 10 + (c - '0');
    else
      exponent_too_long_ = true;
  }

  void set_negative_exponent() { negative_exponent_ = true; }

  /// The integer digits read, when there were at most 19 significant ones.
  std::optional<std::uint64_t> exact_integer() const {
    if (significant_digits_ > kMaxSignificantDigits)
      return std::nullopt;
    return mantissa_;
  }

  /// The double the digits stand for, negated when `negative`, when it is computed exactly.
  std::optional<double> exact_double(bool negative) const {
    if (significant_digits_ > kMaxSignificantDigits || exponent_too_long_)
      return std::nullopt;
    std::int64_t exponent = (negative_exponent_ ? -exponent_ : exponent_) - fraction_digits_;
    return exact_decimal_double(mantissa_, exponent, negative);
  }

 private:
  static constexpr int kMaxExponent = 100000;  ///< beyond any double's exponent

  std::uint64_t mantissa_ = 0;
  int significant_digits_ = 0;
  std::int64_t fraction_digits_ = 0;  ///< a 2 GiB text of zeros must not overflow it
  int exponent_ = 0;
  bool negative_exponent_ = false;
  bool exponent_too_long_ = false;
};

}  // namespace shapelint
