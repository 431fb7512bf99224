#pragma once

#include <cerrno>
#include <string_view>

#include <sys/types.h>
#include <unistd.h>

namespace shapelint::io {

/// Hands all of `data` to `write_some(bytes, size)` (a write(2)-like call: how many bytes it
/// took, or -1 with errno), again after a short write or a signal; false when it takes no
/// more (a closed pipe or socket, a full disk).
template <class WriteSome>
bool write_fully(std::string_view data, WriteSome write_some) {
  while (!data.empty()) {
    ssize_t n = write_some(data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Writes all of `data` to file descriptor `fd` (write_fully).
inline bool write_all(int fd, std::string_view data) {
  return write_fully(
      data, [fd](const char* bytes, std::size_t size) { return ::write(fd, bytes, size); });
}

}  // namespace shapelint::io
