// Legacy HDF5 models (`.h5`, `.hdf5`): what the HDF5 reader (lib/hdf5_reader, run in a child
// process by hdf5_isolation.cpp) found, turned into a ModelFile with findings.
#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/diag/limit_hint.hpp"
#include "shapelint/io/readers.hpp"

namespace shapelint::io {

ModelFile read_hdf5_model(const Source& source, const ReadLimits& limits) {
  ModelFile out;
  out.container = Container::hdf5;
  out.format = "hdf5";
  out.member = "model_config";
  Hdf5Contents contents = read_hdf5_isolated(source, WeightsLayout::legacy_model, limits);
  if (!contents.opened || !contents.error.empty()) {
    out.diagnostics.push_back(file_finding(
        rule::kUnreadable,
        fmt::format("cannot read this HDF5 file: {}", contents.error),
        hint_for_limit(contents.error,
                       "the file is damaged or was cut short (an interrupted download or copy): "
                       "save the model again")));
    return out;
  }
  out.keras_version = std::move(contents.keras_version);
  out.backend = std::move(contents.backend);
  if (!contents.model_config) {
    out.not_a_model = true;
    if (contents.weights_only)
      out.diagnostics.push_back(file_finding(
          rule::kNotAModel,
          "this HDF5 file holds only weights (model.save_weights()): it has no model_config "
          "attribute, so there is no architecture to check",
          "lint the file model.save() wrote (.keras or .h5), or the model's to_json() output"));
    else
      out.diagnostics.push_back(file_finding(
          rule::kNotAModel,
          "this HDF5 file is not a Keras model: it has no model_config attribute",
          "pass a .keras archive, a model.save() .h5 file or the model's to_json() output"));
    return out;
  }
  out.config_text = std::move(contents.model_config);
  out.weights = std::move(contents.weights);
  out.weights_problem = std::move(contents.weights_error);
  if (!out.weights_problem.empty())
    out.weights.reset();
  return out;
}

}  // namespace shapelint::io
