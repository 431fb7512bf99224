#pragma once

#include <cstdint>
#include <limits>
#include <optional>

namespace shapelint {

/// A count that may be unknown (parameters, multiply-accumulates, bytes), in 8 bytes where
/// std::optional<std::int64_t> takes 16: every layer of a large model has a few, in its
/// result and in its report row.
///
/// Reads and is set like std::optional<std::int64_t> (bool test, *, value_or, has_value,
/// std::nullopt), converts to and from it, and compares with it, with a number and with
/// std::nullopt. The one value it cannot hold is the smallest int64, which it reads as
/// unknown: no count comes near it (the engine's arithmetic is checked, and an overflow is
/// unknown already).
class OptionalCount {
 public:
  constexpr OptionalCount() noexcept = default;

  constexpr OptionalCount(std::nullopt_t) noexcept {}

  constexpr OptionalCount(std::int64_t value) noexcept : value_(value) {}

  constexpr OptionalCount(const std::optional<std::int64_t>& value) noexcept
      : value_(value ? *value : kUnknown) {}

  constexpr operator std::optional<std::int64_t>() const noexcept {
    return has_value() ? std::optional<std::int64_t>(value_) : std::nullopt;
  }

  constexpr bool has_value() const noexcept { return value_ != kUnknown; }

  constexpr explicit operator bool() const noexcept { return has_value(); }

  /// The count; like std::optional, only to be read when it is known.
  constexpr std::int64_t operator*() const noexcept { return value_; }

  std::int64_t value() const {
    if (!has_value())
      throw std::bad_optional_access();
    return value_;
  }

  constexpr std::int64_t value_or(std::int64_t fallback) const noexcept {
    return has_value() ? value_ : fallback;
  }

  constexpr void reset() noexcept { value_ = kUnknown; }

  friend constexpr bool operator==(OptionalCount a, OptionalCount b) noexcept {
    return a.value_ == b.value_;
  }

  friend constexpr bool operator==(OptionalCount a, std::int64_t b) noexcept {
    return a.has_value() && a.value_ == b;
  }

  friend constexpr bool operator==(OptionalCount a, std::nullopt_t) noexcept {
    return !a.has_value();
  }

  friend constexpr bool operator==(OptionalCount a, const std::optional<std::int64_t>& b) noexcept {
    return a == OptionalCount(b);
  }

 private:
  static constexpr std::int64_t kUnknown = std::numeric_limits<std::int64_t>::min();
  std::int64_t value_ = kUnknown;
};

}  // namespace shapelint
