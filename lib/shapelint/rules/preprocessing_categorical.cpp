// Shape rules for Keras's categorical and text preprocessing layers
// (keras/src/layers/preprocessing/): CategoryEncoding, Discretization, Hashing,
// HashedCrossing, StringLookup, IntegerLookup and TextVectorization. They have no weights
// Keras counts; what varies is the encoded axis, sized by `num_tokens`, `num_bins`, the bin
// boundaries or the vocabulary.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/layer_checks.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

using nlohmann::json;

/// Python's repr of a config value in a message: None, 3, 'text' or [1, 2].
std::string python_repr(JsonValue v) {
  if (!v || v->is_null())
    return "None";
  if (v->is_string())
    return v->get<std::string>();
  if (v->is_boolean())
    return v->get<bool>() ? "True" : "False";
  return v->dump();
}

/// `output_mode`, with the deprecated spellings Keras still maps ("binary", "tf-idf").
std::string output_mode(const LayerCall& c, std::string_view fallback) {
  std::string mode = c.config().get_string("output_mode", fallback);
  if (mode == "binary")
    return "multi_hot";
  if (mode == "tf-idf")
    return "tf_idf";
  return mode;
}

/// Keras's `validate_string_arg` error.
bool require_one_of(LayerCall& c,
                    std::string_view cls,
                    std::string_view arg,
                    const std::string& value,
                    std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end())
    return true;
  std::vector<std::string> quoted;
  for (auto a : allowed)
    quoted.push_back(fmt::format("'{}'", a));
  c.error(rule::kInvalidArgument,
          fmt::format("Unknown value for `{}` argument of {}. Allowed values are: ({}). "
                      "Received: {}={}",
                      arg,
                      cls,
                      fmt::join(quoted, ", "),
                      arg,
                      value),
          fmt::format("use one of {} for {}", fmt::join(quoted, ", "), arg));
  return false;
}

bool invalid(LayerCall& c, std::string message, std::string hint) {
  c.error(rule::kInvalidArgument, std::move(message), std::move(hint));
  return false;
}

Shape append(const Shape& s, Dim d) {
  Shape out = s;
  out.dims().push_back(d);
  return out;
}

/// `shape[:-1] + (d,)`.
Shape replace_last(const Shape& s, Dim d) {
  Shape out = s;
  if (out.rank() == 0)
    out.dims().push_back(d);
  else
    out.dims().back() = d;
  return out;
}

/// Python's `shape[-1] != 1` on a tuple: a None differs from 1.
bool last_is_one(const Shape& s) {
  return s.rank() > 0 && s.dims().back().equals(1);
}

// ---- CategoryEncoding --------------------------------------------------------------------

// Mirrors keras/src/layers/preprocessing/category_encoding.py: input[:-1] + (num_tokens,);
// one_hot appends the axis unless the last one is 1 (a rank-1 input always appends).
void infer_category_encoding(LayerCall& c) {
  const std::string mode = output_mode(c, "multi_hot");
  if (mode != "count" && mode != "one_hot" && mode != "multi_hot") {
    invalid(c,
            fmt::format("Unknown arg for output_mode: {}", mode),
            "use output_mode 'one_hot', 'multi_hot' or 'count'");
    return;
  }
  auto tokens = c.config().get_optional_int("num_tokens");
  if (!c.config().has("num_tokens")) {
    invalid(c,
            "num_tokens must be set to use this layer. If the number of tokens is not known "
            "beforehand, use the IntegerLookup layer instead.",
            fmt::format("set num_tokens on '{}'", c.layer_name()));
    return;
  }
  if (tokens && *tokens < 1) {
    invalid(c,
            fmt::format("`num_tokens` must be >= 1. Received: num_tokens={}.", *tokens),
            fmt::format("give '{}' at least one token", c.layer_name()));
    return;
  }
  const Shape& in = c.input();
  if (!tokens || !in.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  const Dim n = Dim::of(*tokens);
  if (in.rank() == 0)
    c.outputs = {Shape{n}};
  else if (mode == "one_hot" && (!last_is_one(in) || in.rank() == 1))
    c.outputs = {append(in, n)};
  else
    c.outputs = {replace_last(in, n)};
}

// ---- Discretization ----------------------------------------------------------------------

bool check_discretization_args(LayerCall& c, const std::string& mode) {
  // (Keras also refuses sparse=True on backends without sparse tensors: which backend will
  // load the file is not in it.)
  if (c.config().get_bool("sparse", false) && mode == "int")
    return invalid(c,
                   fmt::format("`sparse=True` may only be used if `output_mode` is `'one_hot'`, "
                               "`'multi_hot'`, or `'count'`. Received: sparse=True and "
                               "output_mode={}",
                               mode),
                   "drop sparse=True or use another output_mode");
  if (!require_one_of(
          c, "Discretization", "output_mode", mode, {"int", "one_hot", "multi_hot", "count"}))
    return false;
  auto bins = c.config().get_optional_int("num_bins");
  if (bins && *bins < 0)
    return invalid(c,
                   fmt::format("`num_bins` must be greater than or equal to 0. Received: "
                               "`num_bins={}`",
                               *bins),
                   "use a non-negative num_bins");
  // Both are set after `adapt`: `from_config` then builds the layer from num_bins and
  // applies the boundaries afterwards, so they win.
  const bool has_boundaries = c.config().has("bin_boundaries");
  if (!c.config().has("num_bins") && !has_boundaries)
    return invalid(c,
                   "You need to set either `num_bins` or `bin_boundaries`.",
                   "set num_bins or bin_boundaries");
  return true;
}

// Mirrors keras/src/layers/preprocessing/discretization.py: int keeps the shape; one_hot
// appends `depth` (replacing a last axis of 1); multi_hot and count give
// (input[0],) + input[2:] + (depth,). depth = len(bin_boundaries) + 1, else num_bins.
void infer_discretization(LayerCall& c) {
  // Discretization does not map the deprecated "binary" spelling.
  const std::string mode = c.config().get_string("output_mode", "int");
  if (!check_discretization_args(c, mode))
    return;
  const Shape& in = c.input();
  if (mode == "int" || !in.has_rank()) {
    c.outputs = {in};
    return;
  }
  JsonValue bounds = c.config().raw("bin_boundaries");
  const Dim depth = bounds && bounds->is_array()
                        ? Dim::of(static_cast<std::int64_t>(bounds->size()) + 1)
                        : (c.config().get_optional_int("num_bins")
                               ? Dim::of(*c.config().get_optional_int("num_bins"))
                               : Dim::unknown());
  if (mode == "one_hot") {
    c.outputs = {in.rank() > 1 && last_is_one(in) ? replace_last(in, depth) : append(in, depth)};
    return;
  }
  if (in.rank() >= 2) {
    DimVector out{in.at(0)};
    out.insert(out.end(), in.dims().begin() + 2, in.dims().end());
    out.push_back(depth);
    c.outputs = {Shape(std::move(out))};
  } else {
    c.outputs = {Shape{depth}};
  }
}

// ---- Hashing and HashedCrossing ----------------------------------------------------------

bool check_sparse_mode(LayerCall& c, const std::string& mode, std::string_view modes) {
  if (!c.config().get_bool("sparse", false) || mode != "int")
    return true;
  return invalid(c,
                 fmt::format("`sparse` may only be true if `output_mode` is {}. Received: "
                             "sparse=True and output_mode={}",
                             modes,
                             mode),
                 "drop sparse=True or use another output_mode");
}

// Mirrors keras/src/layers/preprocessing/hashing.py: int keeps the shape; the other modes
// encode the last axis into `num_bins`.
void infer_hashing(LayerCall& c) {
  auto bins = c.config().get_optional_int("num_bins");
  if (!bins || *bins <= 0) {
    invalid(c,
            fmt::format("The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                        "Received: num_bins={}.",
                        python_repr(c.config().raw("num_bins"))),
            fmt::format("give '{}' a positive num_bins", c.layer_name()));
    return;
  }
  const std::string mode = c.config().get_string("output_mode", "int");
  if (mode != "int" && mode != "one_hot" && mode != "multi_hot" && mode != "count") {
    invalid(c,
            fmt::format("Invalid value for argument `output_mode`. Expected one of ('int', "
                        "'one_hot', 'multi_hot', 'count'). Received: output_mode={}",
                        mode),
            "use output_mode 'int', 'one_hot', 'multi_hot' or 'count'");
    return;
  }
  if (!check_sparse_mode(c, mode, "`\"one_hot\"`, `\"multi_hot\"`, or `\"count\"`"))
    return;
  const Shape& in = c.input();
  if (mode == "int" || !in.has_rank())
    c.outputs = {in};
  else
    c.outputs = {in.rank() == 0 ? Shape{Dim::of(*bins)} : replace_last(in, Dim::of(*bins))};
}

// Mirrors keras/src/layers/preprocessing/hashed_crossing.py: two inputs whose last axes are
// equal; int keeps the first input's shape, one_hot encodes its last axis into `num_bins`
// (appending it unless that axis is 1).
void infer_hashed_crossing(LayerCall& c) {
  if (!require_arguments(c, "HashedCrossing", {"num_bins"}))
    return;
  const std::string mode = c.config().get_string("output_mode", "int");
  if (!require_one_of(c, "HashedCrossing", "output_mode", mode, {"int", "one_hot"}))
    return;
  auto bins = c.config().get_optional_int("num_bins");
  std::vector<std::string> shapes;
  for (const auto& s : c.inputs())
    shapes.push_back(to_string(s));
  const std::string received = fmt::format("[{}]", fmt::join(shapes, ", "));
  if (c.input_count() != 2) {
    invalid(c,
            fmt::format("Expected as input a list/tuple of 2 tensors. Received input_shape={}",
                        received),
            fmt::format("call '{}' on [feature_a, feature_b]", c.layer_name()));
    return;
  }
  const Shape& a = c.input(0);
  const Shape& b = c.input(1);
  if (!a.has_rank() || !b.has_rank() || !bins) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (a.rank() && b.rank() && !(a.dims().back() == b.dims().back())) {
    c.error(rule::kMergeMismatch,
            fmt::format("Expected the two input tensors to have identical shapes. Received "
                        "input_shape={}",
                        received),
            "give both crossed features the same shape");
    return;
  }
  if (mode == "int")
    c.outputs = {a};
  else if (!last_is_one(a))
    c.outputs = {append(a, Dim::of(*bins))};
  else
    c.outputs = {replace_last(a, Dim::of(*bins))};
}

// ---- StringLookup, IntegerLookup, TextVectorization --------------------------------------

/// What the lookup arguments say about the encoded axis.
struct Lookup {
  std::string mode;
  Dim depth;  ///< the vocabulary size the encoded axis has, or unknown
};

/// The vocabulary size Keras records: special tokens (mask for int output, then the OOV
/// tokens), then the vocabulary without the special tokens it may already start with.
std::optional<Dim> vocabulary_depth(LayerCall& c,
                                    const std::string& mode,
                                    const json& mask_token,
                                    const json& oov_token) {
  JsonValue vocab = c.config().raw("vocabulary");
  if (!vocab || !vocab->is_array()) {
    auto frozen = c.config().get_optional_int("vocabulary_size");
    return frozen ? Dim::of(*frozen) : Dim::unknown();
  }
  if (vocab->empty()) {
    invalid(c,
            "Cannot set an empty vocabulary. Received: vocabulary=[]",
            "give the lookup a non-empty vocabulary, or none");
    return std::nullopt;
  }
  const std::int64_t oov_count = c.config().get_int("num_oov_indices", 1);
  const std::size_t oov_start = !mask_token.is_null() && mode == "int" ? 1 : 0;
  std::vector<json> specials(oov_start, mask_token);
  specials.insert(
      specials.end(), static_cast<std::size_t>(std::max<std::int64_t>(oov_count, 0)), oov_token);
  const std::size_t token_start = specials.size();
  bool found = vocab->size() >= token_start;
  for (std::size_t i = 0; found && i < token_start; ++i)
    found = (*vocab)[i].to_nlohmann() == specials[i];
  const std::size_t tokens = vocab->size() - (found ? token_start : 0);
  const auto size = static_cast<std::int64_t>(token_start + tokens);
  auto max_tokens = c.config().get_optional_int("max_tokens");
  if (max_tokens && size > *max_tokens) {
    invalid(c,
            fmt::format("Attempted to set a vocabulary larger than the maximum vocab size. "
                        "Received vocabulary size is {}; `max_tokens` is {}.",
                        size,
                        *max_tokens),
            "raise max_tokens or shorten the vocabulary");
    return std::nullopt;
  }
  return Dim::of(size);
}

/// IndexLookup's constructor checks and the encoded axis size.
std::optional<Lookup> read_lookup(LayerCall& c,
                                  std::string_view cls,
                                  const json& default_mask,
                                  const json& default_oov) {
  Lookup lookup{output_mode(c, "int"), Dim::unknown()};
  auto max_tokens = c.config().get_optional_int("max_tokens");
  if (max_tokens && *max_tokens <= 1) {
    invalid(c,
            fmt::format("If set, `max_tokens` must be greater than 1. Received: max_tokens={}",
                        *max_tokens),
            "use max_tokens of at least 2, or none");
    return std::nullopt;
  }
  const bool pad = c.config().get_bool("pad_to_max_tokens", false);
  if (pad && !max_tokens) {
    invalid(c,
            "If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens=None",
            "set max_tokens, or pad_to_max_tokens=False");
    return std::nullopt;
  }
  if (c.config().get_int("num_oov_indices", 1) < 0) {
    invalid(c,
            fmt::format("`num_oov_indices` must be greater than or equal to 0. Received: "
                        "num_oov_indices={}",
                        c.config().get_int("num_oov_indices", 1)),
            "use a non-negative num_oov_indices");
    return std::nullopt;
  }
  if (!require_one_of(
          c, cls, "output_mode", lookup.mode, {"int", "one_hot", "multi_hot", "count", "tf_idf"}))
    return std::nullopt;
  if (c.config().get_bool("invert", false) && lookup.mode != "int") {
    invalid(c,
            fmt::format("`output_mode` must be `'int'` when `invert` is true. Received: "
                        "output_mode={}",
                        lookup.mode),
            "use output_mode='int' with invert=True");
    return std::nullopt;
  }
  if (!check_sparse_mode(c, lookup.mode, "`'one_hot'`, `'multi_hot'`, `'count'` or `'tf_idf'`"))
    return std::nullopt;
  if (c.config().has("idf_weights") && lookup.mode != "tf_idf") {
    invalid(c,
            fmt::format("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                        "Received: idf_weights={} and output_mode={}",
                        python_repr(c.config().raw("idf_weights")),
                        lookup.mode),
            "drop idf_weights or use output_mode='tf_idf'");
    return std::nullopt;
  }
  JsonValue config = c.config().object();
  const json mask =
      config.contains("mask_token") ? config["mask_token"].to_nlohmann() : default_mask;
  const json oov = config.contains("oov_token") ? config["oov_token"].to_nlohmann() : default_oov;
  auto depth = vocabulary_depth(c, lookup.mode, mask, oov);
  if (!depth)
    return std::nullopt;
  lookup.depth = pad ? Dim::of(*max_tokens) : *depth;
  return lookup;
}

/// IndexLookup.compute_output_shape (Keras 3); tf.keras 2 gave (batch, depth) for every
/// encoding mode.
Shape lookup_output(const LayerCall& c, const Lookup& lookup, const Shape& in) {
  if (lookup.mode == "int" || !in.has_rank())
    return in;
  if (!c.keras3())
    return Shape{in.rank() ? in.at(0) : Dim::unknown(), lookup.depth};
  if (lookup.mode == "one_hot")
    return in.rank() > 1 && last_is_one(in) ? replace_last(in, lookup.depth)
                                            : append(in, lookup.depth);
  return replace_last(in, lookup.depth);
}

// Mirrors keras/src/layers/preprocessing/string_lookup.py (IndexLookup): int keeps the shape;
// one_hot appends the vocabulary axis (replacing a last axis of 1); multi_hot, count and
// tf_idf replace the last axis by it. Its size is max_tokens when padded, else the
// vocabulary's (special tokens included), else the recorded `vocabulary_size`.
void infer_string_lookup(LayerCall& c) {
  auto lookup = read_lookup(c, "StringLookup", json(nullptr), json("[UNK]"));
  if (lookup)
    c.outputs = {lookup_output(c, *lookup, c.input())};
}

// Mirrors keras/src/layers/preprocessing/integer_lookup.py: as StringLookup, with integer
// tokens (OOV token -1).
void infer_integer_lookup(LayerCall& c) {
  auto lookup = read_lookup(c, "IntegerLookup", json(nullptr), json(-1));
  if (lookup)
    c.outputs = {lookup_output(c, *lookup, c.input())};
}

bool check_text_vectorization_args(LayerCall& c, const std::string& mode) {
  JsonValue length = c.config().raw("output_sequence_length");
  if (mode == "int" && length && !length->is_number_integer())
    return invalid(c,
                   fmt::format("`output_sequence_length` must be either None or an integer "
                               "when `output_mode` is 'int'. Received: "
                               "output_sequence_length={}",
                               python_repr(length)),
                   "use an integer output_sequence_length, or none");
  if (mode != "int" && length)
    return invalid(c,
                   fmt::format("`output_sequence_length` must not be set if `output_mode` is "
                               "not 'int'. Received output_sequence_length={}.",
                               python_repr(length)),
                   "drop output_sequence_length or use output_mode='int'");
  if (mode != "int" && c.config().get_bool("ragged", false))
    return invalid(c,
                   fmt::format("`ragged` must not be true if `output_mode` is `'int'`. "
                               "Received: ragged=True and output_mode={}",
                               mode),
                   "drop ragged=True or use output_mode='int'");
  return true;
}

// Mirrors keras/src/layers/preprocessing/text_vectorization.py: int gives
// (batch, output_sequence_length); the other modes split each string into a new token axis
// (a rank <= 1 input without `split` gets an axis of 1) and encode it as StringLookup does.
void infer_text_vectorization(LayerCall& c) {
  const std::string mode = output_mode(c, "int");
  if (!require_one_of(c,
                      "TextVectorization",
                      "output_mode",
                      mode,
                      {"int", "one_hot", "multi_hot", "count", "tf_idf"}) ||
      !check_text_vectorization_args(c, mode))
    return;
  const Shape& in = c.input();
  if (mode == "int") {
    auto length = c.config().get_optional_int("output_sequence_length");
    Dim batch = in.has_rank() && in.rank() ? in.at(0) : Dim::unknown();
    if (!c.keras3() && in.has_rank() && in.rank() == 0)
      batch = Dim::unknown();
    c.outputs = {Shape{batch, length ? Dim::of(*length) : Dim::unknown()}};
    return;
  }
  // The inner StringLookup: mask token "", OOV token "[UNK]".
  auto lookup = read_lookup(c, "StringLookup", json(""), json("[UNK]"));
  if (!lookup)
    return;
  if (!in.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  const bool splits = !(c.config().object() && c.config().object()->contains("split") &&
                        c.config().object()->at("split").is_null());
  Shape tokens = in;
  if (splits)
    tokens = append(in, Dim::unknown());
  else if (in.rank() <= 1)
    tokens = append(in, Dim::of(1));
  c.outputs = {lookup_output(c, *lookup, tokens)};
}

constexpr LayerRule kRules[] = {
    {"CategoryEncoding", infer_category_encoding},
    {"Discretization", infer_discretization},
    {"Hashing", infer_hashing},
    {"HashedCrossing", infer_hashed_crossing, 1, SIZE_MAX},
    {"StringLookup", infer_string_lookup},
    {"IntegerLookup", infer_integer_lookup},
    {"TextVectorization", infer_text_vectorization},
};

}  // namespace

std::span<const LayerRule> categorical_preprocessing_rules() {
  return kRules;
}

}  // namespace shapelint
