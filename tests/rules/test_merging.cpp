// Tests of the merging family (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate,
// Dot). Expected shapes, params and messages come from the Keras 3 oracle (Keras 3.16) and the
// tfjs oracle (tf.keras 2 semantics), run on one-layer functional models.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/diag/catalog.hpp"
#include "support/rule_harness.hpp"

namespace {

using shapelint::Semantics;
using shapelint::Shapes;
namespace rule = shapelint::rule;

struct Row {
  std::string name;
  std::string cls;
  std::string config;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;  ///< expected shapes; empty when an error is expected
  std::string_view error = {};       ///< expected rule id of the error
  std::string message = {};          ///< expected message (exact), when given
  Semantics semantics = Semantics::keras3;
};

Shapes parse_all(const std::vector<std::string>& texts) {
  Shapes out;
  for (const auto& t : texts)
    out.push_back(shapelint::test::shape(t));
  return out;
}

void check(const Row& row) {
  auto run = shapelint::test::run_rule(row.cls, row.config, parse_all(row.inputs), row.semantics);
  INFO(run.describe());
  REQUIRE(run.found);
  if (row.error.empty()) {
    CHECK_FALSE(run.failed);
    CHECK(run.outputs == parse_all(row.outputs));
    CHECK(run.params == std::optional<std::int64_t>(0));
    return;
  }
  CHECK(run.failed);
  CHECK(run.has(row.error));
  if (!row.message.empty()) {
    REQUIRE_FALSE(run.diagnostics.empty());
    CHECK(run.diagnostics.front().message == row.message);
  }
}

const std::vector<Row> kElementwiseRows = {
    {"Add of two equal shapes keeps the shape",
     "Add",
     "{}",
     {"(None, 3)", "(None, 3)"},
     {"(None, 3)"}},
    {"Add broadcasts size-1 axes against each other",
     "Add",
     "{}",
     {"(None, 1, 3)", "(None, 4, 1)"},
     {"(None, 4, 3)"}},
    {"Add aligns inputs of different ranks at the last axis",
     "Add",
     "{}",
     {"(None, 3)", "(None, 5, 3)"},
     {"(None, 5, 3)"}},
    {"Add broadcasts a trailing 1 of the longer input",
     "Add",
     "{}",
     {"(None, 4)", "(None, 5, 1)"},
     {"(None, 5, 4)"}},
    {"Add of a batch-only input keeps the other shape",
     "Add",
     "{}",
     {"(None, 4, 3)", "(None,)"},
     {"(None, 4, 3)"}},
    {"Add of None and a known size gives None",
     "Add",
     "{}",
     {"(None, 3)", "(None, None)"},
     {"(None, None)"}},
    {"Add of None and 1 gives None", "Add", "{}", {"(None, 1)", "(None, None)"}, {"(None, None)"}},
    {"Multiply keeps the one known batch size",
     "Multiply",
     "{}",
     {"(2, 3)", "(None, 3)"},
     {"(2, 3)"}},
    {"Average of three inputs folds them left to right",
     "Average",
     "{}",
     {"(None, 4, 1)", "(None, 1, 3)", "(None, 4, 3)"},
     {"(None, 4, 3)"}},
    {"Maximum broadcasts the shorter input over leading axes",
     "Maximum",
     "{}",
     {"(None, 4, 3)", "(None, 2, 4, 3)"},
     {"(None, 2, 4, 3)"}},
    {"Minimum of equal shapes keeps the shape", "Minimum", "{}", {"(8, 2)", "(8, 2)"}, {"(8, 2)"}},
    {"Subtract of two inputs keeps the shape",
     "Subtract",
     "{}",
     {"(None, 16)", "(None, 16)"},
     {"(None, 16)"}},
    {"An input of unknown rank makes the merged shape unknown",
     "Add",
     "{}",
     {"(None, 3)", "?"},
     {"?"}},
    {"Add refuses sizes that cannot broadcast",
     "Add",
     "{}",
     {"(None, 3)", "(None, 4)"},
     {},
     rule::kMergeMismatch,
     "Inputs have incompatible shapes. Received shapes (3,) and (4,)"},
    {"Add reports the partial result it failed to broadcast",
     "Add",
     "{}",
     {"(None, 4, 3)", "(None, 2, 3)", "(None, 4, 3)"},
     {},
     rule::kMergeMismatch,
     "Inputs have incompatible shapes. Received shapes (4, 3) and (2, 3)"},
    {"Add names the longer shape first",
     "Multiply",
     "{}",
     {"(None, 4)", "(None, 2, 5)"},
     {},
     rule::kMergeMismatch,
     "Inputs have incompatible shapes. Received shapes (2, 5) and (4,)"},
    {"Add refuses different known batch sizes",
     "Add",
     "{}",
     {"(2, 3)", "(4, 3)"},
     {},
     rule::kMergeMismatch,
     "Cannot merge tensors with different batch sizes. Received tensors with shapes [(2, 3), (4, "
     "3)]"},
    {"Add of a single tensor is refused in Keras 3's words",
     "Add",
     "{}",
     {"(None, 3)"},
     {},
     rule::kInputCount,
     "A merge layer should be called on a list of inputs. Received: input_shape=(None, 3) (not a "
     "list of shapes)"},
    {"Add of a single tensor is refused in tf.keras 2's words",
     "Add",
     "{}",
     {"(None, 3)"},
     {},
     rule::kInputCount,
     "A merge layer should be called on a list of at least 2 inputs. Got 1 inputs.",
     Semantics::keras2},
    {"Subtract of a single tensor fails in the merge base first",
     "Subtract",
     "{}",
     {"(None, 3)"},
     {},
     rule::kInputCount,
     "A merge layer should be called on a list of inputs. Received: input_shape=(None, 3) (not a "
     "list of shapes)"},
    {"Subtract of three inputs is refused",
     "Subtract",
     "{}",
     {"(None, 3)", "(None, 3)", "(None, 3)"},
     {},
     rule::kInputCount,
     "A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[(None, 3), "
     "(None, 3), (None, 3)]"},
    {"Unknown dims never make an elementwise merge fail",
     "Add",
     "{}",
     {"(None, None, 3)", "(None, 7, None)"},
     {"(None, None, None)"}},
};

const std::vector<Row> kConcatenateRows = {
    {"Concatenate on the last axis by default",
     "Concatenate",
     "{}",
     {"(None, 3)", "(None, 4)"},
     {"(None, 7)"}},
    {"Concatenate on axis 1 sums that axis",
     "Concatenate",
     R"({"axis": 1})",
     {"(None, 3, 4)", "(None, 5, 4)"},
     {"(None, 8, 4)"}},
    {"Concatenate keeps the first input's other dims",
     "Concatenate",
     R"({"axis": -1})",
     {"(None, 3, 4)", "(None, None, 6)"},
     {"(None, 3, 10)"}},
    {"Concatenate along an unknown size gives None",
     "Concatenate",
     R"({"axis": -2})",
     {"(None, 3, 4)", "(None, None, 4)"},
     {"(None, None, 4)"}},
    {"Concatenate on the batch axis adds batch sizes",
     "Concatenate",
     R"({"axis": 0})",
     {"(2, 3)", "(5, 3)"},
     {"(7, 3)"}},
    {"Concatenate of three inputs sums all of them",
     "Concatenate",
     R"({"axis": 1})",
     {"(None, 1, 2)", "(None, 2, 2)", "(None, 3, 2)"},
     {"(None, 6, 2)"}},
    {"Concatenate with an input of unknown rank leaves the axis unknown",
     "Concatenate",
     "{}",
     {"(None, 3)", "?"},
     {"(None, None)"}},
    {"Concatenate of inputs of unknown rank has unknown rank",
     "Concatenate",
     "{}",
     {"?", "?"},
     {"?"}},
    {"Concatenate refuses other axes that differ",
     "Concatenate",
     R"({"axis": 1})",
     {"(None, 3, 4)", "(None, 5, 6)"},
     {},
     rule::kMergeMismatch,
     "A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
     "axis. Received: input_shape=[(None, 3, 4), (None, 5, 6)]"},
    {"Concatenate compares known batch sizes too",
     "Concatenate",
     R"({"axis": 1})",
     {"(2, 3)", "(5, 3)"},
     {},
     rule::kMergeMismatch,
     "A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
     "axis. Received: input_shape=[(2, 3), (5, 3)]"},
    {"Concatenate refuses inputs of different ranks",
     "Concatenate",
     "{}",
     {"(None, 3)", "(None, 4, 3)"},
     {},
     rule::kMergeMismatch},
    {"Concatenate refuses an axis beyond the rank",
     "Concatenate",
     R"({"axis": 3})",
     {"(None, 3, 4)", "(None, 3, 4)"},
     {},
     rule::kInvalidArgument},
    {"Concatenate refuses a negative axis beyond the rank",
     "Concatenate",
     R"({"axis": -4})",
     {"(None, 3, 4)", "(None, 3, 4)"},
     {},
     rule::kInvalidArgument},
    {"Concatenate of a single tensor is refused",
     "Concatenate",
     "{}",
     {"(None, 3)"},
     {},
     rule::kInputCount,
     "A `Concatenate` layer should be called on a list of at least 1 input. Received: "
     "input_shape=(None, 3)"},
};

const std::vector<Row> kDotRows = {
    {"Dot of two vectors gives one value per sample",
     "Dot",
     R"({"axes": 1})",
     {"(None, 3)", "(None, 3)"},
     {"(None, 1)"}},
    {"Dot with normalize keeps the shape",
     "Dot",
     R"({"axes": 1, "normalize": true})",
     {"(None, 3)", "(None, 3)"},
     {"(None, 1)"}},
    {"Dot on the last axes of two sequences",
     "Dot",
     R"({"axes": -1})",
     {"(None, 5, 3)", "(None, 4, 3)"},
     {"(None, 5, 4)"}},
    {"Dot with an axis per input",
     "Dot",
     R"({"axes": [1, 2]})",
     {"(None, 5, 3)", "(None, 4, 5)"},
     {"(None, 3, 4)"}},
    {"Dot with negative axes per input",
     "Dot",
     R"({"axes": [-2, -1]})",
     {"(None, 5, 3)", "(None, 4, 5)"},
     {"(None, 3, 4)"}},
    {"Dot wraps a single negative axis modulo the rank",
     "Dot",
     R"({"axes": -4})",
     {"(None, 5, 3)", "(None, 5, 3)"},
     {"(None, 5, 5)"}},
    {"Dot on axis 0 follows Keras's shape formula",
     "Dot",
     R"({"axes": 0})",
     {"(None, 5, 3)", "(None, 5, 3)"},
     {"(5, 3, 3)"}},
    {"Dot keeps the first input's batch size and does not compare them",
     "Dot",
     R"({"axes": [1, 2]})",
     {"(2, 5, 3)", "(3, 4, 5)"},
     {"(2, 3, 4)"}},
    {"Dot of inputs of unknown rank has unknown rank",
     "Dot",
     R"({"axes": 1})",
     {"?", "(None, 3)"},
     {"?"}},
    {"Dot accepts None against None on the axes",
     "Dot",
     R"({"axes": 1})",
     {"(None, None, 2)", "(None, None, 3)"},
     {"(None, 2, 3)"}},
    {"Dot refuses different sizes on the axes",
     "Dot",
     R"({"axes": 1})",
     {"(None, 5, 3)", "(None, 4)"},
     {},
     rule::kDotAxes,
     "Incompatible input shapes: axis values 5 (at axis 1) != 4 (at axis 1). Full input shapes: "
     "(None, 5, 3), (None, 4)"},
    {"Dot refuses None against a known size, as Keras does",
     "Dot",
     R"({"axes": 1})",
     {"(None, 3)", "(None, None)"},
     {},
     rule::kDotAxes,
     "Incompatible input shapes: axis values 3 (at axis 1) != None (at axis 1). Full input "
     "shapes: (None, 3), (None, None)"},
    {"Dot quotes a pair of axes as written",
     "Dot",
     R"({"axes": [-2, -1]})",
     {"(None, 5, 3)", "(None, 4, 6)"},
     {},
     rule::kDotAxes,
     "Incompatible input shapes: axis values 5 (at axis -2) != 6 (at axis -1). Full input "
     "shapes: (None, 5, 3), (None, 4, 6)"},
    {"Dot refuses an axis beyond an input's rank",
     "Dot",
     R"({"axes": 2})",
     {"(None, 5, 3)", "(None, 4)"},
     {},
     rule::kDotAxes},
    {"Dot refuses a negative pair axis beyond the rank",
     "Dot",
     R"({"axes": [-4, -1]})",
     {"(None, 5, 3)", "(None, 4, 6)"},
     {},
     rule::kDotAxes},
    {"Dot refuses three inputs",
     "Dot",
     R"({"axes": 1})",
     {"(None, 3)", "(None, 3)", "(None, 3)"},
     {},
     rule::kInputCount,
     "A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=[(None, 3), "
     "(None, 3), (None, 3)]"},
    {"Dot refuses a single tensor",
     "Dot",
     R"({"axes": 1})",
     {"(None, 3)"},
     {},
     rule::kInputCount,
     "A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=(None, 3)"},
    {"Dot refuses a list of three axes",
     "Dot",
     R"({"axes": [1, 2, 3]})",
     {"(None, 5, 3)", "(None, 4, 5)"},
     {},
     rule::kInvalidArgument,
     "Invalid format for argument `axes`: it should contain two elements. Received: axes=[1, 2, "
     "3]"},
    {"Dot without axes is refused",
     "Dot",
     "{}",
     {"(None, 3)", "(None, 3)"},
     {},
     rule::kInvalidArgument},
};

}  // namespace

TEST_CASE("Element-wise merges broadcast their inputs as Keras does") {
  for (const auto& row : kElementwiseRows) {
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
  }
}

TEST_CASE("Concatenate joins inputs along one axis and checks the others") {
  for (const auto& row : kConcatenateRows) {
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
  }
}

TEST_CASE("Dot contracts one axis of each input") {
  for (const auto& row : kDotRows) {
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
  }
}

TEST_CASE("Dot with a malformed axes value reports it and leaves the shape unknown") {
  auto run = shapelint::test::run_rule(
      "Dot", R"({"axes": "last"})", shapelint::test::shapes({"(None, 3)", "(None, 3)"}));
  INFO(run.describe());
  CHECK(run.has(rule::kBadConfigValue));
  CHECK(run.outputs == shapelint::test::shapes({"?"}));
}
