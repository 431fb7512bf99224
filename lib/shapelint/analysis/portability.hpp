#pragma once
// --target: what another Keras generation, or TensorFlow.js, cannot load of a model (SL401 to
// SL404). Each finding names the layer and why the target refuses it.
#include <optional>
#include <string_view>

#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/model/graph.hpp"

namespace shapelint::analysis {

/// Where the model is to be loaded: tf.keras 2 (and Keras 2), Keras 3, TensorFlow.js layers.
enum class Target { keras2, keras3, tfjs };

/// "keras2", "keras3", "tfjs"; nullopt for anything else.
std::optional<Target> parse_target(std::string_view text);
const char* to_string(Target target);
/// The target as messages name it: "tf.keras 2", "Keras 3", "TensorFlow.js".
const char* display_name(Target target);

/// Whether `target` has a layer class of this name (as Keras writes `class_name`). Classes
/// shapelint does not know (custom layers) are not judged here.
bool target_has_layer(Target target, std::string_view class_name);

/// Reports what `target` cannot load of `model` (nested models included), written in
/// `dialect`.
void check_portability(const Model& model, Dialect dialect, Target target, Diagnostics& sink);

}  // namespace shapelint::analysis
