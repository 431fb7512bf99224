#pragma once
// Budgets as CI gates: a model with more parameters, MACs or activation memory than allowed
// is a finding (SL301, SL302, SL303), so the exit code fails the build.
#include <cstdint>
#include <optional>
#include <string_view>

#include "shapelint/lint/lint.hpp"
#include "shapelint/lint/report.hpp"

namespace shapelint::analysis {

/// A count as people write it: "3538984", "3,538,984", "3.5M", "25m", "4.1G", "300K".
/// K, M, G, T are powers of 1000. Nullopt when malformed, negative or too large.
std::optional<std::int64_t> parse_count(std::string_view text);

/// A size in bytes: "4096", "512KiB", "1.5 GiB", "100MB", "2G". KB, MB, GB, TB are powers
/// of 1000; KiB, MiB, GiB, TiB and a bare K, M, G, T powers of 1024.
std::optional<std::int64_t> parse_bytes(std::string_view text);

/// Adds a finding to `report` for every budget of `options` that `params` or the report's
/// cost totals exceed. A total that is only a lower bound (some layers unknown) fails only
/// when that bound already exceeds the budget.
void check_budgets(const LintOptions& options, const ParamTotals& params, FileReport& report);

}  // namespace shapelint::analysis
