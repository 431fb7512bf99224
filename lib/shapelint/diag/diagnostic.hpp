#pragma once

#include <optional>
#include <string>
#include <vector>

namespace shapelint {

/// Ordered: --fail-on compares against it.
enum class Severity { note, warning, error };

const char* to_string(Severity s);

/// One finding. Rules, the loader and the engine produce these as values; renderers only
/// read them.
struct Diagnostic {
  std::string rule;  ///< stable id, "SL101"
  Severity severity = Severity::error;
  std::optional<std::string> layer;  ///< config name of the layer, or none for file-level
  std::string message;               ///< what Keras would say, both shapes in Keras spelling
  std::string hint;                  ///< an imperative fix; may be empty
  std::string json_path;             ///< "config.layers[3].config.kernel_size"; may be empty
  int line = 0;    ///< 1-based line in the file of the layer's object; 0 when unknown
  int column = 0;  ///< 1-based column; 0 when unknown
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace shapelint
