// The contract's JSON report: one object for the whole run, versioned.
#include <nlohmann/json.hpp>

#include "shapelint/render/render.hpp"

namespace shapelint {

using nlohmann::ordered_json;

namespace {

ordered_json shape_json(const Shape& s) {
  if (!s.has_rank())
    return nullptr;  // unknown rank: the whole shape is unknown
  ordered_json dims = ordered_json::array();
  for (Dim d : s.dims())
    dims.push_back(d.is_known() ? ordered_json(d.value()) : ordered_json());
  return dims;
}

ordered_json shapes_json(const Shapes& shapes) {
  ordered_json out = ordered_json::array();
  for (const auto& s : shapes)
    out.push_back(shape_json(s));
  return out;
}

ordered_json optional_string(const std::optional<std::string>& s) {
  return s ? ordered_json(*s) : ordered_json();
}

ordered_json layer_json(const LayerRow& row) {
  ordered_json l = {
      {"name", row.name},
      {"class_name", row.class_name},
      {"inbound", row.inbound},
      {"input_shapes", shapes_json(row.input_shapes)},
      {"output_shapes", shapes_json(row.output_shapes)},
      {"params", row.params ? ordered_json(*row.params) : ordered_json()},
      {"status", row.status},
  };
  if (row.is_model) {
    ordered_json inner = ordered_json::array();
    for (const auto& r : row.layers)
      inner.push_back(layer_json(r));
    l["layers"] = std::move(inner);
  }
  return l;
}

ordered_json diagnostic_json(const Diagnostic& d) {
  return {
      {"rule", d.rule},
      {"severity", to_string(d.severity)},
      {"layer", optional_string(d.layer)},
      {"message", d.message},
      {"hint", d.hint},
      {"json_path", d.json_path},
  };
}

ordered_json file_json(const FileReport& f) {
  ordered_json file = {
      {"path", f.path},
      {"format", f.format},
      {"status", f.status},
  };
  if (f.model_name || f.model_class)
    file["model"] = {{"name", optional_string(f.model_name)},
                     {"class_name", optional_string(f.model_class)}};
  else
    file["model"] = nullptr;
  file["keras_version"] = optional_string(f.keras_version);
  if (f.what_if)
    file["input_shape"] = *f.what_if;
  ordered_json layers = ordered_json::array();
  for (const auto& row : f.layers)
    layers.push_back(layer_json(row));
  file["layers"] = std::move(layers);
  file["params"] = {{"total", f.params.total},
                    {"trainable", f.params.trainable},
                    {"non_trainable", f.params.non_trainable},
                    {"unknown_layers", f.params.unknown_layers}};
  ordered_json diags = ordered_json::array();
  for (const auto& d : f.diagnostics)
    diags.push_back(diagnostic_json(d));
  file["diagnostics"] = std::move(diags);
  return file;
}

}  // namespace

void render_json(const RunReport& run, const RenderOptions&, std::ostream& out) {
  ordered_json files = ordered_json::array();
  std::size_t count = 0;
  for (const auto& f : run.files) {
    if (f.skipped)
      continue;
    files.push_back(file_json(f));
    ++count;
  }
  ordered_json doc = {
      {"version", 1},
      {"tool", {{"name", "shapelint"}, {"version", run.tool_version}}},
      {"files", std::move(files)},
      {"summary",
       {{"files", count},
        {"errors", run.errors},
        {"warnings", run.warnings},
        {"notes", run.notes}}},
  };
  out << doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace shapelint
