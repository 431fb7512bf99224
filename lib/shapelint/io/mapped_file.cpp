#include "shapelint/io/mapped_file.hpp"

#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace shapelint::io {

std::optional<MappedFile> MappedFile::open(const std::string& path,
                                           std::uint64_t min_bytes,
                                           std::uint64_t max_bytes) {
  // Looked at before it is opened: opening a FIFO would wait for a writer, and closing it
  // again would take its data from the read that follows. O_NONBLOCK for a file swapped
  // for a FIFO in between (it means nothing to a regular file).
  struct stat st {};

  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return std::nullopt;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return std::nullopt;
  void* data = MAP_FAILED;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (size >= min_bytes && size <= max_bytes)
      data = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);  // the mapping keeps the file
  if (data == MAP_FAILED)
    return std::nullopt;
  // Read front to back, once: the kernel may read ahead and map the pages ahead in batches.
  madvise(data, static_cast<std::size_t>(st.st_size), MADV_SEQUENTIAL);
  return MappedFile(data, static_cast<std::size_t>(st.st_size));
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_)
      munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_)
    munmap(data_, size_);
}

}  // namespace shapelint::io
