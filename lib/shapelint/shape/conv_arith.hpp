// Output-length arithmetic shared by the convolution and pooling rules, as Keras computes it
// in keras/src/ops/operation_utils.py (compute_conv_output_shape, compute_pooling_output_shape)
// and keras/src/backend/common/backend_utils.py (compute_conv_transpose_output_shape), plus
// the spelling Keras uses for these arguments in its error messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "shapelint/shape/dim.hpp"

namespace shapelint {

/// How a sliding window treats the borders. `full` exists only in Keras 1 convolutions.
enum class WindowPadding { valid, same, causal, full };

/// "valid", "same", "causal", "full" (already lower-cased where Keras lower-cases) → padding.
std::optional<WindowPadding> parse_window_padding(std::string_view text);
std::string_view to_string(WindowPadding padding);

/// Extent of a dilated kernel: (kernel - 1) * dilation + 1.
Dim dilated_kernel_extent(std::int64_t kernel, std::int64_t dilation);

/// One spatial axis of a convolution. With dk the dilated kernel extent and s the stride:
///   valid: floor((n - dk) / s) + 1;  same, causal: floor((n - 1) / s) + 1;
///   full (Keras 1): floor((n + dk - 2) / s) + 1.
/// The result may be below 1: whether that is an error is the caller's decision.
/// Precondition: stride > 0.
Dim conv_output_length(Dim input,
                       std::int64_t kernel,
                       WindowPadding padding,
                       std::int64_t stride,
                       std::int64_t dilation = 1);

/// One spatial axis of a transposed convolution (padding valid or same):
///   valid: (n - 1) * s + max(dk, s), or (n - 1) * s + dk + output_padding;
///   same:  n * s,                    or (n - 1) * s + dk % 2 + output_padding.
Dim conv_transpose_output_length(Dim input,
                                 std::int64_t kernel,
                                 WindowPadding padding,
                                 std::int64_t stride,
                                 std::optional<std::int64_t> output_padding,
                                 std::int64_t dilation = 1);

/// One spatial axis of a pooling window (padding valid or same):
///   valid: floor((n - p) / s) + 1;  same: floor((n - 1) / s) + 1.
Dim pool_output_length(Dim input,
                       std::int64_t pool_size,
                       WindowPadding padding,
                       std::int64_t stride);

// How Keras's messages print these values.

/// A Python tuple of ints: "(2, 2)", "(2,)".
std::string python_tuple(std::span<const std::int64_t> values);
/// A Python list of ints: "[0, 3]".
std::string python_list(std::span<const std::int64_t> values);
/// A numpy array as `str()` prints it: "[ 1 10]" (ints padded to one width), or "[None 1 3]"
/// for an object array (one built from a tuple holding None), which is not padded.
std::string numpy_array(std::span<const std::optional<std::int64_t>> values,
                        bool object_array = false);
std::string numpy_array(std::span<const std::int64_t> values);

/// Whether every value is > 0 (>= 0 with `allow_zero`): tuple_argument_error has nothing to
/// say (checked first, so that a valid argument costs no message).
bool tuple_argument_valid(std::span<const std::int64_t> values, bool allow_zero = false);

/// Keras's `standardize_tuple` check on an already-read tuple argument: nullopt when every
/// value is > 0 (>= 0 with `allow_zero`), else Keras's message. `received` is the value as the
/// config wrote it ("0", "[0, 3]").
std::optional<std::string> tuple_argument_error(std::string_view name,
                                                std::span<const std::int64_t> values,
                                                std::string_view received,
                                                bool allow_zero = false);

/// "6x6" / "6": the smallest input a window of these extents fits, for hints.
std::string window_extent_text(std::span<const Dim> extents);

}  // namespace shapelint
