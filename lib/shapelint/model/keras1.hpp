#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shapelint/json/document.hpp"

namespace shapelint {

/// A Keras 1 layer rewritten with Keras 2 names, as Keras 2's own legacy converter did.
struct TranslatedLayer {
  std::string class_name;
  nlohmann::json config;
};

/// Class names that exist only in Keras 1 (`Convolution2D`, `Merge`, ...).
bool is_keras1_class(std::string_view class_name);

/// Whether a config uses Keras 1 argument names (`nb_filter`, `border_mode`, `output_dim`...).
bool has_keras1_arguments(std::string_view class_name, const nlohmann::json& config);
bool has_keras1_arguments(std::string_view class_name, JsonValue config);

/// A set of Keras 1 argument names (one bit each).
using Keras1ArgumentSet = std::uint32_t;

/// The Keras 1 argument names written anywhere in `doc`, as a key or a string: a config
/// cannot use a name its document never writes. Most files write none, and a Keras 2 file
/// with an Embedding writes only `output_dim`: its configs are then asked about one name,
/// not thirteen.
Keras1ArgumentSet keras1_arguments_written(const JsonDocument& doc);

/// has_keras1_arguments, for a config of a document that writes the names `written` only.
bool has_keras1_arguments(std::string_view class_name, JsonValue config, Keras1ArgumentSet written);

/// Keras 2 class and config for a Keras 1 layer; nullopt when nothing needs translating.
std::optional<TranslatedLayer> translate_keras1_layer(std::string_view class_name,
                                                      const nlohmann::json& config);

}  // namespace shapelint
