#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "shapelint/lint/limits.hpp"

namespace shapelint::cli {

/// Everything the command line says; bound to CLI11 in one place.
struct CliOptions {
  std::vector<std::string> paths;
  std::string format = "table";
  std::vector<std::string> input_shapes;
  std::optional<long long> batch_size;
  std::string color = "auto";
  bool quiet = false;
  /// Unset unless given: the configuration file's `fail-on` applies then, else "error".
  std::optional<std::string> fail_on;
  bool skip_non_models = false;
  /// `--config FILE` (that file for every model) and `--no-config` (none); by default the
  /// configuration is found by walking up from each model file.
  std::optional<std::string> config_file;
  bool no_config = false;
  /// `--target keras2|keras3|tfjs`: report what that target cannot load (over the
  /// configuration's `target`).
  std::optional<std::string> target;
  /// `--limit NAME=VALUE`, repeatable: safety limits (over the configuration's `limits`).
  std::vector<std::string> limits;
};

void bind_options(CLI::App& app, CliOptions& options);

/// True, with `options.paths` filled, when every argument is a path (or "-", standard
/// input): `shapelint model.json`, the command line of most runs, which CLI11 reads to just
/// these paths and the defaults. Setting up CLI11's options costs a tenth of a millisecond,
/// as much as linting a small model; a command line with anything that may be an option
/// (an argument starting with '-') is left to it.
bool read_paths_only(int argc, const char* const* argv, CliOptions& options);

/// `--limit NAME=VALUE` (repeatable) into `texts`, each checked as it is parsed; `more` ends
/// the help text's first sentence.
void bind_limit_option(CLI::App& app, std::vector<std::string>& texts, std::string_view more = {});

/// The `--limit` options as settings (after bind_limit_option accepted them).
std::vector<LimitSetting> parse_limit_options(const std::vector<std::string>& texts);

}  // namespace shapelint::cli
