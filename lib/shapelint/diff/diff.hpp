#pragma once
// `shapelint diff OLD NEW`: what changed between two versions of a model. Layers are matched
// by name; a changed input or output signature is an error (SL304), so CI fails when a
// model's contract breaks by accident; every other change is a note (SL305).
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "shapelint/engine/propagate.hpp"
#include "shapelint/lint/report.hpp"
#include "shapelint/model/graph.hpp"
#include "shapelint/render/render.hpp"

namespace shapelint::diff {

/// The model's inputs and outputs with the shapes its declared pass gives them.
ModelSignature signature_of(const Model& model, const ModelResult& built);

/// One layer that differs between the versions.
struct LayerChange {
  enum class Kind { added, removed, changed };
  Kind kind = Kind::changed;
  std::string layer;
  std::string class_name;         ///< the new class (the old one for a removed layer)
  std::vector<std::string> what;  ///< "output (None, 10) → (None, 12)", "params 10 → 12"
};

struct ModelDiff {
  const FileReport* old_report = nullptr;
  const FileReport* new_report = nullptr;
  std::vector<LayerChange> layers;

  /// Interface changes, one sentence each; `breaking` ones are SL304 errors.
  struct SignatureChange {
    std::string text;
    bool breaking = true;
    std::optional<std::string> layer;  ///< the input or output layer it is about
  };

  std::vector<SignatureChange> signature;
  /// SL304 for the breaking signature changes, SL305 for the rest, in that order.
  Diagnostics findings;
};

/// Compares two linted files (both must have a model: status other than "invalid").
ModelDiff compare(const FileReport& old_report, const FileReport& new_report);

/// The run report the other formats print: one file, the new version, whose findings are the
/// diff's (and those of a version that could not be read).
RunReport as_run_report(const ModelDiff& diff, const std::string& tool_version);

/// The terminal view: the layers added, removed and changed, the signatures, the totals,
/// then the findings.
void render_diff_table(const ModelDiff& diff, const RenderOptions& options, std::ostream& out);

}  // namespace shapelint::diff
