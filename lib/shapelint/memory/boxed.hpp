#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace shapelint {

/// An optional value kept out of line: a pointer's size where std::optional<T> would take
/// T's whole size. For a member that most objects leave empty and that a large model has
/// once per layer (an InputLayer's declared shape in every Layer, the cost figures in every
/// LayerResult): 100,000 layers' absent values then take 0.8 MB instead of several.
///
/// Reads like std::optional (bool test, *, ->, value_or), and is set from a T, a
/// std::optional<T> or std::nullopt. Copies copy the value.
template <class T>
class Boxed {
 public:
  Boxed() = default;

  Boxed(std::nullopt_t) noexcept {}

  Boxed(T value) : value_(std::make_unique<T>(std::move(value))) {}

  Boxed(std::optional<T> value) {
    if (value)
      value_ = std::make_unique<T>(std::move(*value));
  }

  Boxed(const Boxed& other) : value_(other ? std::make_unique<T>(*other) : nullptr) {}

  Boxed(Boxed&&) noexcept = default;

  Boxed& operator=(const Boxed& other) {
    if (this != &other)
      value_ = other ? std::make_unique<T>(*other) : nullptr;
    return *this;
  }

  Boxed& operator=(Boxed&&) noexcept = default;

  Boxed& operator=(std::nullopt_t) noexcept {
    value_.reset();
    return *this;
  }

  template <class... Args>
  T& emplace(Args&&... args) {
    value_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *value_;
  }

  void reset() noexcept { value_.reset(); }

  bool has_value() const noexcept { return value_ != nullptr; }

  explicit operator bool() const noexcept { return has_value(); }

  T& operator*() noexcept { return *value_; }

  const T& operator*() const noexcept { return *value_; }

  T* operator->() noexcept { return value_.get(); }

  const T* operator->() const noexcept { return value_.get(); }

  /// The value, or `fallback` when there is none.
  T value_or(T fallback) const { return value_ ? *value_ : std::move(fallback); }

  /// A pointer to the value, or null: for reading it where an absent one is passed on.
  const T* get() const noexcept { return value_.get(); }

 private:
  std::unique_ptr<T> value_;
};

}  // namespace shapelint
