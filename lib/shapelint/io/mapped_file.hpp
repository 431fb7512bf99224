#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shapelint::io {

/// A regular file's bytes mapped read-only into memory. The pages come straight from the
/// page cache: reading a large model's text into a fresh buffer instead costs a page fault
/// for every 4 KiB of the buffer (on the virtual machines CI runs on, about a microsecond
/// each) and a copy, which for a 400 KiB config was a twentieth of the whole lint.
///
/// The mapping is of the file as it is when mapped: a file truncated by another process
/// while it is linted would fault on reading its lost tail. That needs someone changing the
/// checkout under the linter; a file's content cannot cause it.
class MappedFile {
 public:
  /// Maps `path` when it is a regular file of `min_bytes` to `max_bytes` bytes; nothing
  /// otherwise (a small file is read faster than it is mapped, a larger one is refused by
  /// the caller's limit, a pipe or device cannot be mapped).
  static std::optional<MappedFile> open(const std::string& path,
                                        std::uint64_t min_bytes,
                                        std::uint64_t max_bytes);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view text() const noexcept { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile(void* data, std::size_t size) noexcept : data_(data), size_(size) {}

  void* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace shapelint::io
