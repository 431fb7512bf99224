// Large counts and sizes for people: three significant digits and a unit.
#include <array>
#include <charconv>
#include <cmath>

#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"

namespace shapelint {

namespace {

/// Appends `value` scaled down by `base` until below it, with three significant digits.
/// std::to_chars, not fmt: the table prints thousands of these (its fixed notation rounds the
/// same, correctly).
void append_scaled(std::string& out,
                   std::int64_t value,
                   double base,
                   const std::array<std::string_view, 6>& units,
                   std::string_view separator) {
  if (value < 0) {
    out += '-';
    append_scaled(out, -value, base, units, separator);
    return;
  }
  double v = static_cast<double>(value);
  std::size_t unit = 0;
  while (unit + 1 < units.size() && v >= base) {
    v /= base;
    ++unit;
  }
  if (unit == 0) {
    render_util::append_int(out, value);
    if (!units[0].empty())
      out += separator;
    out += units[0];
    return;
  }
  // 999.6 K rounds to "1000K": move to the next unit instead.
  if (std::round(v) >= base && unit + 1 < units.size()) {
    v /= base;
    ++unit;
  }
  int decimals = v >= 99.95 ? 0 : (v >= 9.995 ? 1 : 2);
  char digits[32];
  out.append(
      digits,
      std::to_chars(digits, digits + sizeof digits, v, std::chars_format::fixed, decimals).ptr);
  out += separator;
  out += units[unit];
}

constexpr std::array<std::string_view, 6> kCountUnits{"", "K", "M", "G", "T", "P"};
constexpr std::array<std::string_view, 6> kByteUnits{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

}  // namespace

void render_util::append_human_count(std::string& out, std::int64_t n) {
  append_scaled(out, n, 1000.0, kCountUnits, "");
}

void render_util::append_human_bytes(std::string& out, std::int64_t n) {
  append_scaled(out, n, 1024.0, kByteUnits, " ");
}

std::string human_count(std::int64_t n) {
  std::string out;
  render_util::append_human_count(out, n);
  return out;
}

std::string human_bytes(std::int64_t n) {
  std::string out;
  render_util::append_human_bytes(out, n);
  return out;
}

}  // namespace shapelint
