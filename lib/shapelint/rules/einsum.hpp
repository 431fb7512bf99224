#pragma once
// Keras's reading of an EinsumDense equation (keras/src/layers/core/einsum_dense.py,
// `_analyze_einsum_string`), shared by EinsumDense and the attention layers whose projections
// are EinsumDense sublayers.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/rules/rule.hpp"

namespace shapelint::einsum {

struct Analysis {
  Shape kernel;
  std::optional<Shape> bias;
  /// What Keras 3's `compute_output_shape` reports: the batch dim, the partial output shape,
  /// then the elided dims (left-elided ones in reverse order, as Keras inserts them).
  Shape output;
  /// What running the einsum gives (tf.keras 2 traces `call`): each output letter sized from
  /// the input or the kernel. Nullopt when the einsum itself would reject the input rank.
  std::optional<Shape> traced_output;
  /// Keras's message when the analysis raises; empty otherwise.
  std::string error;
  std::string_view rule_id;
  /// The error is one of Python's own (IndexError / TypeError) rather than a Keras check.
  bool python_error = false;
};

/// Mirrors `_analyze_einsum_string(equation, bias_axes, input_shape, output_shape)`.
/// `input` must have a known rank; `partial_output` excludes the batch dim.
Analysis analyze(std::string_view equation,
                 const std::optional<std::string>& bias_axes,
                 const Shape& input,
                 const DimVector& partial_output);

/// Creates the weights of an EinsumDense sublayer named `prefix` ("" for the layer itself):
/// `kernel`, then `bias` when the analysis has one, each checked with Keras 3's
/// fully-defined-variable rule. Returns false after reporting.
bool add_weights(LayerCall& c, std::string_view prefix, const Analysis& a);

/// MultiHeadAttention's projection equation (`_build_proj_equation`): `free` letters shared
/// by input and output, `bound` letters contracted, `out` letters produced.
struct ProjectionEquation {
  std::string equation;
  std::string bias_axes;
  std::size_t output_rank = 0;
};

ProjectionEquation projection_equation(std::size_t free, std::size_t bound, std::size_t out);

}  // namespace shapelint::einsum
