#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace shapelint::memory {

namespace small_vector_detail {

/// Out of line: inlined into every destructor, gcc could not tell that the union holds a
/// pointer whenever this runs (-Wfree-nonheap-object).
[[gnu::noinline]] inline void free_elements(void* elements) noexcept {
  ::operator delete(elements);
}

}  // namespace small_vector_detail

/// A vector that holds its first N elements in itself, and moves them all to the heap only
/// when it outgrows that.
///
/// Why: most layers of a model are called once, on one tensor, and give one. A std::vector
/// of one element takes a block besides its own 24 bytes: a 100,000-layer model held five
/// such blocks per layer (the call, its input, the call's result, its two shapes; 270 bytes
/// in all). Here the element lives in the vector.
///
/// What differs from std::vector: moving a vector whose elements are held inline moves the
/// elements themselves, so pointers to them do not survive the move (they do survive
/// push_back within the capacity, as with std::vector). Its size is at most 2^32 - 1.
template <typename T, std::size_t N>
class SmallVector {
  static_assert(N >= 1, "a SmallVector holds at least one element in itself");
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "growth moves the elements and cannot undo a move that throws");

 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using const_reference = const T&;
  using pointer = T*;
  using const_pointer = const T*;
  using iterator = T*;
  using const_iterator = const T*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  SmallVector() noexcept {}

  explicit SmallVector(size_type n) { resize(n); }

  SmallVector(size_type n, const T& value) { assign(n, value); }

  SmallVector(std::initializer_list<T> values) { assign(values.begin(), values.end()); }

  template <std::input_iterator It>
  SmallVector(It first, It last) {
    assign(first, last);
  }

  SmallVector(const SmallVector& other) { assign(other.begin(), other.end()); }

  SmallVector(SmallVector&& other) noexcept { take(other); }

  SmallVector& operator=(const SmallVector& other) {
    if (this != &other)
      assign(other.begin(), other.end());
    return *this;
  }

  SmallVector& operator=(SmallVector&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }

  SmallVector& operator=(std::initializer_list<T> values) {
    assign(values.begin(), values.end());
    return *this;
  }

  ~SmallVector() { release(); }

  void assign(size_type n, const T& value) {
    T copy(value);  // `value` may be one of the elements cleared here
    clear();
    reserve(n);
    std::uninitialized_fill_n(data(), n, copy);
    size_ = static_cast<std::uint32_t>(n);
  }

  /// The range must not be this vector's own.
  template <std::input_iterator It>
  void assign(It first, It last) {
    clear();
    if constexpr (std::forward_iterator<It>) {
      auto n = static_cast<size_type>(std::distance(first, last));
      reserve(n);
      std::uninitialized_copy(first, last, data());
      size_ = static_cast<std::uint32_t>(n);
    } else {
      for (; first != last; ++first)
        emplace_back(*first);
    }
  }

  size_type size() const noexcept { return size_; }

  bool empty() const noexcept { return size_ == 0; }

  size_type capacity() const noexcept { return capacity_; }

  T* data() noexcept { return on_heap() ? heap_ : inline_elements(); }

  const T* data() const noexcept {
    return on_heap() ? heap_ : const_cast<SmallVector*>(this)->inline_elements();
  }

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

  T& operator[](size_type i) noexcept { return data()[i]; }

  const T& operator[](size_type i) const noexcept { return data()[i]; }

  T& at(size_type i) {
    if (i >= size_)
      throw std::out_of_range("SmallVector::at");
    return data()[i];
  }

  const T& at(size_type i) const {
    if (i >= size_)
      throw std::out_of_range("SmallVector::at");
    return data()[i];
  }

  T& front() noexcept { return data()[0]; }

  const T& front() const noexcept { return data()[0]; }

  T& back() noexcept { return data()[size_ - 1]; }

  const T& back() const noexcept { return data()[size_ - 1]; }

  void reserve(size_type n) {
    if (n > capacity_)
      move_to(allocate(n), n);
  }

  void clear() noexcept {
    std::destroy_n(data(), size_);
    size_ = 0;
  }

  void resize(size_type n) {
    if (n <= size_)
      return shrink(n);
    reserve(n);
    std::uninitialized_value_construct_n(data() + size_, n - size_);
    size_ = static_cast<std::uint32_t>(n);
  }

  void resize(size_type n, const T& value) {
    if (n <= size_)
      return shrink(n);
    T copy(value);
    reserve(n);
    std::uninitialized_fill_n(data() + size_, n - size_, copy);
    size_ = static_cast<std::uint32_t>(n);
  }

  void push_back(const T& value) { emplace_back(value); }

  void push_back(T&& value) { emplace_back(std::move(value)); }

  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (size_ < capacity_) {
      T* made = ::new (static_cast<void*>(data() + size_)) T(std::forward<Args>(args)...);
      ++size_;
      return *made;
    }
    // The new element first: the arguments may refer to elements about to move.
    size_type grown = grown_capacity(size_type{size_} + 1);
    T* elements = allocate(grown);
    T* made = nullptr;
    try {
      made = ::new (static_cast<void*>(elements + size_)) T(std::forward<Args>(args)...);
    } catch (...) {
      small_vector_detail::free_elements(elements);  // the vector is left as it was
      throw;
    }
    move_to(elements, grown);
    ++size_;
    return *made;
  }

  void pop_back() noexcept {
    std::destroy_at(data() + size_ - 1);
    --size_;
  }

  iterator insert(const_iterator pos, const T& value) { return emplace(pos, value); }

  iterator insert(const_iterator pos, T&& value) { return emplace(pos, std::move(value)); }

  template <typename... Args>
  iterator emplace(const_iterator pos, Args&&... args) {
    auto at = pos - begin();
    emplace_back(std::forward<Args>(args)...);
    std::rotate(begin() + at, end() - 1, end());
    return begin() + at;
  }

  /// The range must not be this vector's own.
  template <std::input_iterator It>
  iterator insert(const_iterator pos, It first, It last) {
    auto at = pos - begin();
    auto old_size = static_cast<difference_type>(size_);
    for (; first != last; ++first)
      emplace_back(*first);
    std::rotate(begin() + at, begin() + old_size, end());
    return begin() + at;
  }

  iterator insert(const_iterator pos, std::initializer_list<T> values) {
    return insert(pos, values.begin(), values.end());
  }

  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }

  iterator erase(const_iterator first, const_iterator last) {
    T* from = begin() + (first - begin());
    T* tail = begin() + (last - begin());
    if (from != tail) {
      T* new_end = std::move(tail, end(), from);
      shrink(static_cast<size_type>(new_end - begin()));
    }
    return from;
  }

  friend bool operator==(const SmallVector& a, const SmallVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  bool on_heap() const noexcept { return capacity_ > N; }

  T* inline_elements() noexcept { return std::launder(reinterpret_cast<T*>(inline_)); }

  /// Doubling, as std::vector grows.
  size_type grown_capacity(size_type needed) const noexcept {
    return std::max(needed, std::min<size_type>(size_type{capacity_} * 2, UINT32_MAX));
  }

  static T* allocate(size_type n) {
    if (n > UINT32_MAX)
      throw std::length_error("SmallVector: more elements than it counts");
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }

  /// Moves the elements to `elements` (room for `capacity`), which the vector then owns.
  void move_to(T* elements, size_type capacity) noexcept {
    T* old = data();
    std::uninitialized_move_n(old, size_, elements);
    std::destroy_n(old, size_);
    if (on_heap())
      small_vector_detail::free_elements(heap_);
    heap_ = elements;
    capacity_ = static_cast<std::uint32_t>(capacity);
  }

  void shrink(size_type n) noexcept {
    std::destroy(data() + n, data() + size_);
    size_ = static_cast<std::uint32_t>(n);
  }

  void release() noexcept {
    clear();
    if (on_heap())
      small_vector_detail::free_elements(heap_);
    capacity_ = N;
  }

  void take(SmallVector& other) noexcept {
    if (other.on_heap()) {
      heap_ = other.heap_;
      capacity_ = other.capacity_;
      other.capacity_ = N;
    } else {
      std::uninitialized_move_n(other.inline_elements(), other.size_, inline_elements());
      std::destroy_n(other.inline_elements(), other.size_);
    }
    size_ = other.size_;
    other.size_ = 0;
  }

  union {
    alignas(T) unsigned char inline_[N * sizeof(T)];  ///< while capacity_ is N
    T* heap_ = nullptr;  ///< once it is more (set here only so that gcc sees it set)
  };

  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = N;
};

}  // namespace shapelint::memory
