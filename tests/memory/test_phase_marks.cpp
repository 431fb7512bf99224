#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/memory/phase_marks.hpp"

using shapelint::memory::phase_line;
using shapelint::memory::PhaseSample;
using shapelint::memory::sample_phase;

TEST_CASE("phase marks: a sample sees the memory the process touches, and its peak") {
  PhaseSample before = sample_phase();
  CHECK(before.resident_kib > 0);
  CHECK(before.peak_kib >= before.resident_kib);
  std::vector<char> touched(std::size_t{32} << 20, 1);  // 32 MiB, every page written
  PhaseSample after = sample_phase();
  CHECK(after.resident_kib - before.resident_kib >= 30 * 1024);
  CHECK(after.peak_kib >= after.resident_kib);
  CHECK(after.wall_us >= before.wall_us);
  CHECK(after.cpu_us >= before.cpu_us);
  CHECK(touched[touched.size() - 1] == 1);
}

TEST_CASE("phase marks: a line names the phase, its times, and what it added") {
  PhaseSample before{.wall_us = 1000, .cpu_us = 900, .resident_kib = 4000, .peak_kib = 4000};
  PhaseSample now{.wall_us = 12345,
                  .cpu_us = 11900,
                  .resident_kib = 38532,
                  .peak_kib = 40000,
                  .arena_kib = 1700};
  CHECK(phase_line("parsed", now, before) ==
        "phase parsed             wall    12.345 ms  cpu    11.900 ms  rss    38532 KiB  peak "
        "   40000 KiB  (+34532 KiB)  arena 1700 KiB");
  PhaseSample smaller = now;
  smaller.resident_kib = 30000;
  CHECK(phase_line("rows taken", smaller, now).ends_with("(-8532 KiB)  arena 1700 KiB"));
}
