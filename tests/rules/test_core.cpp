// Core layers (Dense, Embedding, Masking, Identity, Activation) against Keras 3 / tf.keras 2.
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

const std::vector<Row> kDenseRows = {
    {.name = "Dense maps the last axis of a rank-2 input to units",
     .cls = "Dense",
     .config = R"({"units": 10})",
     .inputs = {"(None, 784)"},
     .outputs = {"(None, 10)"},
     .params = 7850},
    {.name = "Dense without a bias has only the kernel",
     .cls = "Dense",
     .config = R"({"units": 10, "use_bias": false})",
     .inputs = {"(None, 784)"},
     .outputs = {"(None, 10)"},
     .params = 7840},
    {.name = "Dense acts on the last axis of a rank-3 input",
     .cls = "Dense",
     .config = R"({"units": 4})",
     .inputs = {"(None, 5, 3)"},
     .outputs = {"(None, 5, 4)"},
     .params = 16},
    {.name = "Dense keeps an unknown batch and unknown middle dims",
     .cls = "Dense",
     .config = R"({"units": 4})",
     .inputs = {"(None, None, 3)"},
     .outputs = {"(None, None, 4)"},
     .params = 16},
    {.name = "Dense keeps a known batch size",
     .cls = "Dense",
     .config = R"({"units": 4})",
     .inputs = {"(32, 3)"},
     .outputs = {"(32, 4)"},
     .params = 16},
    {.name = "Dense with LoRA freezes the kernel and adds two trainable factors",
     .cls = "Dense",
     .config = R"({"units": 5, "lora_rank": 2})",
     .inputs = {"(None, 3, 6)"},
     .outputs = {"(None, 3, 5)"},
     .params = 57,
     .trainable = 27},
    {.name = "Dense ignores lora_rank in a tf.keras 2 file",
     .cls = "Dense",
     .config = R"({"units": 5, "lora_rank": 2})",
     .inputs = {"(None, 6)"},
     .outputs = {"(None, 5)"},
     .params = 35,
     .semantics = Semantics::keras2},
    {.name = "Dense on an unknown-rank input gives an unknown rank and unknown params",
     .cls = "Dense",
     .config = R"({"units": 4})",
     .inputs = {"?"},
     .outputs = {"?"},
     .params = std::nullopt},
    {.name = "Dense rejects a rank-1 input with Keras's min_ndim wording",
     .cls = "Dense",
     .config = R"({"units": 4})",
     .inputs = {"(None,)"},
     .error = rule::kInputRank,
     .message = "Input 0 of layer \"layer\" is incompatible with the layer: expected "
                "min_ndim=2, found ndim=1. Full shape received: (None,)"},
    {.name = "Dense fails to build when the last dim is unknown (Keras 3 wording)",
     .cls = "Dense",
     .config = R"({"units": 4, "name": "d"})",
     .inputs = {"(None, 5, None)"},
     .error = rule::kInputAxis,
     .message = "Shapes used to initialize variables must be fully-defined (no `None` "
                "dimensions). Received: shape=(None, 4) for variable path='d/kernel'"},
    {.name = "Dense fails to build when the last dim is unknown (tf.keras 2 wording)",
     .cls = "Dense",
     .config = R"({"units": 4})",
     .inputs = {"(None, 5, None)"},
     .error = rule::kInputAxis,
     .message = "The last dimension of the inputs to a Dense layer should be defined. Found "
                "None. Full input shape received: (None, 5, None)",
     .semantics = Semantics::keras2},
    {.name = "Dense rejects zero units",
     .cls = "Dense",
     .config = R"({"units": 0})",
     .inputs = {"(None, 3)"},
     .error = rule::kInvalidArgument,
     .message = "Received an invalid value for `units`, expected a positive integer. "
                "Received: units=0"},
    {.name = "Dense without units is Keras's missing-argument error",
     .cls = "Dense",
     .config = R"({})",
     .inputs = {"(None, 3)"},
     .error = rule::kInvalidArgument,
     .message = "Dense.__init__() missing 1 required positional argument: 'units'"},
};

const std::vector<Row> kEmbeddingRows = {
    {.name = "Embedding appends output_dim to the index shape",
     .cls = "Embedding",
     .config = R"({"input_dim": 1000, "output_dim": 64})",
     .inputs = {"(None, 10)"},
     .outputs = {"(None, 10, 64)"},
     .params = 64000},
    {.name = "Embedding of a rank-1 index tensor is rank 2",
     .cls = "Embedding",
     .config = R"({"input_dim": 10, "output_dim": 4})",
     .inputs = {"(None,)"},
     .outputs = {"(None, 4)"},
     .params = 40},
    {.name = "Embedding keeps unknown sequence lengths",
     .cls = "Embedding",
     .config = R"({"input_dim": 10, "output_dim": 4})",
     .inputs = {"(None, None)"},
     .outputs = {"(None, None, 4)"},
     .params = 40},
    {.name = "Embedding ignores input_length and follows the input (Keras 3)",
     .cls = "Embedding",
     .config = R"({"input_dim": 10, "output_dim": 4, "input_length": 7})",
     .inputs = {"(None, 5, 6)"},
     .outputs = {"(None, 5, 6, 4)"},
     .params = 40},
    {.name = "Embedding takes the length from the input in tf.keras 2 graphs too",
     .cls = "Embedding",
     .config = R"({"input_dim": 10, "output_dim": 4, "input_length": 7})",
     .inputs = {"(None, 5)"},
     .outputs = {"(None, 5, 4)"},
     .params = 40,
     .semantics = Semantics::keras2},
    {.name = "Embedding with LoRA adds input_dim*r + r*output_dim trainable params",
     .cls = "Embedding",
     .config = R"({"input_dim": 10, "output_dim": 4, "lora_rank": 2})",
     .inputs = {"(None, 5)"},
     .outputs = {"(None, 5, 4)"},
     .params = 68,
     .trainable = 28},
    {.name = "Embedding on an unknown-rank input still knows its params",
     .cls = "Embedding",
     .config = R"({"input_dim": 10, "output_dim": 4})",
     .inputs = {"?"},
     .outputs = {"?"},
     .params = 40},
    {.name = "Embedding rejects a zero vocabulary",
     .cls = "Embedding",
     .config = R"({"input_dim": 0, "output_dim": 4})",
     .inputs = {"(None, 5)"},
     .error = rule::kInvalidArgument,
     .message = "`input_dim` must be a positive integer. Received: input_dim=0 (of type int)."},
    {.name = "Embedding rejects a negative output_dim",
     .cls = "Embedding",
     .config = R"({"input_dim": 10, "output_dim": -4})",
     .inputs = {"(None, 5)"},
     .error = rule::kInvalidArgument},
    {.name = "Embedding without output_dim is Keras's missing-argument error",
     .cls = "Embedding",
     .config = R"({"input_dim": 10})",
     .inputs = {"(None, 5)"},
     .error = rule::kInvalidArgument,
     .message = "Embedding.__init__() missing 1 required positional argument: 'output_dim'"},
};

const std::vector<Row> kPassthroughRows = {
    {.name = "Masking returns its input shape",
     .cls = "Masking",
     .config = R"({"mask_value": 0.0})",
     .inputs = {"(None, 20, 8)"},
     .outputs = {"(None, 20, 8)"}},
    {.name = "Masking keeps unknown dims and unknown rank",
     .cls = "Masking",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "Identity returns its input shape",
     .cls = "Identity",
     .config = R"({})",
     .inputs = {"(None, None, 3)"},
     .outputs = {"(None, None, 3)"}},
    {.name = "Identity passes several tensors through unchanged",
     .cls = "Identity",
     .config = R"({})",
     .inputs = {"(None, 3)", "(None, 4, 5)"},
     .outputs = {"(None, 3)", "(None, 4, 5)"}},
    {.name = "Activation returns its input shape",
     .cls = "Activation",
     .config = R"({"activation": "relu"})",
     .inputs = {"(None, 28, 28, 3)"},
     .outputs = {"(None, 28, 28, 3)"}},
    {.name = "Activation on an unknown-rank input stays unknown",
     .cls = "Activation",
     .config = R"({"activation": "softmax"})",
     .inputs = {"?"},
     .outputs = {"?"}},
    {.name = "Activation without an activation is Keras's missing-argument error",
     .cls = "Activation",
     .config = R"({})",
     .inputs = {"(None, 3)"},
     .error = rule::kInvalidArgument},
};

}  // namespace

TEST_CASE("Dense follows keras/src/layers/core/dense.py") {
  for (const auto& row : kDenseRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("Embedding follows keras/src/layers/core/embedding.py") {
  for (const auto& row : kEmbeddingRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("Masking, Identity and Activation pass shapes through") {
  for (const auto& row : kPassthroughRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("Dense on a feature map warns that it acts on the last axis only") {
  RuleRun run = run_rule("Dense", R"({"units": 10})", shapes({"(None, 7, 7, 512)"}));
  INFO(run.describe());
  CHECK_FALSE(run.failed);
  CHECK(run.has(rule::kDenseOnHighRank));
  CHECK(run.outputs == shapes({"(None, 7, 7, 10)"}));
  CHECK(run.params == 5130);
}

TEST_CASE("Dense on a sequence does not warn") {
  RuleRun run = run_rule("Dense", R"({"units": 10})", shapes({"(None, 7, 512)"}));
  CHECK_FALSE(run.has(rule::kDenseOnHighRank));
}

}  // namespace shapelint::test
