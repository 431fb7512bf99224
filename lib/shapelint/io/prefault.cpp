#include "shapelint/io/prefault.hpp"

#include <cstdint>

#include <sys/mman.h>
#include <unistd.h>

namespace shapelint::io {

namespace {

/// madvise(`advice`) on the whole `unit`-aligned blocks of [data, data + bytes), if any: a
/// range madvise takes must start on a page, and huge-page advice only takes whole 2 MiB.
void advise_whole_units(void* data, std::size_t bytes, std::uintptr_t unit, int advice) {
  auto begin = reinterpret_cast<std::uintptr_t>(data);
  std::uintptr_t first = (begin + unit - 1) & ~(unit - 1);
  std::uintptr_t last = (begin + bytes) & ~(unit - 1);
  if (last > first)
    madvise(reinterpret_cast<void*>(first), last - first, advice);
}

/// madvise(`advice`) on the whole pages of [data, data + bytes) when there are enough of
/// them: below 64 KiB, a few faults (or pages kept) cost less than the system call.
void advise_whole_pages(void* data, std::size_t bytes, int advice) {
  constexpr std::size_t kWorthIt = std::size_t{64} << 10;
  if (bytes < kWorthIt)
    return;
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  advise_whole_units(data, bytes, page, advice);
}

}  // namespace

void prefault_for_writing(void* data, std::size_t bytes) noexcept {
#ifdef MADV_POPULATE_WRITE
  advise_whole_pages(data, bytes, MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)bytes;
#endif
}

void advise_huge_pages(void* data, std::size_t bytes) noexcept {
#ifdef MADV_HUGEPAGE
  advise_whole_units(data, bytes, std::uintptr_t{2} << 20, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

void discard_pages(void* data, std::size_t bytes) noexcept {
  advise_whole_pages(data, bytes, MADV_DONTNEED);
}

}  // namespace shapelint::io
