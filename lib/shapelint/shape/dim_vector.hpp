#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <new>
#include <stdexcept>
#include <vector>

#include "shapelint/shape/dim.hpp"

namespace shapelint {

/// The dims of a shape: a vector that holds up to kInline dims in itself and only larger
/// ranks on the heap. Shapes are copied at every layer (its inputs, its outputs, its
/// weights, the table's rows), and as std::vector each copy was an allocation and a free:
/// a fifth of a lint's instructions. Nearly every tensor Keras builds has rank 5 or less.
///
/// The subset of std::vector's interface the rules use, with the same meaning; iterators are
/// pointers, invalidated as std::vector's are.
class DimVector {
 public:
  using value_type = Dim;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = Dim&;
  using const_reference = const Dim&;
  using pointer = Dim*;
  using const_pointer = const Dim*;
  using iterator = Dim*;
  using const_iterator = const Dim*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  static constexpr std::size_t kInline = 5;

  DimVector() noexcept = default;

  explicit DimVector(std::size_t n, Dim value = Dim{}) { assign(n, value); }

  DimVector(std::initializer_list<Dim> dims) { assign(dims.begin(), dims.end()); }

  template <std::forward_iterator It>
  DimVector(It first, It last) {
    assign(first, last);
  }

  DimVector(const std::vector<Dim>& dims) { assign(dims.begin(), dims.end()); }

  DimVector(const DimVector& other) { assign(other.begin(), other.end()); }

  DimVector(DimVector&& other) noexcept { take(other); }

  DimVector& operator=(const DimVector& other) {
    if (this != &other)
      assign(other.begin(), other.end());
    return *this;
  }

  DimVector& operator=(DimVector&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }

  DimVector& operator=(std::initializer_list<Dim> dims) {
    assign(dims.begin(), dims.end());
    return *this;
  }

  ~DimVector() { release(); }

  void assign(std::size_t n, Dim value) {
    size_ = 0;
    reserve(n);
    std::fill_n(data_, n, value);
    size_ = static_cast<std::uint32_t>(n);
  }

  template <std::forward_iterator It>
  void assign(It first, It last) {
    auto n = static_cast<std::size_t>(std::distance(first, last));
    size_ = 0;
    reserve(n);
    std::copy(first, last, data_);
    size_ = static_cast<std::uint32_t>(n);
  }

  std::size_t size() const noexcept { return size_; }

  bool empty() const noexcept { return size_ == 0; }

  std::size_t capacity() const noexcept { return capacity_; }

  Dim* data() noexcept { return data_; }

  const Dim* data() const noexcept { return data_; }

  iterator begin() noexcept { return data_; }

  iterator end() noexcept { return data_ + size_; }

  const_iterator begin() const noexcept { return data_; }

  const_iterator end() const noexcept { return data_ + size_; }

  const_iterator cbegin() const noexcept { return begin(); }

  const_iterator cend() const noexcept { return end(); }

  reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }

  reverse_iterator rend() noexcept { return reverse_iterator(begin()); }

  const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }

  const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }

  Dim& operator[](std::size_t i) noexcept { return data_[i]; }

  const Dim& operator[](std::size_t i) const noexcept { return data_[i]; }

  Dim& front() noexcept { return data_[0]; }

  const Dim& front() const noexcept { return data_[0]; }

  Dim& back() noexcept { return data_[size_ - 1]; }

  const Dim& back() const noexcept { return data_[size_ - 1]; }

  void reserve(std::size_t n) {
    if (n > capacity_)
      grow_to(n);
  }

  void clear() noexcept { size_ = 0; }

  void resize(std::size_t n, Dim value = Dim{}) {
    reserve(n);
    if (n > size_)
      std::fill(data_ + size_, data_ + n, value);
    size_ = static_cast<std::uint32_t>(n);
  }

  void push_back(Dim d) {
    if (size_ == capacity_)
      grow_to(std::size_t{capacity_} * 2);
    data_[size_++] = d;
  }

  Dim& emplace_back(Dim d) {
    push_back(d);
    return back();
  }

  void pop_back() noexcept { --size_; }

  iterator insert(const_iterator pos, Dim d) { return insert(pos, std::size_t{1}, d); }

  iterator insert(const_iterator pos, std::size_t n, Dim d) {
    std::size_t at = open_gap(pos, n);
    std::fill_n(data_ + at, n, d);
    return data_ + at;
  }

  template <std::forward_iterator It>
  iterator insert(const_iterator pos, It first, It last) {
    // The range may be this vector's own: copied out before the gap moves it.
    DimVector copy(first, last);
    std::size_t at = open_gap(pos, copy.size());
    std::copy(copy.begin(), copy.end(), data_ + at);
    return data_ + at;
  }

  iterator insert(const_iterator pos, std::initializer_list<Dim> dims) {
    return insert(pos, dims.begin(), dims.end());
  }

  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }

  iterator erase(const_iterator first, const_iterator last) {
    Dim* from = data_ + (first - data_);
    std::copy(last, static_cast<const Dim*>(end()), from);
    size_ -= static_cast<std::uint32_t>(last - first);
    return from;
  }

  friend bool operator==(const DimVector& a, const DimVector& b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  bool on_heap() const noexcept { return data_ != inline_; }

  void release() noexcept {
    if (on_heap())
      ::operator delete(data_);
    data_ = inline_;
    capacity_ = kInline;
    size_ = 0;
  }

  void take(DimVector& other) noexcept {
    if (other.on_heap()) {
      data_ = other.data_;
      capacity_ = other.capacity_;
    } else {
      std::copy(other.inline_, other.inline_ + other.size_, inline_);
    }
    size_ = other.size_;
    other.data_ = other.inline_;
    other.capacity_ = kInline;
    other.size_ = 0;
  }

  void grow_to(std::size_t n) {
    if (n > UINT32_MAX)
      throw std::length_error("DimVector: more dims than it counts");  // as vector's max_size
    n = std::max<std::size_t>(n, kInline * 2);
    auto* bigger = static_cast<Dim*>(::operator new(n * sizeof(Dim)));
    std::copy(data_, data_ + size_, bigger);
    if (on_heap())
      ::operator delete(data_);
    data_ = bigger;
    capacity_ = static_cast<std::uint32_t>(n);
  }

  /// Makes room for `n` dims at `pos`; returns the index of the room.
  std::size_t open_gap(const_iterator pos, std::size_t n) {
    auto at = static_cast<std::size_t>(pos - data_);
    reserve(size_ + n);
    std::copy_backward(data_ + at, data_ + size_, data_ + size_ + n);
    size_ += static_cast<std::uint32_t>(n);
    return at;
  }

  Dim* data_ = inline_;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = kInline;
  Dim inline_[kInline];
};

}  // namespace shapelint
