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
  std::string fail_on = "error";
  bool skip_non_models = false;
};

void bind_options(CLI::App& app, CliOptions& options);

}  // namespace shapelint::cli
