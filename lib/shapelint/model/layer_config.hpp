#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/json/document.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint {

/// Where a layer's config stands in the file (`config.layers[3].config`), spelled out only
/// when a finding needs it: the `config` of a layer object, or a path given as text.
class ConfigPath {
 public:
  ConfigPath(std::string text) : text_(std::move(text)) {}

  ConfigPath(const char* text) : text_(text) {}

  /// The `config` member of `layer_object`, whether or not the layer has one.
  static ConfigPath of_layer(JsonValue layer_object) {
    ConfigPath p("");
    p.layer_object_ = layer_object;
    return p;
  }

  std::string str() const { return layer_object_ ? layer_object_.path() + ".config" : text_; }

 private:
  JsonValue layer_object_;
  std::string text_;
};

/// Typed, forgiving access to one layer's `config` object. A value of the wrong type is
/// reported once (SL004, naming the JSON path such as `config.layers[3].config.kernel_size`)
/// and the default is returned, so a rule never sees malformed JSON and never throws.
class LayerConfig {
 public:
  LayerConfig(JsonValue config, ConfigPath path, Diagnostics* sink, std::string layer_name);

  bool has(std::string_view key) const;
  /// The raw value; absent (false, == nullptr) when missing or null.
  JsonValue raw(std::string_view key) const;

  /// The config object; absent when the layer has none (or it is not an object).
  JsonValue object() const { return config_; }

  std::string path() const { return path_.str(); }

  std::string path_of(std::string_view key) const;

  std::int64_t get_int(std::string_view key, std::int64_t fallback) const;
  std::optional<std::int64_t> get_optional_int(std::string_view key) const;
  double get_float(std::string_view key, double fallback) const;
  bool get_bool(std::string_view key, bool fallback) const;
  std::string get_string(std::string_view key, std::string_view fallback) const;
  std::optional<std::string> get_optional_string(std::string_view key) const;
  /// An int or a list of `n` ints (Keras's `standardize_tuple`): `3` → {3, 3}.
  std::vector<std::int64_t> get_int_tuple(std::string_view key,
                                          std::size_t n,
                                          std::int64_t fallback) const;
  /// A list of ints of any length (e.g. Reshape's target_shape, Permute's dims).
  std::optional<std::vector<std::int64_t>> get_int_list(std::string_view key) const;
  /// An int or a list of ints (axis arguments).
  std::optional<std::vector<std::int64_t>> get_int_or_list(std::string_view key) const;
  /// A shape written as a list with nulls: `[null, 28, 28]`. Not including batch unless the
  /// list does.
  std::optional<Shape> get_shape(std::string_view key) const;
  /// Nested padding/cropping: `1`, `[1, 2]` or `[[1, 2], [3, 4]]` → per-axis (before, after).
  std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> get_pairs(std::string_view key,
                                                                              std::size_t n) const;
  /// "channels_last" unless the config says "channels_first" (Keras 1 "th" too).
  bool channels_first() const;

  /// Reports SL004 at `key` with `what`, e.g. "must be a positive integer".
  void report_bad_value(std::string_view key, std::string_view what) const;

  const std::string& layer_name() const { return layer_name_; }

 private:
  JsonValue config_;
  ConfigPath path_;
  Diagnostics* sink_;
  std::string layer_name_;
};

/// Converts a JSON shape list (`[null, 28, 28, 1]`) into a Shape; nullopt if malformed.
std::optional<Shape> shape_from_json(JsonValue j);

}  // namespace shapelint
