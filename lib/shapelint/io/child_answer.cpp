#include "shapelint/io/child_answer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace shapelint::io {

Collected collect_answer(int fd,
                         std::chrono::steady_clock::time_point deadline,
                         std::size_t max_bytes,
                         std::string& out) {
  char buffer[1 << 16];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return Collected::timed_out;
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      continue;
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return Collected::complete;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > max_bytes)
      return Collected::too_large;
  }
}

std::size_t max_answer_bytes(const ReadLimits& limits) {
  std::uint64_t weights = static_cast<std::uint64_t>(limits.max_weights) * 256;
  return static_cast<std::size_t>(limits.max_config_bytes * 7 + limits.max_metadata_bytes * 14 +
                                  weights + (std::uint64_t{1} << 20));
}

int wait_for_child(int pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace shapelint::io
