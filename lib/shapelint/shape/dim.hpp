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

  static constexpr Dim of(std::int64_t size) noexcept { return Dim{size, false}; }

  static constexpr Dim overflow() noexcept { return Dim{kUnknownValue, true}; }

  constexpr bool is_known() const noexcept { return known_; }

  constexpr bool overflowed() const noexcept { return overflowed_; }

  /// Precondition: is_known().
  constexpr std::int64_t value() const noexcept { return value_; }

  constexpr std::int64_t value_or(std::int64_t fallback) const noexcept {
    return known_ ? value_ : fallback;
  }

  /// True only when both sides are known and differ: the one case a rule may report.
  constexpr bool conflicts_with(Dim other) const noexcept {
    return known_ && other.known_ && value_ != other.value_;
  }

  /// Known and equal to `size`.
  constexpr bool equals(std::int64_t size) const noexcept { return known_ && value_ == size; }

  friend constexpr bool operator==(Dim a, Dim b) noexcept {
    return a.known_ == b.known_ && (!a.known_ || a.value_ == b.value_);
  }

  friend constexpr Dim operator+(Dim a, Dim b) noexcept {
    if (!a.known_ || !b.known_)
      return propagate_unknown(a, b);
    std::int64_t r = 0;
    if (__builtin_add_overflow(a.value_, b.value_, &r))
      return overflow();
    return of(r);
  }

  friend constexpr Dim operator-(Dim a, Dim b) noexcept {
    if (!a.known_ || !b.known_)
      return propagate_unknown(a, b);
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a.value_, b.value_, &r))
      return overflow();
    return of(r);
  }

  friend constexpr Dim operator*(Dim a, Dim b) noexcept {
    if (!a.known_ || !b.known_)
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
  static constexpr std::int64_t kUnknownValue = -1;

  constexpr Dim(std::int64_t v, bool overflowed) noexcept
      : value_(v), known_(!overflowed), overflowed_(overflowed) {}

  static constexpr Dim propagate_unknown(Dim a, Dim b) noexcept {
    return (a.overflowed_ || b.overflowed_) ? overflow() : unknown();
  }

  std::int64_t value_ = kUnknownValue;
  bool known_ = false;
  bool overflowed_ = false;
};

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
