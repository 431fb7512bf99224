#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint {

/// One row of a model's table: a layer as the user sees it.
struct LayerRow {
  std::string name;
  std::string class_name;
  std::vector<std::string> inbound;  ///< producers of the first call's inputs
  Shapes input_shapes;
  Shapes output_shapes;
  std::optional<std::int64_t> params;
  std::string status;            ///< "ok", "error", "unknown"
  std::vector<LayerRow> layers;  ///< a nested model's own layers
  bool is_model = false;
};

struct ParamTotals {
  std::int64_t total = 0;
  std::int64_t trainable = 0;
  std::int64_t non_trainable = 0;
  std::size_t unknown_layers = 0;  ///< layers whose count is unknown (not in the sums)
};

/// Everything a renderer needs about one linted file.
struct FileReport {
  std::string path;
  /// The archive member the config was read from ("config.json", "model_config"); the lines
  /// and columns of findings count inside it.
  std::optional<std::string> member;
  std::string format;  ///< contract format name, or "unknown" when unreadable
  std::string status;  ///< "ok", "error", "invalid"
  std::optional<std::string> model_name;
  std::optional<std::string> model_class;
  std::optional<std::string> keras_version;
  bool functional = false;             ///< whether the table shows "connected to"
  std::optional<std::string> what_if;  ///< the replayed input shapes, when --input-shape ran
  std::vector<LayerRow> layers;
  ParamTotals params;
  Diagnostics diagnostics;
  bool skipped = false;  ///< not a model, passed over (--skip-non-models, directories)
};

struct RunReport {
  std::string tool_version;
  std::vector<FileReport> files;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t notes = 0;
};

/// Where findings point: the path, or `model.keras!config.json` for an archive member.
std::string location_path(const FileReport& file);

/// Counts severities over the non-skipped files.
void tally(RunReport& run);

}  // namespace shapelint
