#pragma once

#include <cstdint>
#include <string>

namespace shapelint::memory {

/// Where a lint's time and memory go, phase by phase, without a profiler: with the
/// environment variable SHAPELINT_PHASES set, each mark_phase prints a line to stderr (see
/// phase_line). The memory targets of a large model (its peak against its file size) are
/// met or missed in one phase or another: this says which, and what each phase added.
/// Nothing is read or printed when the variable is unset.

/// What the process holds at one moment.
struct PhaseSample {
  std::int64_t wall_us = 0;       ///< since the first sample of the process
  std::int64_t cpu_us = 0;        ///< user and system time of the whole process
  std::int64_t resident_kib = 0;  ///< resident memory now
  std::int64_t peak_kib = 0;      ///< the most it was resident so far
  /// What this thread has cut from its huge-page arena (small_blocks.hpp): past each 2 MiB,
  /// the lint writes one more huge page, which costs a fault of hundreds of microseconds.
  std::int64_t arena_kib = 0;
};

/// The process now; the first call starts its wall clock.
PhaseSample sample_phase() noexcept;

/// "phase parsed         wall 12.345 ms  cpu 11.900 ms  rss 38532 KiB  peak 38532 KiB
/// (+21580 KiB)  arena 1700 KiB": the growth is against `before`'s resident memory.
std::string phase_line(const char* name, const PhaseSample& now, const PhaseSample& before);

/// With SHAPELINT_PHASES set: prints phase_line for `name` against the previous mark.
void mark_phase(const char* name) noexcept;

}  // namespace shapelint::memory
