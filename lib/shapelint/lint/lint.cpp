// The pipeline for one file: read → detect → normalize → propagate (→ replay) → report.
#include "shapelint/lint/lint.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "shapelint/analysis/analyze.hpp"
#include "shapelint/analysis/recorded_shapes.hpp"
#include "shapelint/cost/model_cost.hpp"
#include "shapelint/cost/receptive_field.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/diag/limit_hint.hpp"
#include "shapelint/engine/propagate.hpp"
#include "shapelint/hash/string_hash.hpp"
#include "shapelint/io/mapped_file.hpp"
#include "shapelint/io/model_file.hpp"
#include "shapelint/io/prefault.hpp"
#include "shapelint/json/byte_scan.hpp"
#include "shapelint/lint/recorded_weights.hpp"
#include "shapelint/memory/phase_marks.hpp"
#include "shapelint/memory/small_blocks.hpp"
#include "shapelint/model/json_positions.hpp"
#include "shapelint/model/loader.hpp"
#include <sys/stat.h>
#include <unistd.h>

namespace shapelint {

namespace fs = std::filesystem;

std::string location_path(const FileReport& file) {
  return file.member ? fmt::format("{}!{}", file.path, *file.member) : file.path;
}

void tally(RunReport& run) {
  run.errors = run.warnings = run.notes = 0;
  for (const auto& f : run.files) {
    if (f.skipped)
      continue;
    for (const auto& d : f.diagnostics) {
      switch (d.severity) {
        case Severity::error:
          ++run.errors;
          break;
        case Severity::warning:
          ++run.warnings;
          break;
        case Severity::note:
          ++run.notes;
          break;
      }
    }
  }
}

std::optional<InputShapeOption> parse_input_shape_option(std::string_view text,
                                                         std::string& error) {
  InputShapeOption out;
  std::string_view dims = text;
  if (auto eq = text.find('='); eq != std::string_view::npos) {
    out.input_name = std::string(text.substr(0, eq));
    dims = text.substr(eq + 1);
    if (out.input_name->empty()) {
      error = fmt::format("'{}': the input name before '=' is empty", text);
      return std::nullopt;
    }
  }
  auto shape = parse_shape(std::string(dims));
  if (!shape || shape->rank() == 0) {
    error = fmt::format(
        "'{}' is not a shape: write dims without the batch axis, separated by ',' or 'x', with "
        "'?' or 'None' for unknown (e.g. 28x28x1 or image=64,64,3)",
        text);
    return std::nullopt;
  }
  out.dims = std::move(*shape);
  return out;
}

namespace {

Diagnostic file_diagnostic(std::string_view rule_id, std::string message, std::string hint = {}) {
  const RuleInfo* info = find_rule_info(rule_id);
  return Diagnostic{.rule = std::string(rule_id),
                    .severity = info ? info->severity : Severity::error,
                    .layer = std::nullopt,
                    .message = std::move(message),
                    .hint = std::move(hint),
                    .json_path = ""};
}

RowStatus::Value row_status(LayerStatus s) {
  switch (s) {
    case LayerStatus::ok:
      return RowStatus::Value::ok;
    case LayerStatus::error:
      return RowStatus::Value::error;
    case LayerStatus::unknown:
      break;
  }
  return RowStatus::Value::unknown;
}

/// A layer as the rows name it: the producer of some row's input.
struct Producer {
  std::string_view name;
  bool implicit_input = false;  ///< the input a Sequential's loader added: no row names it
};

std::vector<LayerRow> take_rows(Model& model, ModelResult& result, bool nested);

/// Fills `row`, a fresh row, for `model.layers[i]`, but for its own name and class: its
/// status, parameters and cost as the engine worked them out (`figures`, null when not asked
/// for), its first call's shapes (its outputs moved out of `r`, its inputs from `early` if
/// gathered already, else from their producers in `result`), the producers of that call (by
/// `producer(j)`), and its nested model's rows when `nested`.
template <class ProducerOf>
void make_row(LayerRow& row,
              Model& model,
              std::size_t i,
              ModelResult& result,
              cost::LayerFigures* figures,
              Shapes* early,
              bool nested,
              const ProducerOf& producer) {
  Layer& layer = model.layers[i];
  LayerResult& r = result.layers[i];
  row.params = r.params;
  row.status = row_status(r.status);
  if (!layer.nodes.empty()) {
    for (const auto& ref : layer.nodes[0].inputs) {
      Producer p = producer(ref.layer);
      if (!p.implicit_input)
        row.inbound.push_back(p.name);
    }
    for (const auto& [k, refs] : layer.nodes[0].kwargs())
      for (const auto& ref : refs)
        row.inbound.push_back(producer(ref.layer).name);
  }
  if (!r.calls.empty()) {
    CallResult& c = r.calls[0];
    bool is_input = layer.rule_class() == "InputLayer" && layer.nodes[0].inputs.empty();
    if (is_input)
      row.input_shapes = c.outputs;
    else if (early)
      row.input_shapes = std::move(*early);
    else if (c.evaluated)
      append_input_shapes(layer.nodes[0], result, row.input_shapes);
    row.output_shapes = std::move(c.outputs);
    if (c.poisoned || c.failed)
      for (auto& s : row.output_shapes)
        s = Shape::unknown_rank();
    if (c.poisoned)
      for (auto& s : row.input_shapes)
        if (!s.has_rank())
          s = Shape::unknown_rank();
  }
  if (layer.nested() && r.nested()) {
    row.is_model = true;
    if (nested)
      row.layers = take_rows(*layer.nested(), *r.nested(), nested);
  }
  std::unique_ptr<cost::ReceptiveField> field;
  if (i < result.receptive_fields.size())
    field = std::move(result.receptive_fields[i]);
  row.cost = cost::row_cost(figures, std::move(field));
}

/// Pops a list's elements from its end, giving back the pages its tail no longer uses a
/// quarter megabyte at a time (the list keeps its block; only the pages go). Three lists
/// shrink while the rows grow: a megabyte at a time, they lagged enough behind to lift a
/// large model's peak by a megabyte and a half.
template <class T>
class ShrinkingList {
 public:
  explicit ShrinkingList(std::vector<T>& list)
      : list_(list), released_from_(list.data() + list.capacity()) {}

  /// Whether a list of `size` elements is too small for any of its pages to be given back.
  static bool gives_nothing_back(std::size_t size) { return size * sizeof(T) < kStep; }

  void pop_back() {
    list_.pop_back();
    T* end = list_.data() + list_.size();
    auto unused = static_cast<std::size_t>(released_from_ - end) * sizeof(T);
    if (unused >= kStep) {
      io::discard_pages(end, unused);
      released_from_ = end;
    }
  }

 private:
  static constexpr std::size_t kStep = std::size_t{1} << 18;
  std::vector<T>& list_;
  T* released_from_;  ///< where the pages given back so far begin
};

/// The report's rows for `model`'s layers, with their nested models' rows when `nested`,
/// for a model whose graph and results nothing reads afterwards (the cost pass ran before):
/// the rows take the layers' names and classes and their first calls' shapes (moved out: a
/// large model would hold them twice). They are made last layer first, each layer and its
/// result dropped as soon as its row is made, and the pages their lists no longer use given
/// back as they go: a large model never holds the three lists at once (a 100,000-layer
/// Sequential of Activation layers, 12.5 MiB of JSON, peaked at its rows: 26 MB of them
/// beside 21 MB of layers and 17 MB of results). Leaves `model` and `result` without layers.
std::vector<LayerRow> take_rows(Model& model, ModelResult& result, bool nested) {
  // One result a layer, popped together (the engine makes as many), and its figures if any.
  result.layers.resize(model.layers.size());
  if (!result.costs.empty())
    result.costs.resize(model.layers.size());
  constexpr std::uint32_t kNoRow = std::numeric_limits<std::uint32_t>::max();
  // Where the row of a layer already dropped is in `rows`: a producer listed after the
  // layer it feeds (a file may list them in any order) is named from there.
  std::vector<std::uint32_t> row_of(model.layers.size(), kNoRow);
  auto row_count = static_cast<std::size_t>(std::count_if(
      model.layers.begin(), model.layers.end(), [](const Layer& l) { return !l.implicit_input; }));
  // A large model's rows go to the list's end as they are made (last layer first), and the
  // list is reversed at the end: made in place, the rows' pages would all be written before
  // any layer was dropped. A smaller model's (whose lists give nothing back below a quarter
  // megabyte) are made in place, without the moves of the reversal.
  const bool in_place = ShrinkingList<LayerResult>::gives_nothing_back(model.layers.size());
  std::vector<LayerRow> rows;
  if (in_place)
    rows.resize(row_count);
  else
    rows.reserve(row_count);
  auto producer = [&](std::size_t j) {
    if (j < model.layers.size()) {
      const Layer& p = model.layers[j];
      return Producer{p.name, p.implicit_input};
    }
    if (row_of[j] == kNoRow)  // an implicit input: the first layer, never dropped before
      return Producer{{}, true};
    return Producer{rows[row_of[j]].name, false};
  };
  // A first call's inputs are its producers' outputs, read while the producers' results are
  // still there: the results of layers listed before it (make_row). Those of a call fed by a
  // layer listed after it (Keras writes producers first, but a file may list them in any
  // order) are gathered before any result is dropped, in layer order.
  auto ran = [&](std::size_t i) {
    const LayerResult& r = result.layers[i];
    return !model.layers[i].nodes.empty() && !r.calls.empty() && r.calls[0].evaluated;
  };
  auto fed_from_later = [&](std::size_t i) {
    const auto& refs = model.layers[i].nodes[0].inputs;
    return std::any_of(
        refs.begin(), refs.end(), [i](const TensorRef& ref) { return ref.layer >= i; });
  };
  std::vector<std::pair<std::size_t, Shapes>> early_inputs;
  for (std::size_t i = 0; i < model.layers.size(); ++i)
    if (ran(i) && fed_from_later(i))
      early_inputs.emplace_back(i, input_shapes(model.layers[i].nodes[0], result));
  ShrinkingList layers(model.layers);
  ShrinkingList results(result.layers);
  ShrinkingList costs(result.costs);
  while (!model.layers.empty()) {
    std::size_t i = model.layers.size() - 1;
    Layer& layer = model.layers[i];
    if (!layer.implicit_input) {
      Shapes* early = nullptr;
      if (!early_inputs.empty() && early_inputs.back().first == i)
        early = &early_inputs.back().second;
      cost::LayerFigures* figures = result.costs.empty() ? nullptr : &result.costs[i];
      std::size_t at = in_place ? --row_count : rows.size();
      LayerRow& row = in_place ? rows[at] : rows.emplace_back();
      make_row(row, model, i, result, figures, early, nested, producer);
      row.name = layer.name.view();
      row.class_name = layer.class_name.view();
      row_of[i] = static_cast<std::uint32_t>(at);
      if (early)
        early_inputs.pop_back();
    }
    layers.pop_back();
    results.pop_back();
    if (!result.costs.empty())
      costs.pop_back();
  }
  if (!in_place)
    std::reverse(rows.begin(), rows.end());
  std::vector<std::unique_ptr<cost::ReceptiveField>>().swap(result.receptive_fields);
  return rows;
}

/// Maps --input-shape options onto the model's inputs, batch axis added.
std::optional<std::vector<std::optional<Shape>>> map_input_shapes(const Model& model,
                                                                  const LintOptions& options,
                                                                  Diagnostics& diags) {
  std::vector<std::optional<Shape>> out(model.inputs.size());
  Dim batch = options.batch_size ? Dim::of(*options.batch_size) : Dim::unknown();
  std::size_t next_positional = 0;
  auto names = [&] {
    std::string s;
    for (const auto& ref : model.inputs)
      s += (s.empty() ? "'" : ", '") + model.layers[ref.layer].name + "'";
    return s;
  };
  for (const auto& opt : options.input_shapes) {
    std::size_t slot = model.inputs.size();
    if (opt.input_name) {
      for (std::size_t i = 0; i < model.inputs.size(); ++i)
        if (model.layers[model.inputs[i].layer].name == *opt.input_name)
          slot = i;
      if (slot == model.inputs.size()) {
        diags.push_back(
            file_diagnostic(rule::kBadInputShapeOption,
                            fmt::format("{} names input '{}', but the model's inputs are {}",
                                        options.input_shapes_origin,
                                        *opt.input_name,
                                        names())));
        return std::nullopt;
      }
    } else {
      while (next_positional < out.size() && out[next_positional])
        ++next_positional;
      slot = next_positional;
      if (slot >= model.inputs.size()) {
        diags.push_back(file_diagnostic(
            rule::kBadInputShapeOption,
            fmt::format("{} input shapes given by {}, but the model has {} input(s): {}",
                        options.input_shapes.size(),
                        options.input_shapes_origin,
                        model.inputs.size(),
                        names())));
        return std::nullopt;
      }
    }
    DimVector dims{batch};
    dims.insert(dims.end(), opt.dims.dims().begin(), opt.dims.dims().end());
    out[slot] = Shape(std::move(dims));
  }
  return out;
}

std::string describe_what_if(const Model& model, const std::vector<std::optional<Shape>>& shapes) {
  std::string out;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (!shapes[i])
      continue;
    if (!out.empty())
      out += ", ";
    out += fmt::format("{}={}", model.layers[model.inputs[i].layer].name, to_string(*shapes[i]));
  }
  return out;
}

/// The replay pass re-meets what the declared pass already said (an opaque layer, say).
void drop_repeated_diagnostics(Diagnostics& diags) {
  Diagnostics unique;
  unique.reserve(diags.size());
  std::unordered_set<std::string, StringHash> seen;
  for (auto& d : diags) {
    std::string key = fmt::format("{}\x1f{}\x1f{}", d.rule, d.layer.value_or(""), d.message);
    if (seen.insert(std::move(key)).second)
      unique.push_back(std::move(d));
  }
  diags = std::move(unique);
}

void finish_status(FileReport& report) {
  drop_repeated_diagnostics(report.diagnostics);
  bool invalid = false, error = false;
  for (const auto& d : report.diagnostics) {
    const RuleInfo* info = find_rule_info(d.rule);
    if (info && info->makes_invalid && d.severity == Severity::error)
      invalid = true;
    if (d.severity == Severity::error)
      error = true;
  }
  report.status = invalid ? "invalid" : (error ? "error" : "ok");
}

/// Appends `in` to `text` up to `limit` bytes; false when there is more (a hostile or wrong
/// file must not exhaust memory).
bool read_bounded(std::istream& in, std::uint64_t limit, std::string& text) {
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  // Not zeroed: every page of a zeroed buffer is a page fault, even when nothing is left.
  auto buffer = std::make_unique_for_overwrite<char[]>(kChunk);
  while (in && text.size() <= limit) {
    in.read(buffer.get(), static_cast<std::streamsize>(kChunk));
    text.append(buffer.get(), static_cast<std::size_t>(in.gcount()));
  }
  return text.size() <= limit;
}

// From 64 KiB, a text's lint writes enough fresh memory for 2 MiB pages to pay
// (memory/small_blocks.hpp). Past a few MiB its blocks outgrow the arena, and malloc's heap,
// which reuses freed memory more closely, keeps the peak lower (measured on 100k layers).
constexpr std::size_t kHugePagesFrom = std::size_t{64} << 10;
constexpr std::size_t kHugePagesUpTo = std::size_t{4} << 20;

/// Appends the rest of file `in` to `text` up to `limit` bytes; false when there is more.
/// The file's `size` (0 when unknown) is read at once (a buffer grown by doubling would hold
/// up to twice a large model's text), then whatever a growing or special file still has.
/// `in_arena`: `text` grows in the huge-page arena (use_huge_pages).
bool read_rest(
    std::istream& in, std::uintmax_t size, std::uint64_t limit, std::string& text, bool in_arena) {
  if (in && size > text.size() && size <= limit) {
    std::size_t have = text.size();
    text.reserve(static_cast<std::size_t>(size));
    // The huge-page arena's pages come 2 MiB at a time: mapping them in ahead would be a
    // system call for nothing.
    if (!in_arena && size > kHugePagesUpTo)
      io::prefault_for_writing(text.data(), text.capacity());
    text.resize(static_cast<std::size_t>(size));
    in.read(text.data() + have, static_cast<std::streamsize>(size - have));
    text.resize(have + static_cast<std::size_t>(in.gcount()));
    if (in && in.peek() == std::char_traits<char>::eof())
      return true;  // all of it: the usual case, a file that did not grow meanwhile
  }
  return read_bounded(in, limit, text);
}

/// Keeps `value` until the process exits (LintOptions::leave_memory_to_exit): reachable, so a
/// leak checker does not report it, and never freed by a program that leaves with _Exit.
template <class T>
void leave_to_exit(T&& value) {
  static std::mutex guard;
  static std::vector<std::shared_ptr<void>> kept;
  auto held = std::make_shared<std::decay_t<T>>(std::forward<T>(value));
  std::lock_guard lock(guard);
  kept.push_back(std::move(held));
}

/// The JSON text a model came from, where findings are located. A file's own text is dropped
/// once parsed (a large model's text would otherwise stay in memory while it is checked) and
/// read again only when a finding needs a position.
class SourceText {
 public:
  /// A text the caller keeps (an archive member, a string handed to lint_text).
  static SourceText held(std::string_view text) {
    SourceText s;
    s.view_ = text;
    return s;
  }

  /// A file's text, which can be read again (up to `limit` bytes) from `path` once released.
  static SourceText of_file(std::string text, std::string path, std::uint64_t limit) {
    SourceText s;
    s.owned_ = std::move(text);
    s.view_ = s.owned_;
    s.path_ = std::move(path);
    s.limit_ = limit;
    return s;
  }

  /// A file's text mapped in place, which can be read again from `path` once released.
  static SourceText of_mapping(io::MappedFile mapped, std::string path, std::uint64_t limit) {
    SourceText s;
    s.view_ = mapped.text();
    s.mapped_ = std::move(mapped);
    s.path_ = std::move(path);
    s.limit_ = limit;
    return s;
  }

  /// Whether the mapped file was cut short by another process while it was read.
  bool cut_short() const { return cut_short_ || (mapped_ && mapped_->cut_short()); }

  std::string_view text() {
    if (released_) {
      released_ = false;
      std::ifstream in(path_, std::ios::binary);
      std::error_code ec;
      std::uintmax_t size = fs::file_size(path_, ec);
      if (!in || !read_rest(in, ec ? 0 : size, limit_, owned_, false))
        owned_.clear();  // gone, or grown past the limit: no positions then
      view_ = owned_;
    }
    return view_;
  }

  /// Whether release() keeps the text: then it outlives the model parsed from it.
  bool kept() const { return path_.empty() || view_.size() <= kKeptTextBytes || keep_; }

  /// Asks release() to keep even a large text.
  void keep() { keep_ = true; }

  /// Frees the text if it can be read again and is large enough for that to matter: a large
  /// model's text would add its whole size to the peak while the model is checked, but for
  /// a small one, reading the file a second time to place a finding costs more than keeping it.
  void release() {
    if (kept())
      return;
    std::string().swap(owned_);
    cut_short_ = cut_short();
    mapped_.reset();
    view_ = {};
    released_ = true;
  }

 private:
  SourceText() = default;

  static constexpr std::size_t kKeptTextBytes = std::size_t{1} << 20;

  std::string owned_;
  std::optional<io::MappedFile> mapped_;
  bool cut_short_ = false;  ///< the mapped file was cut short, before it was released
  std::string_view view_;
  std::string path_;  ///< empty for a held text
  std::uint64_t limit_ = 0;
  bool released_ = false;
  bool keep_ = false;
};

/// Keeps a large text whose floats are a quarter of it or more (a config with a weight
/// matrix inside), where the document then reads them; otherwise the document copies them
/// and the text goes. For such a text, copying its floats would cost nearly its size again
/// (and fault in fresh pages for it), where keeping costs only what the copy would not. A
/// text `mostly_digits` is kept without counting (a pass over every node).
void keep_text_of_float_laden(SourceText& source,
                              std::string_view text,
                              bool text_mostly_digits,
                              JsonDocument* document) {
  if (source.kept() || !document)
    return;
  if (text_mostly_digits || document->float_text_bytes() >= text.size() / 4)
    source.keep();
  else
    document->copy_float_texts();
}

/// The JSON path each finding points at: its own, or else its layer's object, with where in
/// the text to start looking for it (`document`'s layer objects). Worked out while the
/// document the layers' paths come from is still there.
std::vector<WantedPath> finding_paths(const Model* model,
                                      const Diagnostics& diags,
                                      const JsonDocument* document) {
  std::unordered_map<std::string_view, const Layer*, StringHash> layers;
  // The layers by name, only when a finding needs its layer's path: most lints have none.
  bool layer_wanted = std::any_of(diags.begin(), diags.end(), [](const Diagnostic& d) {
    return d.json_path.empty() && d.layer;
  });
  if (model && layer_wanted)
    for (const auto& layer : model->layers)
      if (!layer.implicit_input && layer.object)
        layers.emplace(layer.name, &layer);
  std::vector<WantedPath> paths(diags.size());
  for (std::size_t i = 0; i < diags.size(); ++i) {
    const Diagnostic& d = diags[i];
    std::string path;
    if (!d.json_path.empty())
      path = d.json_path;
    else if (d.layer)
      if (auto it = layers.find(*d.layer); it != layers.end())
        path = it->second->path();
    if (document && !path.empty())
      paths[i] = wanted_path_in(document->root(), path);
    else
      paths[i] = WantedPath::from_top(path);
  }
  return paths;
}

/// Fills each finding's line and column from one scan of the JSON text (the file, or the
/// archive member the config came from): the value at its path from finding_paths (a
/// finding made since points at its own json_path). The text is read (again) only when a
/// finding has a path to look for.
void locate_diagnostics(SourceText& source, std::vector<WantedPath> paths, Diagnostics& diags) {
  for (std::size_t i = paths.size(); i < diags.size(); ++i)
    paths.push_back(WantedPath::from_top(diags[i].json_path));
  std::vector<WantedPath> wanted;
  for (std::size_t i = 0; i < diags.size(); ++i) {
    Diagnostic& d = diags[i];
    if (d.rule == rule::kInvalidJson) {
      // The parser knows where the JSON breaks: nlohmann says "... at line 3, column 5: ...".
      int line = 0, column = 0;
      auto at = d.message.find("at line ");
      if (at != std::string::npos &&
          std::sscanf(d.message.c_str() + at, "at line %d, column %d", &line, &column) == 2) {
        d.line = line;
        d.column = column;
      }
      continue;
    }
    if (!paths[i].path.empty())
      wanted.push_back(paths[i]);
  }
  if (wanted.empty())
    return;
  JsonPositions positions(source.text(), wanted);
  for (std::size_t i = 0; i < diags.size(); ++i) {
    if (paths[i].path.empty())
      continue;
    if (auto at = positions.find(paths[i].path)) {
      diags[i].line = at->line;
      diags[i].column = at->column;
    }
  }
}

/// A Keras sharded weights index (`model.save_weights("m.weights.json", max_shard_size=...)`,
/// keras/src/saving/saving_lib.py ShardedH5IOStore): `{"metadata": {"total_size": ...},
/// "weight_map": {"/layers/dense/vars": "m_00000.weights.h5", ...}}`. Named as such, like a
/// weights-only .h5, instead of "not a model config".
void name_sharded_weights_index(JsonValue doc, LoadedModel& loaded) {
  JsonValue weight_map = doc.find("weight_map");
  JsonValue metadata = doc.find("metadata");
  if (!doc.is_object() || !weight_map.is_object() || !metadata.is_object())
    return;
  for (auto& d : loaded.diagnostics) {
    if (d.rule != rule::kNotAModel)
      continue;
    d.message = fmt::format(
        "this is a Keras sharded weights index (model.save_weights(..., max_shard_size=...)) "
        "naming {} weight group(s) in .weights.h5 shards: it holds only weights, so there is "
        "no architecture to check",
        weight_map.size());
    d.hint = "lint the file model.save() wrote (.keras), or the model's to_json() output";
  }
}

bool looks_like_lfs_pointer(std::string_view text) {
  return text.rfind("version https://git-lfs.github.com/spec/", 0) == 0;
}

/// Binary bytes where JSON text was expected: a NUL in the first KiB. UTF-16 and UTF-32 text
/// has NULs too, but starts with a byte-order mark: the JSON reader says what it is.
bool looks_binary(std::string_view text) {
  bool utf16_or_32 = text.substr(0, 2) == "\xff\xfe" || text.substr(0, 2) == "\xfe\xff" ||
                     text.substr(0, 4) == std::string_view("\0\0\xfe\xff", 4);
  return !utf16_or_32 && text.substr(0, 1024).find('\0') != std::string_view::npos;
}

/// Parses a container's config and normalizes it; the container's own `keras_version`
/// (metadata.json, the HDF5 attribute) stands in for the config's when it has none, so dialect
/// detection sees what Keras's loader sees.
LoadedModel load_container_config(const io::ModelFile& file, const LoadLimits& limits) {
  const std::string& text = *file.config_text;
  JsonParseError error;
  auto doc = JsonDocument::parse(text, limits.max_json_depth, error);
  if (doc)
    return load_model_document(std::move(doc), file.keras_version, limits);
  LoadedModel loaded = load_model_json(text, std::nullopt, limits);  // refuses it, as bare JSON
  if (!error.too_deep)
    for (auto& d : loaded.diagnostics)
      if (d.rule == rule::kInvalidJson)
        d.message = fmt::format("{} is not valid JSON: {}", file.member, d.message);
  return loaded;
}

/// The weights the container stores, against those the config builds. Keras 1 files are left
/// alone: Keras converts their weights (Theano kernel order, one matrix per LSTM gate) on load.
void check_container_weights(const io::ModelFile& container,
                             const LoadedModel& loaded,
                             const Model& model,
                             const ModelResult& built,
                             Diagnostics& diagnostics) {
  bool keras1 = loaded.dialect == Dialect::keras1 ||
                (container.keras_version && container.keras_version->rfind("1.", 0) == 0);
  if (keras1)
    return;
  // Keras 2.13-2.15 archives key their groups by class too, but number them otherwise.
  int major = container.keras_version ? std::atoi(container.keras_version->c_str()) : 0;
  bool archive = container.container == io::Container::zip;
  std::string_view limit = limit_in(container.weights_problem);
  if (!container.weights_problem.empty())
    diagnostics.push_back(file_diagnostic(
        rule::kRecordedWeightsUnreadable,
        fmt::format("the weights stored in this file cannot be read: {}",
                    container.weights_problem),
        limit.empty() ? "Keras will fail to load this file's weights: save the model again"
                      : raise_limit_hint("the weights were not compared", limit)));
  else if (container.weights)
    check_recorded_weights(model,
                           built,
                           *container.weights,
                           archive && major >= 2,
                           diagnostics,
                           archive && major == 2);
}

/// Propagates shapes through a loaded model and fills the report. `source` is the JSON the
/// model came from, for finding locations.
void lint_loaded(LoadedModel loaded,
                 SourceText& source,
                 const LintOptions& options,
                 const io::ModelFile* container,
                 FileReport& report) {
  rule_run_budget() = RuleRunBudget{.left = options.max_rule_runs,  // a budget per file
                                    .limit = options.max_rule_runs,
                                    .max_wrapper_depth = options.max_wrapper_depth};
  for (auto& d : loaded.diagnostics)
    report.diagnostics.push_back(std::move(d));
  if (loaded.not_a_model) {
    locate_diagnostics(source, {}, report.diagnostics);
    report.skipped = options.skip_non_models;
    finish_status(report);
    return;
  }
  const Model& model = *loaded.model;
  report.model_name = model.name;
  report.model_class = model.class_name;
  report.functional = !model.sequential;
  bool load_failed = false;
  for (const auto& d : report.diagnostics)
    load_failed = load_failed || d.severity == Severity::error;
  if (model.opaque) {
    report.diagnostics.push_back(Diagnostic{
        .rule = std::string(rule::kSubclassedModel),
        .severity = Severity::warning,
        .layer = std::nullopt,
        .message = fmt::format("'{}' is a subclassed model saved without a layer graph: its "
                               "config holds no layers, so there are no shapes to check",
                               model.class_name),
        .hint = "save a Functional or Sequential model, or lint the model it wraps",
        .json_path = model.path.empty() ? "config" : model.path + ".config"});
    locate_diagnostics(source,
                       finding_paths(&model, report.diagnostics, loaded.document.get()),
                       report.diagnostics);
    finish_status(report);
    return;
  }
  if (load_failed) {
    locate_diagnostics(source,
                       finding_paths(&model, report.diagnostics, loaded.document.get()),
                       report.diagnostics);
    finish_status(report);
    return;
  }
  bool tfjs_weights =
      loaded.format == "tfjs-layers" && loaded.document && loaded.dialect != Dialect::keras1;
  PropagateOptions declared;
  declared.semantics = loaded.semantics;
  declared.custom_layers = options.custom_layers;
  // Only a replay, the stored-weights checks and the valid-sizes search read the built
  // layers after propagation; each layer's cost is worked out while its weights are at hand.
  declared.keep_built =
      container || tfjs_weights || !options.input_shapes.empty() || options.valid_sizes;
  // Memory numbers need a batch: --batch-size, else one sample.
  bool cost = wants_cost(options);
  if (cost)
    declared.cost_batch = options.batch_size.value_or(1);
  // The loader's scratch (pending nodes and references, the name index: about 150 bytes a
  // layer) is free now but touched: the results' list takes it if it fits, the rest goes.
  declared.give_back_free_pages = true;
  ModelResult built = propagate(model, declared, report.diagnostics);
  memory::mark_phase("propagated");
  // Against the declared pass only: a what-if replay is expected to differ from the file.
  analysis::check_recorded_shapes(model, built, report.diagnostics);
  if (options.target) {
    report.target = analysis::to_string(*options.target);
    analysis::check_portability(model, loaded.dialect, *options.target, report.diagnostics);
  }
  if (container)
    check_container_weights(*container, loaded, model, built, report.diagnostics);
  else if (tfjs_weights)
    check_recorded_weights(model,
                           built,
                           tfjs_manifest_weights(loaded.document->root(), model),
                           false,
                           report.diagnostics);
  std::optional<ModelResult> replayed;
  std::vector<std::optional<Shape>> what_if;
  if (!options.input_shapes.empty()) {
    auto shapes = map_input_shapes(model, options, report.diagnostics);
    if (shapes) {
      PropagateOptions replay;
      replay.semantics = loaded.semantics;
      replay.custom_layers = options.custom_layers;
      replay.input_shapes = *shapes;
      replay.built = &built;
      replay.cost_batch = declared.cost_batch;
      report.what_if = describe_what_if(model, *shapes);
      replayed = propagate(model, replay, report.diagnostics);
      what_if = std::move(*shapes);
    }
  }
  ModelResult& shown = replayed ? *replayed : built;
  analysis::ModelPasses passes{model, built, shown, declared, what_if};
  // Signature, valid input sizes, hints: from the passes, before the rows take their shapes.
  analysis::analyze_passes(passes, options, report);
  if (cost) {
    cost::attach_receptive_fields(model, shown);
    report.cost = cost::annotate_cost(model, shown, *declared.cost_batch);
  }
  auto paths = finding_paths(&model, report.diagnostics, loaded.document.get());
  // Nothing reads a JSON value from here on (the graph's go stale), but the rows copy the
  // layers' names and classes, which the layers borrow from the document's strings: the
  // rest of the document goes first (most of it, for a large model: its values and their
  // table), before the rows grow.
  if (loaded.document) {
    loaded.document->keep_only_strings();
    memory::return_free_heap_pages();
  }
  report.layers = take_rows(*loaded.model, shown, options.nested_rows || cost);
  // Nothing reads the JSON document from here on (the graph's JSON values go stale).
  loaded.document.reset();
  memory::return_free_heap_pages();
  memory::mark_phase("rows taken");
  // Budgets: from the totals.
  analysis::analyze_rows(passes, options, report);
  locate_diagnostics(source, std::move(paths), report.diagnostics);
  report.params = ParamTotals{built.known_params,
                              built.known_trainable_params,
                              built.known_non_trainable_params,
                              built.unknown_param_layers};
  finish_status(report);
  if (options.leave_memory_to_exit) {
    leave_to_exit(std::move(loaded));
    leave_to_exit(std::move(built));
    if (replayed)
      leave_to_exit(std::move(*replayed));
  }
}

/// A `.keras` archive or HDF5 file, read by lib/shapelint/io.
FileReport lint_container(io::ModelFile file,
                          const std::string& display_path,
                          const LintOptions& options) {
  FileReport report;
  report.path = display_path;
  report.format = file.format;
  report.keras_version = file.keras_version;
  report.diagnostics = std::move(file.diagnostics);
  if (!file.config_text) {
    report.skipped = file.not_a_model && options.skip_non_models;
    finish_status(report);
    return report;
  }
  LoadedModel loaded = load_container_config(file, options.load_limits);
  if (!report.keras_version)
    report.keras_version = loaded.keras_version;
  SourceText source = SourceText::held(*file.config_text);
  if (!file.member.empty())
    report.member = file.member;
  lint_loaded(std::move(loaded), source, options, &file, report);
  return report;
}

FileReport unreadable(const std::string& path, std::string message, std::string hint = {}) {
  FileReport report;
  report.path = path;
  report.format = "unknown";
  report.diagnostics.push_back(
      file_diagnostic(rule::kUnreadable, std::move(message), std::move(hint)));
  finish_status(report);
  return report;
}

FileReport too_large(const std::string& path, std::uint64_t limit, std::string_view setting) {
  constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
  std::string size =
      limit % kMiB == 0 ? fmt::format("{} MiB", limit / kMiB) : fmt::format("{} bytes", limit);
  return unreadable(
      path,
      fmt::format("the file is larger than {}, {}", size, limit_note(setting)),
      raise_limit_hint("a Keras model config is a few MiB at most: check that this is one",
                       setting));
}

}  // namespace

namespace {

/// lint_text, for a text `source` holds (and may free once it is parsed).
FileReport lint_source(SourceText& source,
                       const std::string& display_path,
                       const LintOptions& options) {
  std::string_view text = source.text();
  if (io::sniff_container(text) != io::Container::text)
    return lint_container(io::read_model_bytes(text, options.read_limits), display_path, options);
  if (looks_like_lfs_pointer(text))
    return unreadable(
        display_path,
        "this is a Git LFS pointer file, not the model: the real file was not fetched",
        "run `git lfs pull` (or check out with LFS enabled) and lint again");
  FileReport report;
  report.path = display_path;
  report.format = "unknown";
  if (looks_binary(text)) {
    report.diagnostics.push_back(file_diagnostic(
        rule::kNotAModel,
        "not a model file: neither JSON, a .keras (zip) archive nor an HDF5 file",
        "pass a model's to_json() output, a .keras archive, a legacy .h5 model or a "
        "TensorFlow.js model.json"));
    report.skipped = options.skip_non_models;
    finish_status(report);
    return report;
  }
  std::optional<memory::WithoutHugePages> small_pages;
  // Sampled once, and only for a text whose lint asks (a large one, or one not kept).
  bool large = text.size() > kHugePagesUpTo;
  bool text_mostly_digits = (large || !source.kept()) && mostly_digits(text);
  // A large config that is mostly a weight matrix (an embedding's GloVe vectors) makes few
  // blocks but the document's nodes for its numbers, written once front to back, which 2 MiB
  // pages take with far fewer faults: 13.1 -> 9.8 ms for 4.4 MB of float32 weights.
  if (large && !text_mostly_digits)
    small_pages.emplace();
  else if (text.size() >= kHugePagesFrom)
    memory::use_huge_pages();
  memory::mark_phase("read");
  LoadedModel loaded;
  auto document =
      parse_model_json(text, loaded, options.load_limits, TextLifetime::outlives_document);
  memory::mark_phase("parsed");
  if (large && document)
    document->give_back_unused_capacity();
  keep_text_of_float_laden(source, text, text_mostly_digits, document.get());
  source.release();  // unless kept, the document keeps nothing of it
  if (document)
    loaded = load_model_document(std::move(document), std::nullopt, options.load_limits);
  memory::mark_phase("loaded");
  if (loaded.not_a_model && loaded.document)
    name_sharded_weights_index(loaded.document->root(), loaded);
  report.format = loaded.format;
  report.keras_version = loaded.keras_version;
  lint_loaded(std::move(loaded), source, options, nullptr, report);
  return report;
}

}  // namespace

FileReport lint_text(std::string_view text,
                     const std::string& display_path,
                     const LintOptions& options) {
  SourceText source = SourceText::held(text);
  return lint_source(source, display_path, options);
}

namespace {

/// The lint of a text file of more than kHugePagesUpTo bytes, mapped in place; nothing when
/// it cannot be mapped or holds an archive.
std::optional<FileReport> lint_mapped(const std::string& path, const LintOptions& options) {
  const io::ReadLimits& limits = options.read_limits;
  auto mapped = io::MappedFile::open(path, kHugePagesUpTo + 1, limits.max_config_bytes);
  if (!mapped || io::sniff_container(mapped->text()) != io::Container::text)
    return std::nullopt;
  SourceText source = SourceText::of_mapping(std::move(*mapped), path, limits.max_config_bytes);
  FileReport report = lint_source(source, path, options);
  if (source.cut_short())
    return unreadable(path,
                      "the file changed while it was read: another program cut it short",
                      "lint it again once the file is written");
  if (options.leave_memory_to_exit)
    leave_to_exit(std::move(source));  // unmapped by the exit
  return report;
}

}  // namespace

FileReport lint_file(const std::string& path, const LintOptions& options) {
  std::string text;
  const io::ReadLimits& limits = options.read_limits;
  if (path == "-") {
    // Standard input may carry a whole archive; text is held to the config's limit below.
    if (!read_bounded(std::cin, limits.max_stdin_bytes, text))
      return too_large(path, limits.max_stdin_bytes, "max-stdin-size");
    if (io::sniff_container(text) == io::Container::text && text.size() > limits.max_config_bytes)
      return too_large(path, limits.max_config_bytes, "max-config-size");
    return lint_text(text, path, options);
  }

  struct stat file {};

  bool regular = ::stat(path.c_str(), &file) == 0 && S_ISREG(file.st_mode);
  if (!regular && S_ISDIR(file.st_mode))
    return unreadable(path, "is a directory with no model files");
  auto size = regular ? static_cast<std::uint64_t>(file.st_size) : 0;
  // A text of many MiB is mapped, not copied (io/mapped_file.hpp), so as not to add its size
  // to the peak. A smaller one is read into the huge-page arena: mapped, a 400 KiB file took
  // 7 page faults on the virtual machines CI runs on, and a first touch of each of its 4 KiB
  // pages; read, it costs a copy into pages the arena has backed already. A larger text that
  // is mostly a weight matrix (kept to the end: its floats are read from it) was read into
  // the arena too, until mapping it measured faster on the virtual machine of session 19:
  // the read zeroed fresh 2 MiB pages and copied 4.4 MB into them, 6.4 -> 3.9 ms best of 30
  // for the lint of a config holding 200,000 float32 weights, at a peak 0.6 MB higher.
  bool in_arena = size >= kHugePagesFrom && size <= kHugePagesUpTo;
  if (in_arena) {
    memory::use_huge_pages();
  } else if (size > kHugePagesUpTo) {
    if (auto report = lint_mapped(path, options))
      return std::move(*report);
  }
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in)
    return unreadable(path,
                      fmt::format("cannot open '{}': {}",
                                  path,
                                  fs::exists(path, ec) ? "permission denied" : "no such file"));
  // Archives and HDF5 files are read in place (they may be large); only text is read whole.
  std::string head(io::kSniffBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  io::Container container = io::sniff_container(head);
  if (container != io::Container::text) {
    in.close();
    return lint_container(io::read_model_path(path, container, options.read_limits), path, options);
  }
  text = std::move(head);
  if (!read_rest(in, size, limits.max_config_bytes, text, in_arena))  // the size stat() gave
    return too_large(path, limits.max_config_bytes, "max-config-size");
  SourceText source = SourceText::of_file(std::move(text), path, limits.max_config_bytes);
  return lint_source(source, path, options);
}

std::vector<ExpandedPath> expand_paths(const std::vector<std::string>& paths) {
  std::vector<ExpandedPath> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (p != "-" && fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(
               p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (!it->is_regular_file(ec))
          continue;
        std::string ext = it->path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) {
          return static_cast<char>(std::tolower(c));
        });
        if (ext == ".json" || ext == ".keras" || ext == ".h5" || ext == ".hdf5")
          found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      for (auto& f : found)
        out.push_back(ExpandedPath{std::move(f), true});
    } else {
      out.push_back(ExpandedPath{p, false});
    }
  }
  return out;
}

}  // namespace shapelint
