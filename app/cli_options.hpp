#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

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
};

void bind_options(CLI::App& app, CliOptions& options);

}  // namespace shapelint::cli
