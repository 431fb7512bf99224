#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/json/document.hpp"
#include "shapelint/model/graph.hpp"
#include "shapelint/rules/rule.hpp"

namespace shapelint {

/// A model file read into the normalized graph.
struct LoadedModel {
  std::string format;  ///< the contract's format name: keras2-json, keras3-json, ...
  Dialect dialect = Dialect::keras2;
  Semantics semantics = Semantics::keras2;
  std::optional<std::string> keras_version;
  std::unique_ptr<JsonDocument> document;  ///< what the graph's JSON values view
  std::unique_ptr<Model> model;            ///< null when the file is not a model
  Diagnostics diagnostics;                 ///< load findings (SL0xx)
  bool not_a_model = false;                ///< valid JSON, but no Keras model config
};

/// What the loader refuses to read, set per run (`--limit`, the configuration's `limits`
/// table; lint/limits.cpp holds the names and the ceilings that keep the recursive walks of
/// a model within the stack).
struct LoadLimits {
  /// Deeper JSON than this is refused (Keras configs nest a few dozen levels).
  std::size_t max_json_depth = 512;
  /// Models nested in models deeper than this are refused (real ones nest two or three).
  int max_model_depth = 32;
  /// Layers in one file, nested models' included (the largest real models have a few
  /// thousand).
  std::size_t max_layers = 1'000'000;
  /// Layer calls one propagation may make: a nested model's layers run once per call of it,
  /// so a few KiB of models calling models can ask for billions.
  std::uint64_t max_layer_calls = 2'000'000;
};

/// The highest values `max-json-depth` and `max-model-depth` may be raised to. The walks over
/// JSON values (a value quoted in a message, Keras 3 call arguments, Keras 1 translation)
/// recurse once per level, and the walks over a model (loading, propagation, the report's
/// rows, the renderers) once per nested model: a file at these ceilings and at
/// kWrapperDepthCeiling all at once takes about 1 MiB of stack (measured; tests/hostile
/// lints such files), an eighth of a thread's usual 8 MiB.
inline constexpr std::size_t kJsonDepthCeiling = 2048;
inline constexpr int kModelDepthCeiling = 256;

/// Parses JSON text and normalizes any supported dialect into a Model (which keeps nothing
/// of the text). `fallback_keras_version` as for load_model_document.
LoadedModel load_model_json(std::string_view text,
                            const std::optional<std::string>& fallback_keras_version = std::nullopt,
                            const LoadLimits& limits = {});

/// load_model_json's first step: `text` parsed into a document (which keeps nothing of it
/// unless `lifetime` says the text outlives it), or null with `refusal` saying why not
/// (empty, not UTF-8, not JSON, nested too deep).
std::unique_ptr<JsonDocument> parse_model_json(
    std::string_view text,
    LoadedModel& refusal,
    const LoadLimits& limits = {},
    TextLifetime lifetime = TextLifetime::ends_after_parse);

/// What load_model_json says of a text JsonDocument::parse refused with `error`.
LoadedModel load_invalid_json(const JsonParseError& error, const LoadLimits& limits = {});

/// Normalizes an already parsed document (takes ownership). `fallback_keras_version` stands
/// in for a top-level `keras_version` the document does not have (an archive's
/// metadata.json says which Keras wrote it).
LoadedModel load_model_document(
    std::unique_ptr<JsonDocument> document,
    const std::optional<std::string>& fallback_keras_version = std::nullopt,
    const LoadLimits& limits = {});

/// The contract's name of a dialect for bare JSON.
const char* format_name(Dialect d);

}  // namespace shapelint
