#include "shapelint/io/prefault.hpp"

#include <cstdint>

#include <sys/mman.h>
#include <unistd.h>

namespace shapelint::io {

void prefault_for_writing(void* data, std::size_t bytes) noexcept {
#ifdef MADV_POPULATE_WRITE
  // Below this, a few faults cost less than the system call.
  constexpr std::size_t kWorthIt = std::size_t{64} << 10;
  if (bytes < kWorthIt)
    return;
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  auto begin = reinterpret_cast<std::uintptr_t>(data);
  std::uintptr_t first = (begin + page - 1) & ~(page - 1);
  std::uintptr_t last = (begin + bytes) & ~(page - 1);
  if (last > first)
    madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace shapelint::io
