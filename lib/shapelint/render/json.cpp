// The contract's JSON report: one object for the whole run, versioned, streamed.
#include "shapelint/render/json_writer.hpp"
#include "shapelint/render/render.hpp"

namespace shapelint {

namespace {

/// One shape: an array of sizes and nulls, or null when even the rank is unknown.
void write_shape(JsonWriter& w, const Shape& s) {
  if (!s.has_rank()) {
    w.null();
    return;
  }
  w.begin_inline_array();
  for (Dim d : s.dims()) {
    if (d.is_known())
      w.value(d.value());
    else
      w.null();
  }
  w.end_inline_array();
}

void write_shapes(JsonWriter& w, const Shapes& shapes) {
  w.begin_inline_array();
  for (const auto& s : shapes)
    write_shape(w, s);
  w.end_inline_array();
}

void write_ints(JsonWriter& w, const std::vector<std::int64_t>& values) {
  w.begin_inline_array();
  for (auto v : values)
    w.value(v);
  w.end_inline_array();
}

/// docs/cost.md: always present, null where unknown.
void write_layer_cost(JsonWriter& w, const LayerCost& cost) {
  w.key("macs");
  w.value(cost.macs);
  w.key("weight_bytes");
  w.value(cost.weight_bytes);
  w.key("activation_bytes");
  w.value(cost.activation_bytes);
  w.key("receptive_field");
  if (!cost.receptive_field) {
    w.null();
  } else {
    w.begin_object();
    w.key("size");
    write_ints(w, cost.receptive_field->size);
    w.key("stride");
    write_ints(w, cost.receptive_field->stride);
    w.end_object();
  }
}

void write_cost_totals(JsonWriter& w, const CostTotals& cost) {
  w.key("cost");
  w.begin_object();
  w.key("batch_size");
  w.value(cost.batch_size);
  w.key("macs");
  w.value(cost.macs);
  w.key("macs_unknown_layers");
  w.value(cost.macs_unknown_layers);
  w.key("weight_bytes");
  w.value(cost.weight_bytes);
  w.key("weight_bytes_by_dtype");
  w.begin_object();
  for (const auto& [dtype, bytes] : cost.weight_bytes_by_dtype) {
    w.key_text(dtype);
    w.value(bytes);
  }
  w.end_object();
  w.key("weight_unknown_layers");
  w.value(cost.weight_unknown_layers);
  w.key("activation_bytes");
  w.value(cost.activation_bytes);
  w.key("activation_unknown_layers");
  w.value(cost.activation_unknown_layers);
  w.end_object();
}

void write_valid_sizes(JsonWriter& w, const std::vector<InputSizes>& sizes) {
  w.key("valid_sizes");
  w.begin_array();
  for (const auto& s : sizes) {
    w.begin_object();
    w.key("input");
    w.value(s.input);
    w.key("axes");
    w.begin_inline_array();
    for (auto a : s.axes)
      w.value(a);
    w.end_inline_array();
    w.key("rebuilt");
    w.value(s.rebuilt);
    w.key("description");
    w.value(s.description);
    w.key("smallest");
    w.value(s.smallest);
    w.end_object();
  }
  w.end_array();
}

void write_signature(JsonWriter& w, const ModelSignature& sig) {
  auto side = [&](JsonWriter::PlainKey key, const std::vector<TensorSignature>& tensors) {
    w.key(key);
    w.begin_array();
    for (const auto& t : tensors) {
      w.begin_object();
      w.key("name");
      w.value(t.name);
      w.key("shape");
      write_shape(w, t.shape);
      w.key("dtype");
      w.value(t.dtype);
      w.end_object();
    }
    w.end_array();
  };
  w.key("signature");
  w.begin_object();
  side("inputs", sig.inputs);
  side("outputs", sig.outputs);
  w.end_object();
}

void write_layer(JsonWriter& w, const LayerRow& row) {
  w.begin_object();
  w.key("name");
  w.value(row.name);
  w.key("class_name");
  w.value(row.class_name);
  w.key("inbound");
  w.begin_inline_array();
  for (const auto& name : row.inbound)
    w.value(name);
  w.end_inline_array();
  w.key("input_shapes");
  write_shapes(w, row.input_shapes);
  w.key("output_shapes");
  write_shapes(w, row.output_shapes);
  w.key("params");
  w.value(row.params);
  w.key("status");
  w.value(row.status.name());
  write_layer_cost(w, row.cost);
  if (row.is_model) {
    w.key("layers");
    w.begin_array();
    for (const auto& inner : row.layers)
      write_layer(w, inner);
    w.end_array();
  }
  w.end_object();
}

void write_diagnostic(JsonWriter& w, const Diagnostic& d) {
  w.begin_object();
  w.key("rule");
  w.value(d.rule);
  w.key("severity");
  w.value(to_string(d.severity));
  w.key("layer");
  w.value(d.layer);
  w.key("message");
  w.value(d.message);
  w.key("hint");
  w.value(d.hint);
  w.key("json_path");
  w.value(d.json_path);
  if (d.line > 0) {
    w.key("line");
    w.value(d.line);
    w.key("column");
    w.value(d.column);
  }
  w.end_object();
}

void write_file(JsonWriter& w, const FileReport& f) {
  w.begin_object();
  w.key("path");
  w.value(f.path);
  if (f.member) {
    w.key("member");
    w.value(*f.member);
  }
  w.key("format");
  w.value(f.format);
  w.key("status");
  w.value(f.status);
  w.key("model");
  if (f.model_name || f.model_class) {
    w.begin_object();
    w.key("name");
    w.value(f.model_name);
    w.key("class_name");
    w.value(f.model_class);
    w.end_object();
  } else {
    w.null();
  }
  w.key("keras_version");
  w.value(f.keras_version);
  if (f.what_if) {
    w.key("input_shape");
    w.value(*f.what_if);
  }
  if (f.target) {
    w.key("target");
    w.value(*f.target);
  }
  w.key("layers");
  w.begin_array();
  for (const auto& row : f.layers)
    write_layer(w, row);
  w.end_array();
  w.key("params");
  w.begin_object();
  w.key("total");
  w.value(f.params.total);
  w.key("trainable");
  w.value(f.params.trainable);
  w.key("non_trainable");
  w.value(f.params.non_trainable);
  w.key("unknown_layers");
  w.value(f.params.unknown_layers);
  w.end_object();
  if (f.cost)
    write_cost_totals(w, *f.cost);
  if (!f.valid_sizes.empty())
    write_valid_sizes(w, f.valid_sizes);
  if (f.signature)
    write_signature(w, *f.signature);
  w.key("diagnostics");
  w.begin_array();
  for (const auto& d : f.diagnostics)
    write_diagnostic(w, d);
  w.end_array();
  w.end_object();
}

}  // namespace

void render_json(const RunReport& run, const RenderOptions&, std::ostream& out) {
  JsonWriter w(out);
  std::size_t count = 0;
  w.begin_object();
  w.key("version");
  w.value(1);
  w.key("tool");
  w.begin_object();
  w.key("name");
  w.value("shapelint");
  w.key("version");
  w.value(run.tool_version);
  w.end_object();
  w.key("files");
  w.begin_array();
  for (const auto& f : run.files) {
    if (f.skipped)
      continue;
    write_file(w, f);
    ++count;
  }
  w.end_array();
  w.key("summary");
  w.begin_object();
  w.key("files");
  w.value(count);
  w.key("errors");
  w.value(run.errors);
  w.key("warnings");
  w.value(run.warnings);
  w.key("notes");
  w.value(run.notes);
  w.end_object();
  w.end_object();
}

}  // namespace shapelint
