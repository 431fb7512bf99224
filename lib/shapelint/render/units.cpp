// Large counts and sizes for people: three significant digits and a unit.
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "shapelint/render/render.hpp"

namespace shapelint {

namespace {

/// `value` scaled down by `base` until below it, with three significant digits.
std::string scaled(std::int64_t value,
                   double base,
                   const std::array<std::string_view, 6>& units,
                   std::string_view separator) {
  if (value < 0)
    return "-" + scaled(-value, base, units, separator);
  double v = static_cast<double>(value);
  std::size_t unit = 0;
  while (unit + 1 < units.size() && v >= base) {
    v /= base;
    ++unit;
  }
  if (unit == 0)
    return fmt::format("{}{}{}", value, units[0].empty() ? "" : separator, units[0]);
  // 999.6 K rounds to "1000K": move to the next unit instead.
  if (std::round(v) >= base && unit + 1 < units.size()) {
    v /= base;
    ++unit;
  }
  int decimals = v >= 99.95 ? 0 : (v >= 9.995 ? 1 : 2);
  return fmt::format("{:.{}f}{}{}", v, decimals, separator, units[unit]);
}

}  // namespace

std::string human_count(std::int64_t n) {
  return scaled(n, 1000.0, {"", "K", "M", "G", "T", "P"}, "");
}

std::string human_bytes(std::int64_t n) {
  return scaled(n, 1024.0, {"B", "KiB", "MiB", "GiB", "TiB", "PiB"}, " ");
}

}  // namespace shapelint
