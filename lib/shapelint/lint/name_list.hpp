#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/memory/inline_bytes.hpp"

namespace shapelint {

/// A list of names in one string, each after its length (LEB128, one byte below 128): the
/// producers a report row lists. Every row of a model has one, mostly of one name of up to
/// 30 bytes, which then fits in the list's own 32 (InlineBytes), where a vector of strings
/// takes one or two allocations. A length, not a separator, ends each name: a name from a hostile
/// file may hold any byte.
class NameList {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = std::string_view;

    iterator() = default;

    std::string_view operator*() const { return {at_ + length_bytes_, length_}; }

    iterator& operator++() {
      at_ += length_bytes_ + length_;
      decode();
      return *this;
    }

    iterator operator++(int) {
      iterator before = *this;
      ++*this;
      return before;
    }

    friend bool operator==(const iterator& a, const iterator& b) { return a.at_ == b.at_; }

   private:
    friend class NameList;

    iterator(const char* at, const char* end) : at_(at), end_(end) { decode(); }

    void decode() {
      length_ = 0;
      length_bytes_ = 0;
      for (int shift = 0; at_ + length_bytes_ < end_; shift += 7) {
        auto byte = static_cast<unsigned char>(at_[length_bytes_++]);
        length_ |= static_cast<std::size_t>(byte & 0x7f) << shift;
        if (byte < 0x80)
          break;
      }
    }

    const char* at_ = nullptr;
    const char* end_ = nullptr;
    std::size_t length_ = 0;
    std::size_t length_bytes_ = 0;
  };

  NameList() = default;

  NameList(std::initializer_list<std::string_view> names) {
    for (std::string_view name : names)
      push_back(name);
  }

  explicit NameList(const std::vector<std::string>& names) {
    for (const auto& name : names)
      push_back(name);
  }

  void push_back(std::string_view name) {
    char length[10];
    std::size_t length_bytes = 0;
    for (std::size_t n = name.size();; n >>= 7) {
      bool last = n < 0x80;
      length[length_bytes++] = static_cast<char>((n & 0x7f) | (last ? 0 : 0x80));
      if (last)
        break;
    }
    // Made anew at its size: most lists never grow again, and one of a name of up to 30
    // bytes stays inline.
    InlineBytes grown = InlineBytes::of_size(encoded_.size() + length_bytes + name.size());
    char* out = grown.data();
    out = std::copy_n(encoded_.data(), encoded_.size(), out);
    out = std::copy(length, length + length_bytes, out);
    std::copy(name.begin(), name.end(), out);
    encoded_ = std::move(grown);
  }

  bool empty() const noexcept { return encoded_.empty(); }

  std::size_t size() const { return static_cast<std::size_t>(std::distance(begin(), end())); }

  iterator begin() const { return {encoded_.data(), encoded_.data() + encoded_.size()}; }

  iterator end() const {
    return {encoded_.data() + encoded_.size(), encoded_.data() + encoded_.size()};
  }

  /// The names as strings (tests, and code that edits them).
  std::vector<std::string> to_vector() const { return {begin(), end()}; }

  friend bool operator==(const NameList&, const NameList&) = default;

 private:
  InlineBytes encoded_;
};

}  // namespace shapelint
