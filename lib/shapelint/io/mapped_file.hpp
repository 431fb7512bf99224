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
/// A file cut short by another process while it is mapped (an editor saving in place) does
/// not crash the reader: its lost tail reads as NUL bytes, and cut_short() says so, for the
/// caller to report the file as changed while it was read.
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

  /// Whether the file was found cut short while its text was read (its tail read as zeros).
  bool cut_short() const noexcept;

 private:
  MappedFile(void* data, std::size_t size, std::size_t slot) noexcept
      : data_(data), size_(size), slot_(slot) {}

  void unmap() noexcept;

  void* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t slot_ = 0;  ///< of the guard against a file cut short
};

}  // namespace shapelint::io
