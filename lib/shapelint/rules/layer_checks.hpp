#pragma once
// Checks that many Keras layers share: Python's own errors for missing constructor arguments,
// Keras 3's refusal to create a variable whose shape has a None, and the arguments of the
// windowed layers (convolutions and pooling) read as Keras reads them.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/rules/rule.hpp"

namespace shapelint {

/// Keras 3 cannot create a variable with a None in its shape (backend/common/variables.py).
/// Only the call that builds the layer creates variables, so later calls never fail here.
/// `variable` is the path after the layer name, e.g. "kernel" or "query/kernel".
bool require_defined_variable(LayerCall& c,
                              std::string_view variable,
                              const Shape& shape,
                              std::string hint);

/// Python's TypeError when required constructor arguments are absent (or null), e.g.
/// "EinsumDense.__init__() missing 1 required positional argument: 'output_shape'".
bool require_arguments(LayerCall& c,
                       std::string_view cls,
                       std::initializer_list<std::string_view> keys);

/// `text` in lower case (ASCII), as Python's str.lower() leaves Keras's argument values.
std::string lowercase(std::string text);

/// Whether lowercase(text) is `lower`, without making it.
bool equals_lowercased(std::string_view text, std::string_view lower);

/// An int-or-tuple argument read as Keras's `standardize_tuple` reads it: `n` values, `fallback`
/// each when absent; an SL108 finding (the argument as the config wrote it) and nothing when a
/// value is below 1 (below 0 with `allow_zero`).
std::optional<std::vector<std::int64_t>> read_tuple_argument(LayerCall& c,
                                                             std::string_view key,
                                                             std::size_t n,
                                                             std::int64_t fallback = 1,
                                                             bool allow_zero = false);

/// data_format, lower-cased as Keras's `standardize_data_format` does: whether it is
/// channels_first; an SL108 finding and nothing when it is neither.
std::optional<bool> read_channels_first(LayerCall& c);

}  // namespace shapelint
