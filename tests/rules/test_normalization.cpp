// Normalization layers (BatchNormalization, LayerNormalization, GroupNormalization,
// UnitNormalization, RMSNormalization).
// Expected shapes and parameter counts come from the Keras formulas, checked with the
// Keras 3 and tfjs oracles.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/diag/catalog.hpp"
#include "support/rule_harness.hpp"

namespace shapelint::test {
namespace {

using Row = RuleRow;

void check(const Row& row) {
  check_rule_row(row);
}

const std::vector<Row> kBatchNormRows = {
    {.name = "BatchNormalization has four vectors over the channel axis",
     .cls = "BatchNormalization",
     .config = R"({})",
     .inputs = {"(None, 5, 5, 3)"},
     .outputs = {"(None, 5, 5, 3)"},
     .params = 12,
     .trainable = 6},
    {.name = "BatchNormalization over axis 1 of a channels-first input",
     .cls = "BatchNormalization",
     .config = R"({"axis": 1})",
     .inputs = {"(None, 3, 5, 5)"},
     .outputs = {"(None, 3, 5, 5)"},
     .params = 12},
    {.name = "BatchNormalization without center has no beta",
     .cls = "BatchNormalization",
     .config = R"({"center": false})",
     .inputs = {"(None, 5, 5, 3)"},
     .outputs = {"(None, 5, 5, 3)"},
     .params = 9,
     .trainable = 3},
    {.name = "BatchNormalization without center and scale has only the moving statistics",
     .cls = "BatchNormalization",
     .config = R"({"axis": 1, "scale": false, "center": false})",
     .inputs = {"(None, 3, 5, 5)"},
     .outputs = {"(None, 3, 5, 5)"},
     .params = 6,
     .trainable = 0},
    {.name = "BatchNormalization with renorm adds three non-trainable vectors",
     .cls = "BatchNormalization",
     .config = R"({"axis": 1, "renorm": true})",
     .inputs = {"(None, 5, 5, 3)"},
     .outputs = {"(None, 5, 5, 3)"},
     .params = 35,
     .trainable = 10},
    {.name = "BatchNormalization keeps unknown batch and spatial dims",
     .cls = "BatchNormalization",
     .config = R"({})",
     .inputs = {"(None, None, None, 16)"},
     .outputs = {"(None, None, None, 16)"},
     .params = 64},
    {.name = "BatchNormalization reads a one-element axis list as the legacy loader does",
     .cls = "BatchNormalization",
     .config = R"({"axis": [3]})",
     .inputs = {"(None, 5, 5, 3)"},
     .outputs = {"(None, 5, 5, 3)"},
     .params = 12},
    {.name = "BatchNormalization over several axes in tf.keras 2",
     .cls = "BatchNormalization",
     .config = R"({"axis": [1, 3]})",
     .inputs = {"(None, 5, 5, 3)"},
     .outputs = {"(None, 5, 5, 3)"},
     .params = 60,
     .semantics = Semantics::keras2},
    {.name = "BatchNormalization on an unknown-rank input has unknown params",
     .cls = "BatchNormalization",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"?"},
     .params = std::nullopt},
    {.name = "BatchNormalization refuses several axes in Keras 3",
     .cls = "BatchNormalization",
     .config = R"({"axis": [1, 3]})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInvalidArgument,
     .message = "int() argument must be a string, a bytes-like object or a real number, not "
                "'list'"},
    {.name = "BatchNormalization cannot build over an unknown channel count",
     .cls = "BatchNormalization",
     .config = R"({"name": "bn"})",
     .inputs = {"(None, 5, 5, None)"},
     .error = rule::kInputAxis,
     .message = "Shapes used to initialize variables must be fully-defined (no `None` "
                "dimensions). Received: shape=(None,) for variable path='bn/gamma'"},
    {.name = "BatchNormalization over the batch axis cannot build",
     .cls = "BatchNormalization",
     .config = R"({"axis": -4})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInputAxis},
    {.name = "BatchNormalization rejects an axis beyond the input rank",
     .cls = "BatchNormalization",
     .config = R"({"axis": 4})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInvalidArgument,
     .message = "Axis 4 is out of bounds for input shape (None, 5, 5, 3). Received: axis=4"},
    {.name = "BatchNormalization rejects a repeated axis in tf.keras 2",
     .cls = "BatchNormalization",
     .config = R"({"axis": [3, -1]})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInvalidArgument,
     .semantics = Semantics::keras2},
};

const std::vector<Row> kLayerNormRows = {
    {.name = "LayerNormalization has gamma and beta over the last axis",
     .cls = "LayerNormalization",
     .config = R"({})",
     .inputs = {"(None, 10, 64)"},
     .outputs = {"(None, 10, 64)"},
     .params = 128},
    {.name = "LayerNormalization over several axes has weights of their combined shape",
     .cls = "LayerNormalization",
     .config = R"({"axis": [1, 2]})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"},
     .params = 24},
    {.name = "LayerNormalization without center has only gamma",
     .cls = "LayerNormalization",
     .config = R"({"axis": [2, 1], "center": false})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"},
     .params = 12},
    {.name = "LayerNormalization with rms_scaling keeps gamma only",
     .cls = "LayerNormalization",
     .config = R"({"axis": [1, 2], "rms_scaling": true})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"},
     .params = 12},
    {.name = "LayerNormalization tolerates unknown dims off its axes",
     .cls = "LayerNormalization",
     .config = R"({})",
     .inputs = {"(None, None, 8)"},
     .outputs = {"(None, None, 8)"},
     .params = 16},
    {.name = "LayerNormalization without weights tolerates an unknown normalized dim",
     .cls = "LayerNormalization",
     .config = R"({"center": false, "scale": false})",
     .inputs = {"(None, 3, None)"},
     .outputs = {"(None, 3, None)"},
     .params = 0},
    {.name = "LayerNormalization on an unknown-rank input has unknown params",
     .cls = "LayerNormalization",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"?"},
     .params = std::nullopt},
    {.name = "LayerNormalization cannot build over an unknown normalized dim",
     .cls = "LayerNormalization",
     .config = R"({"name": "ln"})",
     .inputs = {"(None, 3, None)"},
     .error = rule::kInputAxis,
     .message = "Shapes used to initialize variables must be fully-defined (no `None` "
                "dimensions). Received: shape=(None,) for variable path='ln/gamma'"},
    {.name = "LayerNormalization rejects an axis beyond the input rank",
     .cls = "LayerNormalization",
     .config = R"({"axis": 3})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "axis 3 is out of bounds for an array with dimension 3."},
    {.name = "LayerNormalization rejects the same axis twice",
     .cls = "LayerNormalization",
     .config = R"({"axis": [1, -2]})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "Duplicate axes are not allowed. Received: axis=[1, -2]"},
};

const std::vector<Row> kOtherRows = {
    {.name = "GroupNormalization has gamma and beta per channel",
     .cls = "GroupNormalization",
     .config = R"({"groups": 2})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"},
     .params = 8},
    {.name = "GroupNormalization with groups -1 normalizes each channel",
     .cls = "GroupNormalization",
     .config = R"({"groups": -1})",
     .inputs = {"(None, 3, 6)"},
     .outputs = {"(None, 3, 6)"},
     .params = 12},
    {.name = "GroupNormalization over axis 1 without center",
     .cls = "GroupNormalization",
     .config = R"({"groups": 3, "axis": 1, "center": false})",
     .inputs = {"(None, 3, None)"},
     .outputs = {"(None, 3, None)"},
     .params = 3},
    {.name = "GroupNormalization defaults to 32 groups",
     .cls = "GroupNormalization",
     .config = R"({})",
     .inputs = {"(None, 8, 8, 64)"},
     .outputs = {"(None, 8, 8, 64)"},
     .params = 128},
    {.name = "GroupNormalization on an unknown-rank input has unknown params",
     .cls = "GroupNormalization",
     .config = R"({"groups": 2})",
     .inputs = {"?"},
     .outputs = {"?"},
     .params = std::nullopt},
    {.name = "GroupNormalization rejects groups that do not divide the channels",
     .cls = "GroupNormalization",
     .config = R"({"groups": 4})",
     .inputs = {"(None, 3, 6)"},
     .error = rule::kInvalidArgument,
     .message = "Number of groups (4) must be a multiple of the number of channels (6)."},
    {.name = "GroupNormalization rejects more groups than channels",
     .cls = "GroupNormalization",
     .config = R"({"groups": 12})",
     .inputs = {"(None, 3, 6)"},
     .error = rule::kInvalidArgument,
     .message = "Number of groups (12) cannot be more than the number of channels (6)."},
    {.name = "GroupNormalization needs a known channel count",
     .cls = "GroupNormalization",
     .config = R"({"groups": 2})",
     .inputs = {"(None, 3, None)"},
     .error = rule::kInputAxis,
     .message = "Axis -1 of input tensor should have a defined dimension but the layer received "
                "an input with shape (None, 3, None)."},
    {.name = "GroupNormalization rejects groups = 0",
     .cls = "GroupNormalization",
     .config = R"({"groups": 0})",
     .inputs = {"(None, 3, 6)"},
     .error = rule::kInvalidArgument},
    {.name = "UnitNormalization keeps its input shape",
     .cls = "UnitNormalization",
     .config = R"({"axis": [1, 2]})",
     .inputs = {"(None, 3, None)"},
     .outputs = {"(None, 3, None)"}},
    {.name = "UnitNormalization on an unknown-rank input stays unknown",
     .cls = "UnitNormalization",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "UnitNormalization rejects an axis beyond the input rank",
     .cls = "UnitNormalization",
     .config = R"({"axis": [1, -4]})",
     .inputs = {"(None, 3, 6)"},
     .error = rule::kInvalidArgument,
     .message = "Axis [1, -4] is out of bounds for input shape (None, 3, 6)."},
    {.name = "RMSNormalization has one scale over the normalized axes",
     .cls = "RMSNormalization",
     .config = R"({"axis": [-1, 1]})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"},
     .params = 12},
    {.name = "RMSNormalization cannot build over an unknown normalized dim",
     .cls = "RMSNormalization",
     .config = R"({})",
     .inputs = {"(None, 3, None)"},
     .error = rule::kInputAxis},
};

}  // namespace

TEST_CASE("BatchNormalization follows keras/src/layers/normalization/batch_normalization.py") {
  for (const auto& row : kBatchNormRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("LayerNormalization follows keras/src/layers/normalization/layer_normalization.py") {
  for (const auto& row : kLayerNormRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("Group, unit and RMS normalization follow keras/src/layers/normalization/") {
  for (const auto& row : kOtherRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

}  // namespace shapelint::test
