#pragma once

#include <cerrno>
#include <string_view>

#include <unistd.h>

namespace shapelint::io {

/// Writes all of `data` to file descriptor `fd`, again after a short write or a signal;
/// false when the descriptor takes no more (a closed pipe, a full disk).
inline bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace shapelint::io
