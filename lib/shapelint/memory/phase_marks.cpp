#include "shapelint/memory/phase_marks.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "shapelint/memory/small_blocks.hpp"
#include <sys/resource.h>
#include <time.h>

namespace shapelint::memory {

namespace {

std::int64_t monotonic_us() noexcept {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1'000'000 + t.tv_nsec / 1000;
}

std::int64_t timeval_us(const timeval& t) noexcept {
  return std::int64_t{t.tv_sec} * 1'000'000 + t.tv_usec;
}

/// VmRSS and VmHWM of /proc/self/status (the peak as the kernel reports it to
/// /usr/bin/time, the current resident memory included); zeros where it cannot be read.
void read_resident(PhaseSample& s) noexcept {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (!status)
    return;
  char line[256];
  while (std::fgets(line, sizeof line, status)) {
    long kib = 0;
    if (std::sscanf(line, "VmRSS: %ld", &kib) == 1)
      s.resident_kib = kib;
    else if (std::sscanf(line, "VmHWM: %ld", &kib) == 1)
      s.peak_kib = kib;
  }
  std::fclose(status);
}

bool phases_wanted() noexcept {
  static const bool wanted = std::getenv("SHAPELINT_PHASES") != nullptr;
  return wanted;
}

}  // namespace

PhaseSample sample_phase() noexcept {
  static const std::int64_t started = monotonic_us();
  PhaseSample s;
  s.wall_us = monotonic_us() - started;
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0)
    s.cpu_us = timeval_us(usage.ru_utime) + timeval_us(usage.ru_stime);
  read_resident(s);
  s.arena_kib = static_cast<std::int64_t>(arena_bytes_cut() / 1024);
  return s;
}

std::string phase_line(const char* name, const PhaseSample& now, const PhaseSample& before) {
  return fmt::format(
      "phase {:<18} wall {:9.3f} ms  cpu {:9.3f} ms  rss {:8} KiB  peak {:8} KiB  ({:+} KiB)  "
      "arena {} KiB",
      name,
      static_cast<double>(now.wall_us) / 1000.0,
      static_cast<double>(now.cpu_us) / 1000.0,
      now.resident_kib,
      now.peak_kib,
      now.resident_kib - before.resident_kib,
      now.arena_kib);
}

void mark_phase(const char* name) noexcept {
  if (!phases_wanted())
    return;
  // Per thread: files linted in parallel mark their phases each in its own thread.
  thread_local PhaseSample previous;  // the first mark's growth is all it holds
  try {
    PhaseSample now = sample_phase();
    std::string line = phase_line(name, now, previous);
    std::fprintf(stderr, "%s\n", line.c_str());
    previous = now;
  } catch (...) {
    // A trace line that cannot be formatted is left out: the lint goes on.
  }
}

}  // namespace shapelint::memory
