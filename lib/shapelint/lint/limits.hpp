#pragma once
// The safety limits a user may need to raise (or lower) at run time: `--limit NAME=VALUE` and
// the configuration file's `limits` table. One table names each limit, its unit, the
// ceiling that keeps shapelint safe whatever the user asks for, and where it lives in
// LintOptions; the defaults stay the initializers of those fields. Parsed once per run,
// copied into each file's options: nothing here runs per layer.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "shapelint/lint/lint.hpp"

namespace shapelint {

enum class LimitUnit {
  count,     ///< "2000000", "2M", "1,000,000"
  bytes,     ///< "128MiB", "2GB", "4096"
  duration,  ///< "30s", "500ms", "2min"; a bare number is seconds
};

struct LimitInfo {
  std::string_view name;  ///< kebab-case, as `--limit` and the `limits` table spell it
  LimitUnit unit;
  std::string_view what;  ///< what it caps, for --help
  std::uint64_t minimum;
  std::uint64_t ceiling;  ///< the largest value accepted
  /// Why the ceiling is where it is, said when a value is refused for being above it.
  std::string_view ceiling_reason;
  std::uint64_t (*get)(const LintOptions&);  ///< in the limit's unit (milliseconds for time)
  void (*set)(LintOptions&, std::uint64_t);
};

/// Every limit, in the order the documentation lists them.
std::span<const LimitInfo> all_limits();

/// The limit named `name` (`_` may stand for `-`), or null.
const LimitInfo* find_limit(std::string_view name);

/// "max-config-size, max-stdin-size, ...": the names, for messages.
std::string limit_names();

/// A value as a user would write it: "128MiB", "30s", "2000000".
std::string format_limit_value(const LimitInfo& limit, std::uint64_t value);

/// One limit and the value it is set to, already checked against its range.
struct LimitSetting {
  const LimitInfo* limit = nullptr;
  std::uint64_t value = 0;
};

/// `NAME=VALUE`, as `--limit` takes it. Nullopt with `error` set (the message names the
/// valid limits or the valid values).
std::optional<LimitSetting> parse_limit_assignment(std::string_view text, std::string& error);

/// VALUE written as text for the limit `name`.
std::optional<LimitSetting> parse_limit(std::string_view name,
                                        std::string_view value,
                                        std::string& error);

/// An integer VALUE for the limit `name` (a configuration file's `max-layers = 2000000`): a
/// count, a number of bytes, or seconds.
std::optional<LimitSetting> limit_from_integer(std::string_view name,
                                               std::int64_t value,
                                               std::string& error);

/// Sets each limit in `options`, in order (a later setting of the same limit wins).
void apply_limits(std::span<const LimitSetting> settings, LintOptions& options);

}  // namespace shapelint
