#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/lint/report.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint {

/// One `--input-shape [INPUT=]DIMS`: the data shape without the batch axis.
struct InputShapeOption {
  std::optional<std::string> input_name;
  Shape dims;
};

/// Parses `[INPUT=]DIMS`; nullopt with `error` set when malformed.
std::optional<InputShapeOption> parse_input_shape_option(std::string_view text, std::string& error);

struct LintOptions {
  std::vector<InputShapeOption> input_shapes;
  std::optional<std::int64_t> batch_size;
  /// Directory walks and --skip-non-models pass over files that are not models.
  bool skip_non_models = false;
};

/// Lints a model held in memory (`display_path` names it in the report).
FileReport lint_text(std::string_view text,
                     const std::string& display_path,
                     const LintOptions& options);

/// Lints one file, or standard input for "-".
FileReport lint_file(const std::string& path, const LintOptions& options);

/// Expands PATH arguments: directories into the model files below them (sorted).
struct ExpandedPath {
  std::string path;
  bool from_directory = false;
};

std::vector<ExpandedPath> expand_paths(const std::vector<std::string>& paths);

}  // namespace shapelint
