// Regularization layers (Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
// AlphaDropout, ActivityRegularization).
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

const std::vector<Row> kRows = {
    {.name = "Dropout keeps its input shape",
     .cls = "Dropout",
     .config = R"({"rate": 0.5})",
     .inputs = {"(None, 128)"},
     .outputs = {"(None, 128)"}},
    {.name = "Dropout keeps unknown dims and unknown rank",
     .cls = "Dropout",
     .config = R"({"rate": 0.5, "noise_shape": [null, 1, null]})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "Dropout accepts rate 0 and rate 1",
     .cls = "Dropout",
     .config = R"({"rate": 1})",
     .inputs = {"(None, None, 3)"},
     .outputs = {"(None, None, 3)"}},
    {.name = "Dropout rejects a rate above 1 (Keras 3 wording)",
     .cls = "Dropout",
     .config = R"({"rate": 1.5})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "Invalid value received for argument `rate`. Expected a float value between 0 and "
                "1. Received: rate=1.5"},
    {.name = "Dropout rejects a negative rate (tf.keras 2 wording)",
     .cls = "Dropout",
     .config = R"({"rate": -0.5})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "Invalid value -0.5 received for `rate`, expected a value between 0 and 1.",
     .semantics = Semantics::keras2},
    {.name = "Dropout rejects a zero in noise_shape in Keras 3",
     .cls = "Dropout",
     .config = R"({"rate": 0.5, "noise_shape": [null, 1, 0]})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "Invalid value received for argument `noise_shape`. Expected all dimensions to be "
                "positive integers or None. Received negative or zero value at index 2: 0"},
    {.name = "Dropout without rate is Keras's missing-argument error",
     .cls = "Dropout",
     .config = R"({})",
     .inputs = {"(None, 3)"},
     .error = rule::kInvalidArgument,
     .message = "Dropout.__init__() missing 1 required positional argument: 'rate'"},
    {.name = "SpatialDropout1D keeps a rank-3 input",
     .cls = "SpatialDropout1D",
     .config = R"({"rate": 0.2})",
     .inputs = {"(None, None, 16)"},
     .outputs = {"(None, None, 16)"}},
    {.name = "SpatialDropout1D rejects a rank-2 input",
     .cls = "SpatialDropout1D",
     .config = R"({"rate": 0.2})",
     .inputs = {"(None, 16)"},
     .error = rule::kInputRank},
    {.name = "SpatialDropout2D keeps a rank-4 input",
     .cls = "SpatialDropout2D",
     .config = R"({"rate": 0.2, "data_format": "channels_first"})",
     .inputs = {"(None, 3, 32, 32)"},
     .outputs = {"(None, 3, 32, 32)"}},
    {.name = "SpatialDropout2D rejects a rank-3 input",
     .cls = "SpatialDropout2D",
     .config = R"({"rate": 0.5})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInputRank,
     .message = "Input 0 of layer \"layer\" is incompatible with the layer: expected ndim=4, "
                "found ndim=3. Full shape received: (None, 3, 4)"},
    {.name = "SpatialDropout3D keeps a rank-5 input",
     .cls = "SpatialDropout3D",
     .config = R"({"rate": 0.2})",
     .inputs = {"(None, 4, 4, 4, 2)"},
     .outputs = {"(None, 4, 4, 4, 2)"}},
    {.name = "SpatialDropout3D on an unknown-rank input stays unknown",
     .cls = "SpatialDropout3D",
     .config = R"({"rate": 0.2})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "SpatialDropout3D rejects a rate above 1",
     .cls = "SpatialDropout3D",
     .config = R"({"rate": 3})",
     .inputs = {"(None, 4, 4, 4, 2)"},
     .error = rule::kInvalidArgument},
    {.name = "GaussianNoise keeps its input shape",
     .cls = "GaussianNoise",
     .config = R"({"stddev": 0.1})",
     .inputs = {"(None, 10)"},
     .outputs = {"(None, 10)"}},
    {.name = "GaussianNoise rejects a stddev above 1 in Keras 3",
     .cls = "GaussianNoise",
     .config = R"({"stddev": 1.5})",
     .inputs = {"(None, 10)"},
     .error = rule::kInvalidArgument,
     .message = "Invalid value received for argument `stddev`. Expected a float value between 0 "
                "and 1. Received: stddev=1.5"},
    {.name = "GaussianNoise accepts any stddev in tf.keras 2",
     .cls = "GaussianNoise",
     .config = R"({"stddev": 1.5})",
     .inputs = {"(None, 10)"},
     .outputs = {"(None, 10)"},
     .semantics = Semantics::keras2},
    {.name = "GaussianDropout keeps its input shape",
     .cls = "GaussianDropout",
     .config = R"({"rate": 0.3})",
     .inputs = {"(None, 5, 5)"},
     .outputs = {"(None, 5, 5)"}},
    {.name = "GaussianDropout rejects a rate above 1 in Keras 3",
     .cls = "GaussianDropout",
     .config = R"({"rate": 2.0})",
     .inputs = {"(None, 5)"},
     .error = rule::kInvalidArgument},
    {.name = "AlphaDropout keeps its input shape",
     .cls = "AlphaDropout",
     .config = R"({"rate": 0.1})",
     .inputs = {"(None, 7)"},
     .outputs = {"(None, 7)"}},
    {.name = "AlphaDropout rejects a rate above 1 in Keras 3",
     .cls = "AlphaDropout",
     .config = R"({"rate": 2})",
     .inputs = {"(None, 7)"},
     .error = rule::kInvalidArgument,
     .message = "Invalid value received for argument `rate`. Expected a float value between 0 and "
                "1. Received: rate=2"},
    {.name = "AlphaDropout accepts any rate in tf.keras 2",
     .cls = "AlphaDropout",
     .config = R"({"rate": 2})",
     .inputs = {"(None, 7)"},
     .outputs = {"(None, 7)"},
     .semantics = Semantics::keras2},
    {.name = "ActivityRegularization keeps its input shape",
     .cls = "ActivityRegularization",
     .config = R"({"l1": 0.01})",
     .inputs = {"(None, 3, None)"},
     .outputs = {"(None, 3, None)"}},
};

}  // namespace

TEST_CASE("Regularization layers follow keras/src/layers/regularization/") {
  for (const auto& row : kRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

}  // namespace shapelint::test
