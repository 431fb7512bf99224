// Reshaping layers (Flatten, Reshape, Permute, RepeatVector, ZeroPadding, Cropping, UpSampling).
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

const std::vector<Row> kFlattenRows = {
    {.name = "Flatten multiplies the non-batch dims",
     .cls = "Flatten",
     .config = R"({})",
     .inputs = {"(None, 7, 7, 64)"},
     .outputs = {"(None, 3136)"}},
    {.name = "Flatten of a rank-1 input is (batch, 1)",
     .cls = "Flatten",
     .config = R"({})",
     .inputs = {"(None,)"},
     .outputs = {"(None, 1)"}},
    {.name = "Flatten with an unknown dim gives (batch, None)",
     .cls = "Flatten",
     .config = R"({})",
     .inputs = {"(None, 3, None)"},
     .outputs = {"(None, None)"}},
    {.name = "Flatten keeps a known batch size",
     .cls = "Flatten",
     .config = R"({})",
     .inputs = {"(8, 3, 4)"},
     .outputs = {"(8, 12)"}},
    {.name = "Flatten with channels_first has the same size",
     .cls = "Flatten",
     .config = R"({"data_format": "channels_first"})",
     .inputs = {"(None, 3, 4, 5)"},
     .outputs = {"(None, 60)"}},
    {.name = "Flatten of an unknown-rank input is rank 2 with unknown dims",
     .cls = "Flatten",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"(None, None)"}},
    {.name = "Flatten rejects a rank-0 input",
     .cls = "Flatten",
     .config = R"({})",
     .inputs = {"()"},
     .error = rule::kInputRank},
    {.name = "Flatten reports a size that overflows int64",
     .cls = "Flatten",
     .config = R"({})",
     .inputs = {"(None, 4294967296, 4294967296)"},
     .error = rule::kDimOverflow},
};

const std::vector<Row> kReshapeRows = {
    {.name = "Reshape to a fully given target",
     .cls = "Reshape",
     .config = R"({"target_shape": [7, 112]})",
     .inputs = {"(None, 28, 28)"},
     .outputs = {"(None, 7, 112)"}},
    {.name = "Reshape resolves the -1 from the input size",
     .cls = "Reshape",
     .config = R"({"target_shape": [-1, 4]})",
     .inputs = {"(None, 28, 28)"},
     .outputs = {"(None, 196, 4)"}},
    {.name = "Reshape to a rank-1 target",
     .cls = "Reshape",
     .config = R"({"target_shape": [-1]})",
     .inputs = {"(16, 2, 3)"},
     .outputs = {"(16, 6)"}},
    {.name = "Reshape leaves -1 unknown when an input dim is unknown",
     .cls = "Reshape",
     .config = R"({"target_shape": [-1, 7]})",
     .inputs = {"(None, 28, None)"},
     .outputs = {"(None, None, 7)"}},
    {.name = "Reshape does not check the count when an input dim is unknown",
     .cls = "Reshape",
     .config = R"({"target_shape": [5, 5]})",
     .inputs = {"(None, None, 28)"},
     .outputs = {"(None, 5, 5)"}},
    {.name = "Reshape keeps a None in target_shape unknown (Keras 3)",
     .cls = "Reshape",
     .config = R"({"target_shape": [null, 28]})",
     .inputs = {"(None, 28, 28)"},
     .outputs = {"(None, None, 28)"}},
    {.name = "Reshape of an unknown-rank input has the target's rank",
     .cls = "Reshape",
     .config = R"({"target_shape": [-1, 3]})",
     .inputs = {"?"},
     .outputs = {"(None, None, 3)"}},
    {.name = "Reshape rejects a target with a different element count",
     .cls = "Reshape",
     .config = R"({"target_shape": [5, 5]})",
     .inputs = {"(None, 28, 28)"},
     .error = rule::kReshapeCount,
     .message = "The total size of the tensor must be unchanged. Received: input_shape=(28, 28), "
                "target_shape=(5, 5)"},
    {.name = "Reshape rejects a -1 that cannot divide the input size",
     .cls = "Reshape",
     .config = R"({"target_shape": [-1, 5]})",
     .inputs = {"(None, 28, 28)"},
     .error = rule::kReshapeCount,
     .message = "The total size of the tensor must be unchanged, however, the input size cannot "
                "by divided by the specified dimensions in target_shape. Received: "
                "input_shape=(28, 28), target_shape=(-1, 5)"},
    {.name = "Reshape rejects a -1 next to a zero dim",
     .cls = "Reshape",
     .config = R"({"target_shape": [0, -1]})",
     .inputs = {"(None, 28, 28)"},
     .error = rule::kReshapeCount},
    {.name = "Reshape prints a rank-1 input tail as a one-tuple",
     .cls = "Reshape",
     .config = R"({"target_shape": [3, 3]})",
     .inputs = {"(None, 10)"},
     .error = rule::kReshapeCount,
     .message = "The total size of the tensor must be unchanged. Received: input_shape=(10,), "
                "target_shape=(3, 3)"},
    {.name = "Reshape rejects two -1 entries",
     .cls = "Reshape",
     .config = R"({"target_shape": [-1, -1]})",
     .inputs = {"(None, 28, 28)"},
     .error = rule::kInvalidArgument,
     .message = "There must be at most one unknown dimension (-1) in `target_shape`. Received: "
                "target_shape=(-1, -1)."},
    {.name = "Reshape rejects a dim below -1 in Keras 3",
     .cls = "Reshape",
     .config = R"({"target_shape": [-2, 28]})",
     .inputs = {"(None, 28, 28)"},
     .error = rule::kInvalidArgument,
     .message = "Each dimension in `target_shape` must be a non-negative integer, or `-1` for a "
                "single unknown dimension. Received: target_shape=(-2, 28)."},
    {.name = "Reshape takes a dim below -1 as the unknown one in tf.keras 2",
     .cls = "Reshape",
     .config = R"({"target_shape": [-2, 28]})",
     .inputs = {"(None, 28, 28)"},
     .outputs = {"(None, 28, 28)"},
     .semantics = Semantics::keras2},
    {.name = "Reshape without target_shape is Keras's missing-argument error",
     .cls = "Reshape",
     .config = R"({})",
     .inputs = {"(None, 28, 28)"},
     .error = rule::kInvalidArgument},
};

const std::vector<Row> kPermuteRows = {
    {.name = "Permute reorders the non-batch axes",
     .cls = "Permute",
     .config = R"({"dims": [3, 1, 2]})",
     .inputs = {"(None, 3, 4, 5)"},
     .outputs = {"(None, 5, 3, 4)"}},
    {.name = "Permute moves unknown dims along",
     .cls = "Permute",
     .config = R"({"dims": [2, 1]})",
     .inputs = {"(None, None, 8)"},
     .outputs = {"(None, 8, None)"}},
    {.name = "Permute of an unknown-rank input has rank len(dims) + 1",
     .cls = "Permute",
     .config = R"({"dims": [2, 1]})",
     .inputs = {"?"},
     .outputs = {"(None, None, None)"}},
    {.name = "Permute rejects an input of another rank",
     .cls = "Permute",
     .config = R"({"dims": [2, 1]})",
     .inputs = {"(None, 3, 4, 5)"},
     .error = rule::kInputRank,
     .message = "Input 0 of layer \"layer\" is incompatible with the layer: expected ndim=3, "
                "found ndim=4. Full shape received: (None, 3, 4, 5)"},
    {.name = "Permute rejects dims that are not a permutation of 1..n",
     .cls = "Permute",
     .config = R"({"dims": [3, 1]})",
     .inputs = {"(None, 3, 4, 5)"},
     .error = rule::kInvalidArgument,
     .message = "Invalid permutation argument `dims` for Permute Layer. The set of indices in "
                "`dims` must be consecutive and start from 1. Received dims=[3, 1]"},
    {.name = "Permute rejects the batch axis 0",
     .cls = "Permute",
     .config = R"({"dims": [0, 1, 2]})",
     .inputs = {"(None, 3, 4, 5)"},
     .error = rule::kInvalidArgument},
};

const std::vector<Row> kRepeatVectorRows = {
    {.name = "RepeatVector inserts n as the second axis",
     .cls = "RepeatVector",
     .config = R"({"n": 5})",
     .inputs = {"(None, 32)"},
     .outputs = {"(None, 5, 32)"}},
    {.name = "RepeatVector keeps an unknown feature size",
     .cls = "RepeatVector",
     .config = R"({"n": 5})",
     .inputs = {"(None, None)"},
     .outputs = {"(None, 5, None)"}},
    {.name = "RepeatVector of an unknown-rank input still knows n",
     .cls = "RepeatVector",
     .config = R"({"n": 5})",
     .inputs = {"?"},
     .outputs = {"(None, 5, None)"}},
    {.name = "RepeatVector rejects a rank-3 input",
     .cls = "RepeatVector",
     .config = R"({"n": 5})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInputRank},
    {.name = "RepeatVector rejects n = 0",
     .cls = "RepeatVector",
     .config = R"({"n": 0})",
     .inputs = {"(None, 3)"},
     .error = rule::kInvalidArgument,
     .message = "Argument `n` should be a positive integer. Received: n=0"},
};

const std::vector<Row> kPaddingRows = {
    {.name = "ZeroPadding1D pads the steps by 1 on each side by default",
     .cls = "ZeroPadding1D",
     .config = R"({})",
     .inputs = {"(None, 10, 3)"},
     .outputs = {"(None, 12, 3)"}},
    {.name = "ZeroPadding1D takes a (before, after) pair",
     .cls = "ZeroPadding1D",
     .config = R"({"padding": [1, 2]})",
     .inputs = {"(None, 10, 3)"},
     .outputs = {"(None, 13, 3)"}},
    {.name = "ZeroPadding1D with channels_first pads the last axis",
     .cls = "ZeroPadding1D",
     .config = R"({"padding": [1, 2], "data_format": "channels_first"})",
     .inputs = {"(None, 3, 4)"},
     .outputs = {"(None, 3, 7)"}},
    {.name = "ZeroPadding2D with one int pads both spatial axes",
     .cls = "ZeroPadding2D",
     .config = R"({"padding": 2})",
     .inputs = {"(None, 28, 28, 3)"},
     .outputs = {"(None, 32, 32, 3)"}},
    {.name = "ZeroPadding2D with two ints pads height and width symmetrically",
     .cls = "ZeroPadding2D",
     .config = R"({"padding": [1, 2]})",
     .inputs = {"(None, 28, 28, 3)"},
     .outputs = {"(None, 30, 32, 3)"}},
    {.name = "ZeroPadding2D with pairs and channels_first",
     .cls = "ZeroPadding2D",
     .config = R"({"padding": [[1, 2], [3, 4]], "data_format": "channels_first"})",
     .inputs = {"(None, 3, 4, 5)"},
     .outputs = {"(None, 3, 7, 12)"}},
    {.name = "ZeroPadding2D keeps unknown spatial dims unknown",
     .cls = "ZeroPadding2D",
     .config = R"({"padding": [[1, 2], [3, 4]]})",
     .inputs = {"(1, 2, None, 4)"},
     .outputs = {"(1, 5, None, 4)"}},
    {.name = "ZeroPadding2D accepts a negative bare int as Keras does",
     .cls = "ZeroPadding2D",
     .config = R"({"padding": -1})",
     .inputs = {"(None, 5, 5, 3)"},
     .outputs = {"(None, 3, 3, 3)"}},
    {.name = "ZeroPadding2D reports a negative bare int that empties the tensor",
     .cls = "ZeroPadding2D",
     .config = R"({"padding": -3})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kNonPositiveDim},
    {.name = "ZeroPadding2D rejects a negative entry in a pair",
     .cls = "ZeroPadding2D",
     .config = R"({"padding": [[1, -2], [0, 0]]})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInvalidArgument,
     .message = "The `1st entry of padding` argument must be a tuple of 2 integers. Received 1st "
                "entry of padding=[1, -2], including values {-2} that do not satisfy `value >= "
                "0`"},
    {.name = "ZeroPadding1D rejects a negative amount",
     .cls = "ZeroPadding1D",
     .config = R"({"padding": [1, -2]})",
     .inputs = {"(None, 5, 3)"},
     .error = rule::kInvalidArgument,
     .message = "The `padding` argument must be a tuple of 2 integers. Received padding=[1, -2], "
                "including values {-2} that do not satisfy `value >= 0`"},
    {.name = "ZeroPadding3D pads the three spatial axes",
     .cls = "ZeroPadding3D",
     .config = R"({"padding": [1, 2, 3]})",
     .inputs = {"(None, 3, 4, 5, 6)"},
     .outputs = {"(None, 5, 8, 11, 6)"}},
    {.name = "ZeroPadding3D with pairs and channels_first",
     .cls = "ZeroPadding3D",
     .config = R"({"padding": [[1, 2], [3, 4], [5, 6]], "data_format": "channels_first"})",
     .inputs = {"(1, 5, 2, None, 4)"},
     .outputs = {"(1, 5, 5, None, 15)"}},
    {.name = "ZeroPadding2D of an unknown-rank input is rank 4",
     .cls = "ZeroPadding2D",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"(None, None, None, None)"}},
    {.name = "ZeroPadding2D rejects a rank-3 input",
     .cls = "ZeroPadding2D",
     .config = R"({})",
     .inputs = {"(None, 5, 3)"},
     .error = rule::kInputRank},
    {.name = "ZeroPadding1D rejects a rank-4 input",
     .cls = "ZeroPadding1D",
     .config = R"({})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInputRank},
};

const std::vector<Row> kCroppingRows = {
    {.name = "Cropping1D crops one step from each end by default",
     .cls = "Cropping1D",
     .config = R"({})",
     .inputs = {"(None, 10, 3)"},
     .outputs = {"(None, 8, 3)"}},
    {.name = "Cropping1D takes a (start, end) pair",
     .cls = "Cropping1D",
     .config = R"({"cropping": [2, 3]})",
     .inputs = {"(None, 10, 3)"},
     .outputs = {"(None, 5, 3)"}},
    {.name = "Cropping1D keeps an unknown length unknown",
     .cls = "Cropping1D",
     .config = R"({"cropping": [2, 3]})",
     .inputs = {"(None, None, 3)"},
     .outputs = {"(None, None, 3)"}},
    {.name = "Cropping1D rejects a crop that leaves no steps",
     .cls = "Cropping1D",
     .config = R"({"cropping": [2, 2]})",
     .inputs = {"(None, 4, 3)"},
     .error = rule::kNonPositiveDim,
     .message = "`cropping` parameter of `Cropping1D` layer must be smaller than the input "
                "length. Received: input_shape=(None, 4, 3), cropping=(2, 2)"},
    {.name = "Cropping1D rejects a crop that leaves no steps in tf.keras 2 too",
     .cls = "Cropping1D",
     .config = R"({"cropping": [3, 2]})",
     .inputs = {"(None, 4, 3)"},
     .error = rule::kNonPositiveDim,
     .semantics = Semantics::keras2},
    {.name = "Cropping1D rejects a negative crop",
     .cls = "Cropping1D",
     .config = R"({"cropping": -1})",
     .inputs = {"(None, 4, 3)"},
     .error = rule::kInvalidArgument,
     .message = "The `cropping` argument must be a tuple of 2 integers. Received cropping=-1, "
                "including values {-1} that do not satisfy `value >= 0`"},
    {.name = "Cropping2D crops nothing by default",
     .cls = "Cropping2D",
     .config = R"({})",
     .inputs = {"(None, 28, 28, 3)"},
     .outputs = {"(None, 28, 28, 3)"}},
    {.name = "Cropping2D with pairs",
     .cls = "Cropping2D",
     .config = R"({"cropping": [[2, 2], [4, 4]]})",
     .inputs = {"(None, 28, 28, 3)"},
     .outputs = {"(None, 24, 20, 3)"}},
    {.name = "Cropping2D with pairs and channels_first",
     .cls = "Cropping2D",
     .config = R"({"cropping": [[1, 2], [3, 4]], "data_format": "channels_first"})",
     .inputs = {"(None, 3, 8, 9)"},
     .outputs = {"(None, 3, 5, 2)"}},
    {.name = "Cropping2D with one int crops every side",
     .cls = "Cropping2D",
     .config = R"({"cropping": 1})",
     .inputs = {"(None, 8, None, 3)"},
     .outputs = {"(None, 6, None, 3)"}},
    {.name = "Cropping2D rejects a crop that removes a whole dimension",
     .cls = "Cropping2D",
     .config = R"({"cropping": [[2, 2], [0, 0]]})",
     .inputs = {"(None, 4, 4, 3)"},
     .error = rule::kNonPositiveDim,
     .message = "Values in `cropping` argument should be smaller than the corresponding spatial "
                "dimension of the input. Received: input_shape=(None, 4, 4, 3), cropping=((2, "
                "2), (0, 0))"},
    {.name = "Cropping2D rejects a negative bare int",
     .cls = "Cropping2D",
     .config = R"({"cropping": -1})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInvalidArgument,
     .message = "`cropping` cannot be negative. Received: cropping=-1."},
    {.name = "Cropping2D rejects a negative entry",
     .cls = "Cropping2D",
     .config = R"({"cropping": [1, -1]})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInvalidArgument,
     .message = "The `2nd entry of cropping` argument must be a tuple of 2 integers. Received "
                "2nd entry of cropping=-1, including values {-1} that do not satisfy `value >= "
                "0`"},
    {.name = "Cropping3D crops one from each side by default",
     .cls = "Cropping3D",
     .config = R"({})",
     .inputs = {"(None, 5, 6, 7, 2)"},
     .outputs = {"(None, 3, 4, 5, 2)"}},
    {.name = "Cropping3D with channels_first",
     .cls = "Cropping3D",
     .config = R"({"cropping": [1, 2, 0], "data_format": "channels_first"})",
     .inputs = {"(None, 2, 5, 6, 7)"},
     .outputs = {"(None, 2, 3, 2, 7)"}},
    {.name = "Cropping3D rejects a crop that removes a whole dimension",
     .cls = "Cropping3D",
     .config = R"({"cropping": [[1, 1], [2, 2], [0, 0]]})",
     .inputs = {"(None, 4, 4, 4, 2)"},
     .error = rule::kNonPositiveDim,
     .message = "Values in `cropping` argument should be smaller than the corresponding spatial "
                "dimension of the input. Received: input_shape=(None, 4, 4, 4, 2), "
                "cropping=((1, 1), (2, 2), (0, 0))"},
    {.name = "Cropping2D of an unknown-rank input is rank 4",
     .cls = "Cropping2D",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"(None, None, None, None)"}},
    {.name = "Cropping3D rejects a rank-4 input",
     .cls = "Cropping3D",
     .config = R"({})",
     .inputs = {"(None, 5, 5, 3)"},
     .error = rule::kInputRank},
};

const std::vector<Row> kUpSamplingRows = {
    {.name = "UpSampling1D repeats each step twice by default",
     .cls = "UpSampling1D",
     .config = R"({})",
     .inputs = {"(None, 10, 3)"},
     .outputs = {"(None, 20, 3)"}},
    {.name = "UpSampling1D with size 3 and an unknown length",
     .cls = "UpSampling1D",
     .config = R"({"size": 3})",
     .inputs = {"(None, None, 3)"},
     .outputs = {"(None, None, 3)"}},
    {.name = "UpSampling1D rejects size 0",
     .cls = "UpSampling1D",
     .config = R"({"size": 0})",
     .inputs = {"(None, 3, 4)"},
     .error = rule::kInvalidArgument,
     .message = "Argument `size` should be a positive integer. Received: size=0"},
    {.name = "UpSampling2D doubles height and width by default",
     .cls = "UpSampling2D",
     .config = R"({})",
     .inputs = {"(None, 14, 14, 8)"},
     .outputs = {"(None, 28, 28, 8)"}},
    {.name = "UpSampling2D with two sizes and channels_first",
     .cls = "UpSampling2D",
     .config = R"({"size": [2, 3], "data_format": "channels_first"})",
     .inputs = {"(None, 3, 4, 5)"},
     .outputs = {"(None, 3, 8, 15)"}},
    {.name = "UpSampling2D rejects a zero size",
     .cls = "UpSampling2D",
     .config = R"({"size": [2, 0]})",
     .inputs = {"(None, 3, 4, 5)"},
     .error = rule::kInvalidArgument,
     .message = "The `size` argument must be a tuple of 2 integers. Received size=[2, 0], "
                "including values {0} that do not satisfy `value > 0`"},
    {.name = "UpSampling3D with one int and an unknown dim",
     .cls = "UpSampling3D",
     .config = R"({"size": 2})",
     .inputs = {"(None, 3, None, 5, 2)"},
     .outputs = {"(None, 6, None, 10, 2)"}},
    {.name = "UpSampling3D with channels_first",
     .cls = "UpSampling3D",
     .config = R"({"size": [1, 2, 3], "data_format": "channels_first"})",
     .inputs = {"(None, 2, 3, 4, 5)"},
     .outputs = {"(None, 2, 3, 8, 15)"}},
    {.name = "UpSampling2D of an unknown-rank input is rank 4",
     .cls = "UpSampling2D",
     .config = R"({})",
     .inputs = {"?"},
     .outputs = {"(None, None, None, None)"}},
    {.name = "UpSampling2D rejects a rank-3 input",
     .cls = "UpSampling2D",
     .config = R"({})",
     .inputs = {"(None, 5, 3)"},
     .error = rule::kInputRank},
    {.name = "UpSampling2D reports a size that overflows int64",
     .cls = "UpSampling2D",
     .config = R"({"size": [4611686018427387904, 1]})",
     .inputs = {"(None, 4, 4, 3)"},
     .error = rule::kDimOverflow},
};

}  // namespace

TEST_CASE("Flatten follows keras/src/layers/reshaping/flatten.py") {
  for (const auto& row : kFlattenRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("Reshape follows keras/src/layers/reshaping/reshape.py") {
  for (const auto& row : kReshapeRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("Permute follows keras/src/layers/reshaping/permute.py") {
  for (const auto& row : kPermuteRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("RepeatVector follows keras/src/layers/reshaping/repeat_vector.py") {
  for (const auto& row : kRepeatVectorRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("ZeroPadding1D/2D/3D follow keras/src/layers/reshaping/zero_padding*.py") {
  for (const auto& row : kPaddingRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("Cropping1D/2D/3D follow keras/src/layers/reshaping/cropping*.py") {
  for (const auto& row : kCroppingRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

TEST_CASE("UpSampling1D/2D/3D follow keras/src/layers/reshaping/up_sampling*.py") {
  for (const auto& row : kUpSamplingRows)
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
}

}  // namespace shapelint::test
