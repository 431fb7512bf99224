#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/cost/layer_figures.hpp"
#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/lint/name_list.hpp"
#include "shapelint/memory/boxed.hpp"
#include "shapelint/memory/optional_count.hpp"
#include "shapelint/memory/text.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint {

/// What one layer costs (docs/cost.md), for the run's batch size; each number is unknown
/// when a shape or weight it needs is.
struct LayerCost {
  OptionalCount macs;              ///< multiply-accumulates, every call
  OptionalCount weight_bytes;      ///< its weights in their variable dtype
  OptionalCount activation_bytes;  ///< its outputs in its compute dtype
  /// Input positions one output position sees, per spatial or sequence axis, and the
  /// distance in the input between neighbouring outputs; none where not defined (most
  /// layers: kept out of line).
  Boxed<cost::ReceptiveField> receptive_field;
};

/// A row's status, "ok", "error" or "unknown": one byte (a large model has a row per layer,
/// and a view of the name took sixteen), read and compared as its name.
class RowStatus {
 public:
  enum class Value : std::uint8_t { ok, error, unknown };

  constexpr RowStatus() = default;

  constexpr RowStatus(Value value) : value_(value) {}

  /// From its name; any other text reads as "unknown".
  constexpr RowStatus(std::string_view name)
      : value_(name == "ok"      ? Value::ok
               : name == "error" ? Value::error
                                 : Value::unknown) {}

  constexpr Value value() const { return value_; }

  constexpr std::string_view name() const {
    switch (value_) {
      case Value::ok:
        return "ok";
      case Value::error:
        return "error";
      case Value::unknown:
        break;
    }
    return "unknown";
  }

  constexpr operator std::string_view() const { return name(); }

  friend constexpr bool operator==(RowStatus status, std::string_view name) {
    return status.name() == name;
  }

 private:
  Value value_ = Value::unknown;
};

/// One row of a model's table: a layer as the user sees it.
struct LayerRow {
  InlineText name;  ///< held in the row up to 31 bytes (memory/text.hpp)
  InlineText class_name;
  NameList inbound;  ///< producers of the first call's inputs
  Shapes input_shapes;
  Shapes output_shapes;
  OptionalCount params;
  std::vector<LayerRow> layers;  ///< a nested model's own layers
  LayerCost cost;
  RowStatus status;  // last, beside is_model: the two share a word
  bool is_model = false;
};

struct ParamTotals {
  std::int64_t total = 0;
  std::int64_t trainable = 0;
  std::int64_t non_trainable = 0;
  std::size_t unknown_layers = 0;  ///< layers whose count is unknown (not in the sums)
};

/// The model's cost: sums over the layers whose numbers are known.
struct CostTotals {
  std::int64_t batch_size = 1;  ///< the numbers are for this many samples
  std::int64_t macs = 0;
  std::size_t macs_unknown_layers = 0;
  std::int64_t weight_bytes = 0;
  std::map<std::string, std::int64_t> weight_bytes_by_dtype;
  std::size_t weight_unknown_layers = 0;
  std::int64_t activation_bytes = 0;
  std::size_t activation_unknown_layers = 0;
};

/// Which sizes of one model input's spatial or sequence axes work (`--valid-sizes`, and
/// the hint of a failing what-if).
struct InputSizes {
  std::string input;                    ///< the input layer's name
  std::vector<std::size_t> axes;        ///< the axes varied (batch axis = 0)
  std::string description;              ///< "height and width must be at least 32 and ..."
  std::optional<std::string> smallest;  ///< "32x32"
  bool rebuilt = false;  ///< sizes the model works for when rebuilt for them (weights follow)
};

/// One tensor of a model's interface: the input layer or the layer giving the output.
struct TensorSignature {
  std::string name;
  Shape shape;        ///< batch axis included, as declared
  std::string dtype;  ///< an input's dtype, an output's compute dtype
};

/// What callers of a model rely on: its inputs and outputs (`shapelint diff` compares them).
struct ModelSignature {
  std::vector<TensorSignature> inputs;
  std::vector<TensorSignature> outputs;
  bool sequential = false;  ///< a Sequential's inputs are fed by position, not by name
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
  std::optional<std::string> target;   ///< --target: "keras2", "keras3" or "tfjs"
  std::vector<LayerRow> layers;
  ParamTotals params;
  Diagnostics diagnostics;
  bool skipped = false;            ///< not a model, passed over (--skip-non-models, directories)
  std::optional<CostTotals> cost;  ///< set once the model was propagated
  std::vector<InputSizes> valid_sizes;      ///< --valid-sizes
  std::optional<ModelSignature> signature;  ///< set once the model was propagated
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
