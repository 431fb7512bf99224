#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/analysis/portability.hpp"
#include "shapelint/io/model_file.hpp"
#include "shapelint/lint/report.hpp"
#include "shapelint/model/loader.hpp"
#include "shapelint/rules/rule.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint {

namespace config {
struct CustomLayerRules;
}

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
  /// Where `input_shapes` came from, named in messages: the option, or the configuration
  /// key that gave them.
  std::string input_shapes_origin = "--input-shape";
  /// Shape rules the user declared for their own layer classes (the configuration file);
  /// owned by the caller. Consulted only for classes without a built-in rule.
  const config::CustomLayerRules* custom_layers = nullptr;
  /// Caps on what a hostile .keras or .h5 file may make shapelint read, allocate or wait for.
  io::ReadLimits read_limits;
  /// Caps on the JSON and the model graph the loader reads.
  LoadLimits load_limits;
  /// Layer runs one file may take, what-if probes included (see kDefaultMaxRuleRuns).
  std::uint64_t max_rule_runs = kDefaultMaxRuleRuns;
  /// Layers wrapped in layers (see kDefaultMaxWrapperDepth).
  int max_wrapper_depth = kDefaultMaxWrapperDepth;
  /// --valid-sizes: find which sizes of each input's spatial or sequence axes work.
  bool valid_sizes = false;
  /// Budgets (--max-params, --max-macs, --max-activation-memory): exceeding one is a
  /// finding (SL301..SL303). MACs and activation bytes are for the batch size (default 1).
  std::optional<std::int64_t> max_params;
  std::optional<std::int64_t> max_macs;
  std::optional<std::int64_t> max_activation_bytes;
  /// --target: report what this Keras generation or TensorFlow.js cannot load (SL401..SL404).
  std::optional<analysis::Target> target;
  /// Work out each layer's cost (MACs, weight and activation bytes, receptive field) and the
  /// totals. The command line turns it off for outputs that show no cost (the terminal table
  /// without --cost): it was a tenth of an Inception-sized lint. The MAC and activation
  /// budgets need it whatever this says.
  bool cost = true;
  /// Make the rows of a nested model's own layers (LayerRow::layers). The command line turns
  /// it off for outputs that do not show them (the terminal table shows a nested model as
  /// one row): for a model built on a Keras application, they are most of the rows. Costs
  /// need them whatever this says.
  bool nested_rows = true;
  /// The caller exits once the reports are out (a command line with a few files): a lint's
  /// model, results and mapped text are then left for the exit to take back, instead of being
  /// freed block by block (about 3% of a large model's lint). The reports are unchanged.
  bool leave_memory_to_exit = false;
};

/// Whether a lint with `options` works out costs: asked for, or needed by a budget.
inline bool wants_cost(const LintOptions& options) {
  return options.cost || options.max_macs || options.max_activation_bytes;
}

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
