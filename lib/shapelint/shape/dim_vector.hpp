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
/// weights, the table's rows), and as std::vector each copy was an allocation and a free.
/// Nearly every tensor Keras builds has rank 4 or less; the four dims share their room with
/// the pointer to a larger rank's, so that a shape takes 48 bytes (a vector's 24 plus a heap
/// block of 48 did before).
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

  static constexpr std::size_t kInline = 4;

  DimVector() noexcept = default;

  explicit DimVector(std::size_t n, Dim value = Dim{}) { assign(n, value); }

  DimVector(std::initializer_list<Dim> dims) { assign(dims.begin(), dims.end()); }

  template <std::forward_iterator It>
  DimVector(It first, It last) {
    assign(first, last);
  }

  DimVector(const std::vector<Dim>& dims) { assign(dims.begin(), dims.end()); }

  DimVector(const DimVector& other) : tag_(other.tag_) { assign(other.begin(), other.end()); }

  DimVector(DimVector&& other) noexcept { take(other); }

  DimVector& operator=(const DimVector& other) {
    if (this != &other) {
      assign(other.begin(), other.end());
      tag_ = other.tag_;
    }
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
    std::fill_n(data(), n, value);
    size_ = static_cast<std::uint32_t>(n);
  }

  template <std::forward_iterator It>
  void assign(It first, It last) {
    auto n = static_cast<std::size_t>(std::distance(first, last));
    size_ = 0;
    reserve(n);
    std::copy(first, last, data());
    size_ = static_cast<std::uint32_t>(n);
  }

  std::size_t size() const noexcept { return size_; }

  bool empty() const noexcept { return size_ == 0; }

  std::size_t capacity() const noexcept { return capacity_; }

  Dim* data() noexcept { return on_heap() ? heap_ : inline_; }

  const Dim* data() const noexcept { return on_heap() ? heap_ : inline_; }

  iterator begin() noexcept { return data(); }

  iterator end() noexcept { return data() + size_; }

  const_iterator begin() const noexcept { return data(); }

  const_iterator end() const noexcept { return data() + size_; }

  const_iterator cbegin() const noexcept { return begin(); }

  const_iterator cend() const noexcept { return end(); }

  reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }

  reverse_iterator rend() noexcept { return reverse_iterator(begin()); }

  const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }

  const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }

  Dim& operator[](std::size_t i) noexcept { return data()[i]; }

  const Dim& operator[](std::size_t i) const noexcept { return data()[i]; }

  Dim& front() noexcept { return data()[0]; }

  const Dim& front() const noexcept { return data()[0]; }

  Dim& back() noexcept { return data()[size_ - 1]; }

  const Dim& back() const noexcept { return data()[size_ - 1]; }

  void reserve(std::size_t n) {
    if (n > capacity_)
      grow_to(n);
  }

  void clear() noexcept { size_ = 0; }

  void resize(std::size_t n, Dim value = Dim{}) {
    reserve(n);
    if (n > size_)
      std::fill(data() + size_, data() + n, value);
    size_ = static_cast<std::uint32_t>(n);
  }

  void push_back(Dim d) {
    if (size_ == capacity_)
      grow_to(std::size_t{capacity_} * 2);
    data()[size_++] = d;
  }

  Dim& emplace_back(Dim d) {
    push_back(d);
    return back();
  }

  void pop_back() noexcept { --size_; }

  iterator insert(const_iterator pos, Dim d) { return insert(pos, std::size_t{1}, d); }

  iterator insert(const_iterator pos, std::size_t n, Dim d) {
    std::size_t at = open_gap(pos, n);
    std::fill_n(data() + at, n, d);
    return data() + at;
  }

  template <std::forward_iterator It>
  iterator insert(const_iterator pos, It first, It last) {
    // The range may be this vector's own: copied out before the gap moves it.
    DimVector copy(first, last);
    std::size_t at = open_gap(pos, copy.size());
    std::copy(copy.begin(), copy.end(), data() + at);
    return data() + at;
  }

  iterator insert(const_iterator pos, std::initializer_list<Dim> dims) {
    return insert(pos, dims.begin(), dims.end());
  }

  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }

  iterator erase(const_iterator first, const_iterator last) {
    Dim* from = data() + (first - data());
    std::copy(last, static_cast<const Dim*>(end()), from);
    size_ -= static_cast<std::uint32_t>(last - first);
    return from;
  }

  /// The dims compared, not the tags.
  friend bool operator==(const DimVector& a, const DimVector& b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

  /// One bit for the owner's use (Shape keeps whether its rank is known in it, so that a
  /// shape is 40 bytes, not 48: a large model holds two in each layer's result). Copies and
  /// moves carry it; nothing else changes it.
  bool tag() const noexcept { return tag_ != 0; }

  void set_tag(bool tag) noexcept { tag_ = tag ? 1 : 0; }

 private:
  bool on_heap() const noexcept { return capacity_ > kInline; }

  /// Out of line: inlined into every shape's destructor, gcc could not tell that the union
  /// holds a pointer whenever this runs (-Wfree-nonheap-object).
  static void free_heap_dims(Dim* dims) noexcept;

  void release() noexcept {
    if (on_heap())
      free_heap_dims(heap_);
    capacity_ = kInline;
    size_ = 0;
  }

  void take(DimVector& other) noexcept {
    if (other.on_heap())
      heap_ = other.heap_;
    else
      std::copy(other.inline_, other.inline_ + other.size_, inline_);
    size_ = other.size_;
    capacity_ = other.capacity_;
    tag_ = other.tag_;
    other.capacity_ = kInline;
    other.size_ = 0;
  }

  void grow_to(std::size_t n) {
    if (n > kMaxCapacity)
      throw std::length_error("DimVector: more dims than it counts");  // as vector's max_size
    n = std::max<std::size_t>(n, kInline * 2);
    auto* bigger = static_cast<Dim*>(::operator new(n * sizeof(Dim)));
    std::copy(data(), data() + size_, bigger);
    if (on_heap())
      free_heap_dims(heap_);
    heap_ = bigger;
    capacity_ = static_cast<std::uint32_t>(n);
  }

  /// Makes room for `n` dims at `pos`; returns the index of the room.
  std::size_t open_gap(const_iterator pos, std::size_t n) {
    auto at = static_cast<std::size_t>(pos - data());
    reserve(size_ + n);
    Dim* d = data();
    std::copy_backward(d + at, d + size_, d + size_ + n);
    size_ += static_cast<std::uint32_t>(n);
    return at;
  }

  union {
    Dim inline_[kInline] = {};  ///< while capacity_ is kInline
    Dim* heap_;                 ///< once it is more
  };

  static constexpr std::size_t kMaxCapacity = (std::size_t{1} << 31) - 1;

  std::uint32_t size_ = 0;
  std::uint32_t capacity_ : 31 = kInline;
  std::uint32_t tag_ : 1 = 0;
};

}  // namespace shapelint
