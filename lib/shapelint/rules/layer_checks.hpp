#pragma once
// Checks that many Keras layers share: Python's own errors for missing constructor arguments
// and Keras 3's refusal to create a variable whose shape has a None.
#include <initializer_list>
#include <string>
#include <string_view>

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

}  // namespace shapelint
