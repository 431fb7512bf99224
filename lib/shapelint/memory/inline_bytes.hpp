#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

namespace shapelint {

/// A byte string kept in the object itself up to kInline (31) bytes and on the heap beyond:
/// 32 bytes, as a std::string, which keeps only 15 in its own. For a value every report row
/// has (NameList, its producers' names): a tf.keras name such as `activation_12345` or
/// `block_13_expand_relu` is 16 to 30 bytes, an allocation of 32 bytes each as a string,
/// none here.
///
/// The last byte says where the bytes are: their count when inline (0 to 31), kOnHeap when
/// the first bytes hold a pointer to them and their count.
class InlineBytes {
 public:
  static constexpr std::size_t kInline = 31;

  InlineBytes() noexcept = default;

  explicit InlineBytes(std::string_view bytes) : InlineBytes(of_size(bytes.size())) {
    if (!bytes.empty())
      std::memcpy(data(), bytes.data(), bytes.size());
  }

  /// `size` bytes, left for the caller to write through data().
  static InlineBytes of_size(std::size_t size) {
    InlineBytes out;
    if (size <= kInline) {
      out.storage_[kTag] = static_cast<char>(size);
    } else {
      out.set_heap(Heap{new char[size], size});
    }
    return out;
  }

  InlineBytes(const InlineBytes& other) : InlineBytes(other.view()) {}

  InlineBytes(InlineBytes&& other) noexcept {
    std::memcpy(storage_, other.storage_, sizeof storage_);
    other.storage_[kTag] = 0;  // the heap bytes, if any, are ours now
  }

  InlineBytes& operator=(const InlineBytes& other) {
    if (this != &other)
      *this = InlineBytes(other);
    return *this;
  }

  InlineBytes& operator=(InlineBytes&& other) noexcept {
    if (this != &other) {
      release();
      std::memcpy(storage_, other.storage_, sizeof storage_);
      other.storage_[kTag] = 0;
    }
    return *this;
  }

  ~InlineBytes() { release(); }

  bool on_heap() const noexcept { return static_cast<unsigned char>(storage_[kTag]) == kOnHeap; }

  std::size_t size() const noexcept {
    return on_heap() ? heap().size : static_cast<unsigned char>(storage_[kTag]);
  }

  bool empty() const noexcept { return size() == 0; }

  const char* data() const noexcept { return on_heap() ? heap().data : storage_; }

  char* data() noexcept { return on_heap() ? heap().data : storage_; }

  std::string_view view() const noexcept { return {data(), size()}; }

  friend bool operator==(const InlineBytes& a, const InlineBytes& b) noexcept {
    return a.view() == b.view();
  }

 private:
  static constexpr std::size_t kTag = kInline;
  static constexpr unsigned char kOnHeap = 0xFF;

  struct Heap {
    char* data;
    std::size_t size;
  };

  // Copied in and out (no aliasing of the storage as a Heap object).
  Heap heap() const noexcept {
    Heap h;
    std::memcpy(&h, storage_, sizeof h);
    return h;
  }

  void set_heap(Heap h) noexcept {
    std::memcpy(storage_, &h, sizeof h);
    storage_[kTag] = static_cast<char>(kOnHeap);
  }

  void release() noexcept {
    if (on_heap())
      delete[] heap().data;
    storage_[kTag] = 0;
  }

  alignas(8) char storage_[kInline + 1] = {};  // inline and empty
};

static_assert(sizeof(InlineBytes) == 32);

}  // namespace shapelint
