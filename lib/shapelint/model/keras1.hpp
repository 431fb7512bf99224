#pragma once

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

/// Whether any config of `doc` can have Keras 1 argument names: false when none of those
/// names is written anywhere in it (then has_keras1_arguments is false for all its configs).
bool may_have_keras1_arguments(const JsonDocument& doc);

/// Keras 2 class and config for a Keras 1 layer; nullopt when nothing needs translating.
std::optional<TranslatedLayer> translate_keras1_layer(std::string_view class_name,
                                                      const nlohmann::json& config);

}  // namespace shapelint
