// Preprocessing layers (Rescaling, Resizing, CenterCrop, RandomCrop, augmentation layers,
// Normalization).
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

const std::vector<Row> kImageRows = {
    {.name = "Rescaling keeps its input shape",
     .cls = "Rescaling",
     .config = R"({"scale": 0.00392156862745098})",
     .inputs = {"(None, 32, 32, 3)"},
     .outputs = {"(None, 32, 32, 3)"}},
    {.name = "Rescaling on an unknown-rank input stays unknown",
     .cls = "Rescaling",
     .config = R"({"scale": 2.0, "offset": -1.0})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "Rescaling without scale is Keras's missing-argument error",
     .cls = "Rescaling",
     .config = R"({})",
     .inputs = {"(None, 3)"},
     .error = rule::kInvalidArgument,
     .message = "Rescaling.__init__() missing 1 required positional argument: 'scale'"},
    {.name = "Resizing sets height and width and keeps the batch",
     .cls = "Resizing",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"(None, 32, 32, 3)"},
     .outputs = {"(None, 8, 9, 3)"}},
    {.name = "Resizing fixes unknown spatial dims",
     .cls = "Resizing",
     .config = R"({"height": 224, "width": 224})",
     .inputs = {"(None, None, None, 3)"},
     .outputs = {"(None, 224, 224, 3)"}},
    {.name = "Resizing with channels_first",
     .cls = "Resizing",
     .config = R"({"height": 8, "width": 9, "data_format": "channels_first"})",
     .inputs = {"(None, 3, 32, 32)"},
     .outputs = {"(None, 3, 8, 9)"}},
    {.name = "Resizing takes a rank-3 input as one image, as Keras does",
     .cls = "Resizing",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"(None, 32, 32)"},
     .outputs = {"(8, 9, 32)"}},
    {.name = "Resizing treats a rank-5 input as one image in Keras 3",
     .cls = "Resizing",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"(None, 32, 32, 3, 1)"},
     .outputs = {"(8, 9, 32, 3, 1)"}},
    {.name = "Resizing rejects a rank-5 input in tf.keras 2",
     .cls = "Resizing",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"(None, 32, 32, 3, 1)"},
     .error = rule::kInputRank,
     .semantics = Semantics::keras2},
    {.name = "Resizing of a rank-2 channels-first input has no width axis",
     .cls = "Resizing",
     .config = R"({"height": 8, "width": 9, "data_format": "channels_first"})",
     .inputs = {"(None, 32)"},
     .error = rule::kInputRank,
     .message = "list assignment index out of range"},
    {.name = "Resizing to a zero height is reported",
     .cls = "Resizing",
     .config = R"({"height": 0, "width": 9})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kNonPositiveDim},
    {.name = "Resizing on an unknown-rank input stays unknown",
     .cls = "Resizing",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "Resizing without width is Keras's missing-argument error",
     .cls = "Resizing",
     .config = R"({"height": 8})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInvalidArgument},
    {.name = "CenterCrop sets height and width",
     .cls = "CenterCrop",
     .config = R"({"height": 24, "width": 20})",
     .inputs = {"(None, 32, 32, 3)"},
     .outputs = {"(None, 24, 20, 3)"}},
    {.name = "CenterCrop larger than its input resizes up instead of failing",
     .cls = "CenterCrop",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"(None, 4, 4, 3)"},
     .outputs = {"(None, 8, 9, 3)"}},
    {.name = "CenterCrop with channels_first",
     .cls = "CenterCrop",
     .config = R"({"height": 8, "width": 9, "data_format": "channels_first"})",
     .inputs = {"(None, 3, 32, 32)"},
     .outputs = {"(None, 3, 8, 9)"}},
    {.name = "CenterCrop takes a rank-3 input as one image",
     .cls = "CenterCrop",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"(None, 32, 32)"},
     .outputs = {"(8, 9, 32)"}},
    {.name = "CenterCrop rejects a rank-5 input",
     .cls = "CenterCrop",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"(None, 4, 4, 3, 2)"},
     .error = rule::kInputRank,
     .message = "`input_shape` must be a non-nested tuple or list of rank-1 with size 3 "
                "(unbatched) or 4 (batched). "},
    {.name = "CenterCrop on an unknown-rank input stays unknown",
     .cls = "CenterCrop",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "RandomCrop sets the last spatial axes",
     .cls = "RandomCrop",
     .config = R"({"height": 8, "width": 9})",
     .inputs = {"(None, 32, 32, 3)"},
     .outputs = {"(None, 8, 9, 3)"}},
    {.name = "RandomCrop with channels_first counts from the end",
     .cls = "RandomCrop",
     .config = R"({"height": 8, "width": 9, "data_format": "channels_first"})",
     .inputs = {"(None, 32, 32)"},
     .outputs = {"(None, 8, 9)"}},
    {.name = "RandomFlip keeps its input shape",
     .cls = "RandomFlip",
     .config = R"({"mode": "horizontal"})",
     .inputs = {"(None, 5, 5, 3)"},
     .outputs = {"(None, 5, 5, 3)"}},
    {.name = "RandomRotation keeps its input shape",
     .cls = "RandomRotation",
     .config = R"({"factor": 0.1})",
     .inputs = {"(None, None, None, 3)"},
     .outputs = {"(None, None, None, 3)"}},
    {.name = "RandomZoom keeps its input shape",
     .cls = "RandomZoom",
     .config = R"({"height_factor": 0.1})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "RandomHeight makes the height unknown",
     .cls = "RandomHeight",
     .config = R"({"factor": 0.2})",
     .inputs = {"(None, 32, 32, 3)"},
     .outputs = {"(None, None, 32, 3)"},
     .semantics = Semantics::keras2},
    {.name = "RandomWidth makes the width unknown",
     .cls = "RandomWidth",
     .config = R"({"factor": 0.2})",
     .inputs = {"(None, 32, 32, 3)"},
     .outputs = {"(None, 32, None, 3)"},
     .semantics = Semantics::keras2},
};

const std::vector<Row> kNormalizationRows = {
    {.name = "Normalization keeps mean, variance and count over the last axis",
     .cls = "Normalization",
     .config = R"({})",
     .inputs = {"(None, 5, 3)"},
     .outputs = {"(None, 5, 3)"},
     .params = 7,
     .trainable = 0},
    {.name = "Normalization over several axes",
     .cls = "Normalization",
     .config = R"({"axis": [1, 2]})",
     .inputs = {"(None, 5, 3)"},
     .outputs = {"(None, 5, 3)"},
     .params = 31},
    {.name = "Normalization with axis None keeps scalars",
     .cls = "Normalization",
     .config = R"({"axis": null})",
     .inputs = {"(None, 5, 3)"},
     .outputs = {"(None, 5, 3)"},
     .params = 3},
    {.name = "Normalization with given mean and variance has no weights",
     .cls = "Normalization",
     .config = R"({"mean": [1, 2, 3], "variance": [1, 1, 1]})",
     .inputs = {"(None, 5, 3)"},
     .outputs = {"(None, 5, 3)"},
     .params = 0},
    {.name = "Normalization tolerates unknown dims it reduces over",
     .cls = "Normalization",
     .config = R"({})",
     .inputs = {"(None, None, 3)"},
     .outputs = {"(None, None, 3)"},
     .params = 7},
    {.name = "Normalization on an unknown-rank input has unknown params",
     .cls = "Normalization",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"?"},
     .params = std::nullopt},
    {.name = "Normalization rejects an axis beyond the input rank",
     .cls = "Normalization",
     .config = R"({"axis": 5})",
     .inputs = {"(None, 5, 3)"},
     .error = rule::kInvalidArgument,
     .message = "All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                "ndim=3, while axis=(5,)"},
    {.name = "Normalization needs known sizes on the kept axes",
     .cls = "Normalization",
     .config = R"({})",
     .inputs = {"(None, 5, None)"},
     .error = rule::kInputAxis,
     .message = "All `axis` values to be kept must have a known shape. Received axis=(-1,), "
                "inputs.shape=(None, 5, None), with unknown axis at index 2"},
    {.name = "Normalization wants mean and variance together",
     .cls = "Normalization",
     .config = R"({"mean": 1.0})",
     .inputs = {"(None, 5, 3)"},
     .error = rule::kInvalidArgument,
     .message = "When setting values directly, both `mean` and `variance` must be set. Received: "
                "mean=1.0 and variance=None"},
};

}  // namespace

TEST_CASE("Image preprocessing layers follow keras/src/layers/preprocessing/") {
  for (const auto& row : kImageRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("Normalization follows keras/src/layers/preprocessing/normalization.py") {
  for (const auto& row : kNormalizationRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

}  // namespace shapelint::test
