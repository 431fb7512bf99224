#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace shapelint {

/// One axis of a tensor shape: a known size, or unknown (Keras `None`).
/// Arithmetic with an unknown operand yields unknown; arithmetic that would overflow
/// int64 also yields unknown and marks the result `overflowed()`, so hostile inputs
/// never reach undefined behaviour and a rule can say why a size became unknown.
class Dim {
 public:
  constexpr Dim() noexcept = default;  // unknown

  static constexpr Dim unknown() noexcept { return Dim{}; }

  /// The two int64 values that mark unknown and overflowed dims read as an overflow.
  static constexpr Dim of(std::int64_t size) noexcept {
    return size <= kOverflowValue ? overflow() : Dim{size};
  }

  static constexpr Dim overflow() noexcept { return Dim{kOverflowValue}; }

  constexpr bool is_known() const noexcept { return value_ > kOverflowValue; }

  constexpr bool overflowed() const noexcept { return value_ == kOverflowValue; }

  /// Precondition: is_known().
  constexpr std::int64_t value() const noexcept { return value_; }

  constexpr std::int64_t value_or(std::int64_t fallback) const noexcept {
    return is_known() ? value_ : fallback;
  }

  /// True only when both sides are known and differ: the one case a rule may report.
  constexpr bool conflicts_with(Dim other) const noexcept {
    return is_known() && other.is_known() && value_ != other.value_;
  }

  /// Known and equal to `size`.
  constexpr bool equals(std::int64_t size) const noexcept { return is_known() && value_ == size; }

  friend constexpr bool operator==(Dim a, Dim b) noexcept {
    return a.is_known() == b.is_known() && (!a.is_known() || a.value_ == b.value_);
  }

  friend constexpr Dim operator+(Dim a, Dim b) noexcept {
    if (!a.is_known() || !b.is_known())
      return propagate_unknown(a, b);
    std::int64_t r = 0;
    if (__builtin_add_overflow(a.value_, b.value_, &r))
      return overflow();
    return of(r);
  }

  friend constexpr Dim operator-(Dim a, Dim b) noexcept {
    if (!a.is_known() || !b.is_known())
      return propagate_unknown(a, b);
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a.value_, b.value_, &r))
      return overflow();
    return of(r);
  }

  friend constexpr Dim operator*(Dim a, Dim b) noexcept {
    if (!a.is_known() || !b.is_known())
      return propagate_unknown(a, b);
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a.value_, b.value_, &r))
      return overflow();
    return of(r);
  }

  friend constexpr Dim operator+(Dim a, std::int64_t b) noexcept { return a + of(b); }

  friend constexpr Dim operator-(Dim a, std::int64_t b) noexcept { return a - of(b); }

  friend constexpr Dim operator*(Dim a, std::int64_t b) noexcept { return a * of(b); }

 private:
  // One int64 (shapes are many): the two lowest values mark unknown and overflowed.
  static constexpr std::int64_t kUnknownValue = INT64_MIN;
  static constexpr std::int64_t kOverflowValue = INT64_MIN + 1;

  constexpr explicit Dim(std::int64_t v) noexcept : value_(v) {}

  static constexpr Dim propagate_unknown(Dim a, Dim b) noexcept {
    return (a.overflowed() || b.overflowed()) ? overflow() : unknown();
  }

  std::int64_t value_ = kUnknownValue;
};

static_assert(sizeof(Dim) == 8);

/// Python floor division (Keras computes sizes with `//`); divisor must be positive.
constexpr Dim floor_div(Dim a, std::int64_t divisor) noexcept {
  if (!a.is_known() || divisor <= 0)
    return a.overflowed() ? Dim::overflow() : Dim::unknown();
  std::int64_t q = a.value() / divisor;
  if ((a.value() % divisor != 0) && (a.value() < 0))
    --q;
  return Dim::of(q);
}

/// Ceiling division for positive divisors, as Python's `-(-a // b)`.
constexpr Dim ceil_div(Dim a, std::int64_t divisor) noexcept {
  if (!a.is_known() || divisor <= 0)
    return a.overflowed() ? Dim::overflow() : Dim::unknown();
  std::int64_t q = a.value() / divisor;
  if ((a.value() % divisor != 0) && (a.value() > 0))
    ++q;
  return Dim::of(q);
}

/// Division truncating toward zero, as TensorFlow's C++ shape functions do.
constexpr Dim trunc_div(Dim a, std::int64_t divisor) noexcept {
  if (!a.is_known() || divisor <= 0)
    return a.overflowed() ? Dim::overflow() : Dim::unknown();
  return Dim::of(a.value() / divisor);
}

/// "None" or the number: Keras's spelling, so reports read like model.summary().
std::string to_string(Dim d);

}  // namespace shapelint
