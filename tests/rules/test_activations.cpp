// Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU).
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
    {.name = "ReLU keeps its input shape",
     .cls = "ReLU",
     .config = R"({"max_value": 6.0})",
     .inputs = {"(None, 28, 28, 3)"},
     .outputs = {"(None, 28, 28, 3)"}},
    {.name = "ReLU keeps unknown dims and unknown rank",
     .cls = "ReLU",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "ReLU rejects a negative max_value",
     .cls = "ReLU",
     .config = R"({"max_value": -1.0})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "max_value of a ReLU layer cannot be a negative value. Received: max_value=-1.0"},
    {.name = "ReLU rejects a negative negative_slope",
     .cls = "ReLU",
     .config = R"({"negative_slope": -1})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "negative_slope of a ReLU layer cannot be None or a negative value. Received: "
                "negative_slope=-1"},
    {.name = "ReLU rejects a negative threshold",
     .cls = "ReLU",
     .config = R"({"threshold": -0.5})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument},
    {.name = "LeakyReLU keeps its input shape",
     .cls = "LeakyReLU",
     .config = R"({"negative_slope": 0.1})",
     .inputs = {"(None, None, 8)"},
     .outputs = {"(None, None, 8)"}},
    {.name = "LeakyReLU rejects a negative slope in Keras 3",
     .cls = "LeakyReLU",
     .config = R"({"negative_slope": -0.5})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "The negative_slope value of a Leaky ReLU layer cannot be None or negative "
                "value. Expected a float. Received: negative_slope=-0.5"},
    {.name = "LeakyReLU reads the legacy alpha in Keras 3",
     .cls = "LeakyReLU",
     .config = R"({"alpha": -0.5})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument},
    {.name = "LeakyReLU accepts a negative alpha in tf.keras 2",
     .cls = "LeakyReLU",
     .config = R"({"alpha": -0.5})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"},
     .semantics = Semantics::keras2},
    {.name = "ELU keeps its input shape",
     .cls = "ELU",
     .config = R"({"alpha": 1.0})",
     .inputs = {"(None, 5)"},
     .outputs = {"(None, 5)"}},
    {.name = "Softmax keeps its input shape whatever the axis",
     .cls = "Softmax",
     .config = R"({"axis": 5})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"}},
    {.name = "Softmax over several axes keeps its input shape",
     .cls = "Softmax",
     .config = R"({"axis": [1, 2]})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "ThresholdedReLU keeps its input shape",
     .cls = "ThresholdedReLU",
     .config = R"({"theta": 1.0})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"},
     .semantics = Semantics::keras2},
    {.name = "ThresholdedReLU rejects a negative theta",
     .cls = "ThresholdedReLU",
     .config = R"({"theta": -1.0})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "The theta value of a Thresholded ReLU layer should be >=0. Received: -1.0",
     .semantics = Semantics::keras2},
    {.name = "PReLU has one alpha per input element",
     .cls = "PReLU",
     .config = R"({})",
     .inputs = {"(None, 3, 4, 5)"},
     .outputs = {"(None, 3, 4, 5)"},
     .params = 60},
    {.name = "PReLU shares alpha over shared_axes",
     .cls = "PReLU",
     .config = R"({"shared_axes": [1, 2]})",
     .inputs = {"(None, 3, 4, 5)"},
     .outputs = {"(None, 3, 4, 5)"},
     .params = 5},
    {.name = "PReLU accepts a single shared axis as an int",
     .cls = "PReLU",
     .config = R"({"shared_axes": 1})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"},
     .params = 4},
    {.name = "PReLU shared_axes 0 indexes from the end as Python does",
     .cls = "PReLU",
     .config = R"({"shared_axes": 0})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 4)"},
     .params = 3},
    {.name = "PReLU tolerates an unknown dim on a shared axis",
     .cls = "PReLU",
     .config = R"({"shared_axes": [2]})",
     .inputs = {"(None, 3, None, 5)"},
     .outputs = {"(None, 3, None, 5)"},
     .params = 15},
    {.name = "PReLU on a rank-1 input has a scalar alpha",
     .cls = "PReLU",
     .config = R"({})",
     .inputs = {"(None,)"},
     .outputs = {"(None,)"},
     .params = 1},
    {.name = "PReLU on an unknown-rank input has unknown params",
     .cls = "PReLU",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"?"},
     .params = std::nullopt},
    {.name = "PReLU cannot build alpha over an unknown unshared dim",
     .cls = "PReLU",
     .config = R"({"name": "p"})",
     .inputs = {"(None, 3, None, 5)"},
     .error = rule::kInputAxis,
     .message = "Shapes used to initialize variables must be fully-defined (no `None` "
                "dimensions). Received: shape=(3, None, 5) for variable path='p/alpha'"},
    {.name = "PReLU rejects a shared axis beyond the input rank",
     .cls = "PReLU",
     .config = R"({"shared_axes": [4]})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "list assignment index out of range"},
};

}  // namespace

TEST_CASE("Activation layers follow keras/src/layers/activations/") {
  for (const auto& row : kRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

}  // namespace shapelint::test
