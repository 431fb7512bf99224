#pragma once

#include <compare>
#include <cstddef>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "shapelint/memory/inline_bytes.hpp"

namespace shapelint {

/// What every string type here offers, read through the derived type's view(): it reads as
/// a std::string_view, converts to a std::string where one is asked for, compares and
/// concatenates as a string does.
template <class Derived>
class StringLike {
 public:
  operator std::string_view() const noexcept { return self().view(); }  // NOLINT: reads as one

  operator std::string() const { return str(); }  // NOLINT: where a string is asked for

  std::string str() const { return std::string(self().view()); }

  const char* data() const noexcept { return self().view().data(); }

  std::size_t size() const noexcept { return self().view().size(); }

  bool empty() const noexcept { return self().view().empty(); }

  const char* begin() const noexcept { return data(); }

  const char* end() const noexcept { return data() + size(); }

  friend bool operator==(const Derived& a, const Derived& b) noexcept {
    return a.view() == b.view();
  }

  friend bool operator==(const Derived& a, std::string_view b) noexcept { return a.view() == b; }

  friend bool operator==(const Derived& a, const std::string& b) noexcept { return a.view() == b; }

  friend bool operator==(const Derived& a, const char* b) noexcept {
    return a.view() == std::string_view(b);
  }

  friend auto operator<=>(const Derived& a, const Derived& b) noexcept {
    return a.view() <=> b.view();
  }

  friend auto operator<=>(const Derived& a, std::string_view b) noexcept { return a.view() <=> b; }

  friend auto operator<=>(const Derived& a, const std::string& b) noexcept {
    return a.view() <=> std::string_view(b);
  }

  friend std::string operator+(const Derived& a, std::string_view b) {
    return concatenate(a.view(), b);
  }

  friend std::string operator+(std::string_view a, const Derived& b) {
    return concatenate(a, b.view());
  }

  friend std::string operator+(const Derived& a, const char* b) { return concatenate(a.view(), b); }

  friend std::string operator+(const char* a, const Derived& b) { return concatenate(a, b.view()); }

  friend std::string operator+(const Derived& a, const std::string& b) {
    return concatenate(a.view(), b);
  }

  friend std::string operator+(const std::string& a, const Derived& b) {
    return concatenate(a, b.view());
  }

  friend std::ostream& operator<<(std::ostream& out, const Derived& t) { return out << t.view(); }

 private:
  const Derived& self() const noexcept { return static_cast<const Derived&>(*this); }

  static std::string concatenate(std::string_view a, std::string_view b) {
    std::string out;
    out.reserve(a.size() + b.size());
    return out.append(a).append(b);
  }
};

/// A string that either views text which outlives it (borrow: a JSON document's, which the
/// layer graph depends on anyway) or holds its own copy (every other way it is made).
///
/// Why: a large model has 100,000 layers, each with a name and a class. As std::string the
/// two took 64 bytes in every layer, and a block of 32 more for each name of 16 characters
/// or more (`activation_12345`), all of it text the document already holds. Borrowed, they
/// take 32 bytes and no block.
///
/// It reads as a std::string_view (and converts to a std::string where one is asked for).
/// The borrowed text is not NUL-terminated: there is no c_str().
class Text : public StringLike<Text> {
 public:
  Text() noexcept = default;

  /// A copy of `s`, held by the Text.
  Text(std::string_view s) { copy_from(s); }  // NOLINT: reads as the string it holds

  Text(const std::string& s) : Text(std::string_view(s)) {}

  Text(const char* s) : Text(std::string_view(s)) {}

  /// A view of `s`, whose bytes must outlive the Text and every copy made of it.
  static Text borrow(std::string_view s) noexcept {
    Text t;
    t.data_ = s.data();
    t.size_owned_ = s.size() << 1;
    return t;
  }

  Text(const Text& other) {
    if (other.owned())
      copy_from(other.view());
    else
      data_ = other.data_, size_owned_ = other.size_owned_;
  }

  Text(Text&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_owned_(std::exchange(other.size_owned_, 0)) {}

  Text& operator=(const Text& other) {
    if (this != &other)
      *this = Text(other);
    return *this;
  }

  Text& operator=(Text&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_owned_, other.size_owned_);
    return *this;
  }

  Text& operator=(std::string_view s) { return *this = Text(s); }

  Text& operator=(const std::string& s) { return *this = Text(s); }

  Text& operator=(const char* s) { return *this = Text(s); }

  ~Text() {
    if (owned())
      delete[] data_;
  }

  std::string_view view() const noexcept { return {data_, size_owned_ >> 1}; }

  /// Whether the Text views bytes it does not hold (made by borrow, or copied from one).
  bool borrowed() const noexcept { return !owned() && !empty(); }

 private:
  bool owned() const noexcept { return (size_owned_ & 1) != 0; }

  void copy_from(std::string_view s) {
    if (s.empty())
      return;
    char* bytes = new char[s.size()];
    std::memcpy(bytes, s.data(), s.size());
    data_ = bytes;
    size_owned_ = (s.size() << 1) | 1;
  }

  const char* data_ = nullptr;
  std::size_t size_owned_ = 0;  ///< the size, shifted left by one; the low bit: owned
};

/// A string held in the object itself up to 31 bytes (InlineBytes), on the heap beyond: for
/// a value made once per layer that must outlive the document (a report row's name and
/// class). A std::string is as large but keeps only 15 bytes in itself, and a tf.keras name
/// such as `activation_12345` or `block_13_expand_relu` is 16 to 30 (a block of 32 bytes
/// each, 100,000 of them in a large model).
class InlineText : public StringLike<InlineText> {
 public:
  InlineText() noexcept = default;

  InlineText(std::string_view s) : bytes_(s) {}  // NOLINT: reads as the string it holds

  InlineText(const std::string& s) : bytes_(std::string_view(s)) {}

  InlineText(const char* s) : bytes_(std::string_view(s)) {}

  InlineText& operator=(std::string_view s) { return *this = InlineText(s); }

  InlineText& operator=(const std::string& s) { return *this = InlineText(s); }

  InlineText& operator=(const char* s) { return *this = InlineText(s); }

  std::string_view view() const noexcept { return bytes_.view(); }

 private:
  InlineBytes bytes_;
};

}  // namespace shapelint

template <typename T>
struct fmt::formatter<T, char, std::enable_if_t<std::is_base_of_v<shapelint::StringLike<T>, T>>>
    : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const T& t, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(t.view(), ctx);
  }
};

template <>
struct std::hash<shapelint::Text> {
  std::size_t operator()(const shapelint::Text& t) const noexcept {
    return std::hash<std::string_view>()(t.view());
  }
};

template <>
struct std::hash<shapelint::InlineText> {
  std::size_t operator()(const shapelint::InlineText& t) const noexcept {
    return std::hash<std::string_view>()(t.view());
  }
};
