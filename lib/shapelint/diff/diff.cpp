#include "shapelint/diff/diff.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "shapelint/cost/macs.hpp"
#include "shapelint/diag/catalog.hpp"

namespace shapelint::diff {

namespace {

constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kCyan = "\x1b[36m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";

std::string paint(bool color, std::string_view style, std::string_view text) {
  return color ? fmt::format("{}{}{}", style, text, kReset) : std::string(text);
}

std::string shape_text(const Shape& s) {
  return s.has_rank() ? to_string(s) : "?";
}

std::string shapes_text(const Shapes& shapes) {
  std::vector<std::string> parts;
  for (const auto& s : shapes)
    parts.push_back(shape_text(s));
  return parts.empty() ? "-" : fmt::format("{}", fmt::join(parts, ", "));
}

const Shape* call_output(const ModelResult& r, const TensorRef& ref) {
  if (ref.layer >= r.layers.size() || ref.node >= r.layers[ref.layer].calls.size())
    return nullptr;
  const CallResult& call = r.layers[ref.layer].calls[ref.node];
  if (!call.evaluated || call.failed || call.poisoned || ref.tensor >= call.outputs.size())
    return nullptr;
  return &call.outputs[ref.tensor];
}

/// How a tensor's shape moved between versions.
enum class ShapeChange { same, relaxed, incompatible };

/// `relaxed`: every axis that differs was a fixed size and is now None (the new version takes
/// everything the old one did).
ShapeChange compare_shapes(const Shape& before, const Shape& after) {
  if (before == after)
    return ShapeChange::same;
  if (!before.has_rank() || !after.has_rank() || before.rank() != after.rank())
    return ShapeChange::incompatible;
  for (std::size_t i = 0; i < before.rank(); ++i) {
    Dim b = before.dims()[i], a = after.dims()[i];
    if (!(b == a) && a.is_known())
      return ShapeChange::incompatible;
  }
  return ShapeChange::relaxed;
}

Diagnostic finding(std::string_view id,
                   std::optional<std::string> layer,
                   std::string message,
                   std::string hint = {}) {
  return Diagnostic{.rule = std::string(id),
                    .severity = find_rule_info(id)->severity,
                    .layer = std::move(layer),
                    .message = std::move(message),
                    .hint = std::move(hint),
                    .json_path = ""};
}

constexpr std::string_view kBreakingHint =
    "callers of the model rely on its inputs and outputs: restore the old signature, or, if "
    "the change is intended, release the model as a new version and update its callers";

class Comparer {
 public:
  Comparer(const FileReport& before, const FileReport& after) {
    diff_.old_report = &before;
    diff_.new_report = &after;
  }

  ModelDiff run() {
    compare_layers();
    if (diff_.old_report->signature && diff_.new_report->signature)
      compare_signatures(*diff_.old_report->signature, *diff_.new_report->signature);
    for (const auto& s : diff_.signature)
      if (s.breaking)
        diff_.findings.push_back(
            finding(rule::kSignatureChanged, s.layer, s.text, std::string(kBreakingHint)));
    for (const auto& s : diff_.signature)
      if (!s.breaking)
        diff_.findings.push_back(finding(rule::kArchitectureChanged, s.layer, s.text));
    for (const auto& c : diff_.layers)
      diff_.findings.push_back(finding(rule::kArchitectureChanged, c.layer, layer_sentence(c)));
    return std::move(diff_);
  }

 private:
  void signature_change(std::string text, bool breaking, std::optional<std::string> layer) {
    diff_.signature.push_back({std::move(text), breaking, std::move(layer)});
  }

  void compare_side(const std::vector<TensorSignature>& before,
                    const std::vector<TensorSignature>& after,
                    std::string_view side,  // "input" or "output"
                    bool by_name) {
    if (before.size() != after.size()) {
      auto names = [](const std::vector<TensorSignature>& v) {
        std::vector<std::string> n;
        for (const auto& t : v)
          n.push_back("'" + t.name + "'");
        return fmt::format("{}", fmt::join(n, ", "));
      };
      signature_change(fmt::format("the model has {} {}(s) instead of {}: {} (was {})",
                                   after.size(),
                                   side,
                                   before.size(),
                                   names(after),
                                   names(before)),
                       true,
                       std::nullopt);
      return;
    }
    for (std::size_t i = 0; i < before.size(); ++i) {
      const auto& b = before[i];
      const auto& a = after[i];
      if (by_name && b.name != a.name)
        signature_change(fmt::format("{} {} is named '{}' instead of '{}': callers that pass "
                                     "or read it by name break",
                                     side,
                                     i,
                                     a.name,
                                     b.name),
                         true,
                         a.name);
      ShapeChange change = compare_shapes(b.shape, a.shape);
      // A relaxed input takes everything it took; a relaxed output promises less.
      if (change != ShapeChange::same) {
        bool breaking = change == ShapeChange::incompatible || side == "output";
        signature_change(fmt::format("{} '{}' {} {} instead of {}{}",
                                     side,
                                     a.name,
                                     side == "input" ? "takes" : "gives",
                                     shape_text(a.shape),
                                     shape_text(b.shape),
                                     breaking ? "" : " (it accepts every shape it did)"),
                         breaking,
                         a.name);
      }
      if (b.dtype != a.dtype)
        signature_change(fmt::format("{} '{}' is {} instead of {}", side, a.name, a.dtype, b.dtype),
                         true,
                         a.name);
    }
  }

  void compare_signatures(const ModelSignature& before, const ModelSignature& after) {
    bool by_name = !before.sequential && !after.sequential;
    compare_side(before.inputs, after.inputs, "input", by_name);
    compare_side(before.outputs, after.outputs, "output", by_name);
  }

  void compare_layers() {
    std::map<std::string, const LayerRow*> old_rows;
    for (const auto& r : diff_.old_report->layers)
      old_rows.emplace(r.name, &r);
    std::map<std::string, bool> seen;
    for (const auto& r : diff_.new_report->layers) {
      seen[r.name] = true;
      auto it = old_rows.find(r.name);
      if (it == old_rows.end()) {
        LayerChange c{LayerChange::Kind::added, r.name, r.class_name, {}};
        c.what.push_back(fmt::format("output {}", shapes_text(r.output_shapes)));
        if (r.params)
          c.what.push_back(fmt::format("{} params", group_thousands(*r.params)));
        diff_.layers.push_back(std::move(c));
        continue;
      }
      const LayerRow& o = *it->second;
      LayerChange c{LayerChange::Kind::changed, r.name, r.class_name, {}};
      if (o.class_name != r.class_name)
        c.what.push_back(fmt::format("class {} → {}", o.class_name, r.class_name));
      if (o.output_shapes != r.output_shapes)
        c.what.push_back(fmt::format(
            "output {} → {}", shapes_text(o.output_shapes), shapes_text(r.output_shapes)));
      if (o.params != r.params)
        c.what.push_back(fmt::format("params {} → {}",
                                     o.params ? group_thousands(*o.params) : "?",
                                     r.params ? group_thousands(*r.params) : "?"));
      if (!c.what.empty())
        diff_.layers.push_back(std::move(c));
    }
    for (const auto& o : diff_.old_report->layers)
      if (!seen.count(o.name))
        diff_.layers.push_back({LayerChange::Kind::removed, o.name, o.class_name, {}});
  }

  static std::string layer_sentence(const LayerChange& c) {
    switch (c.kind) {
      case LayerChange::Kind::added:
        return fmt::format("added ({}): {}", c.class_name, fmt::join(c.what, ", "));
      case LayerChange::Kind::removed:
        return fmt::format("removed ({})", c.class_name);
      case LayerChange::Kind::changed:
        break;
    }
    return fmt::format("changed ({}): {}", c.class_name, fmt::join(c.what, "; "));
  }

  ModelDiff diff_;
};

/// `text` in lines of at most `width` columns, broken at spaces.
std::vector<std::string> wrap_words(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    std::string word =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  if (!line.empty())
    lines.push_back(line);
  return lines;
}

std::string signature_line(const TensorSignature& t) {
  return fmt::format("{} {} {}", t.name, shape_text(t.shape), t.dtype);
}

/// "693,962 → 695,000 (+1,038)", or just the number when unchanged.
std::string total_change(std::int64_t before,
                         std::int64_t after,
                         std::string (*format)(std::int64_t)) {
  if (before == after)
    return fmt::format("{} (unchanged)", format(after));
  if (format(before) == format(after))  // "910K → 910K" says nothing: the exact numbers
    format = group_thousands;
  std::int64_t delta = after - before;
  return fmt::format("{} → {} ({}{})",
                     format(before),
                     format(after),
                     delta > 0 ? "+" : "-",
                     format(delta > 0 ? delta : -delta));
}

}  // namespace

ModelSignature signature_of(const Model& model, const ModelResult& built) {
  ModelSignature sig;
  sig.sequential = model.sequential;
  for (const auto& ref : model.inputs) {
    const Layer& layer = model.layers[ref.layer];
    const Shape* shape = call_output(built, ref);
    sig.inputs.push_back({layer.name,
                          shape ? *shape : layer.batch_shape().value_or(Shape::unknown_rank()),
                          cost::dtype_policy(layer.config()).compute});
  }
  for (std::size_t i = 0; i < model.outputs.size(); ++i) {
    const TensorRef& ref = model.outputs[i];
    const Layer& layer = model.layers[ref.layer];
    std::string name =
        ref.tensor ? fmt::format("{}[{}]", layer.name, ref.tensor) : layer.name.str();
    sig.outputs.push_back({std::move(name),
                           i < built.outputs.size() ? built.outputs[i] : Shape::unknown_rank(),
                           cost::dtype_policy(layer.config()).compute});
  }
  return sig;
}

ModelDiff compare(const FileReport& old_report, const FileReport& new_report) {
  return Comparer(old_report, new_report).run();
}

RunReport as_run_report(const ModelDiff& diff, const std::string& tool_version) {
  RunReport run;
  run.tool_version = tool_version;
  FileReport f = *diff.new_report;
  f.diagnostics = diff.findings;
  bool error = std::any_of(f.diagnostics.begin(), f.diagnostics.end(), [](const Diagnostic& d) {
    return d.severity == Severity::error;
  });
  f.status = error ? "error" : "ok";
  run.files.push_back(std::move(f));
  tally(run);
  return run;
}

void render_diff_table(const ModelDiff& diff, const RenderOptions& options, std::ostream& out) {
  const FileReport& before = *diff.old_report;
  const FileReport& after = *diff.new_report;
  bool color = options.color;
  auto model_text = [](const FileReport& f) {
    return f.model_class
               ? fmt::format("{} '{}' ({})", *f.model_class, f.model_name.value_or(""), f.format)
               : f.format;
  };
  out << paint(color, kBold, fmt::format("{} → {}", before.path, after.path)) << '\n';
  out << fmt::format("  {} → {}\n", model_text(before), model_text(after));

  out << '\n' << paint(color, kBold, "Layers") << '\n';
  std::size_t changed = 0;
  for (const auto& c : diff.layers) {
    std::string_view mark = c.kind == LayerChange::Kind::added     ? "+"
                            : c.kind == LayerChange::Kind::removed ? "-"
                                                                   : "~";
    std::string_view style = c.kind == LayerChange::Kind::added     ? kGreen
                             : c.kind == LayerChange::Kind::removed ? kRed
                                                                    : kYellow;
    std::string head = fmt::format("{} {} ({})", mark, c.layer, c.class_name);
    std::string what = c.kind == LayerChange::Kind::added
                           ? fmt::format("added: {}", fmt::join(c.what, ", "))
                           : fmt::format("{}", fmt::join(c.what, "; "));
    if (c.kind == LayerChange::Kind::removed)
      out << "  " << paint(color, style, head) << "  removed\n";
    else
      out << "  " << paint(color, style, head) << '\n' << "      " << what << '\n';
    ++changed;
  }
  std::size_t unchanged = 0;
  for (const auto& r : after.layers)
    unchanged += std::none_of(diff.layers.begin(), diff.layers.end(), [&](const LayerChange& c) {
      return c.layer == r.name;
    });
  out << fmt::format("  {} layer(s) changed, {} unchanged\n", changed, unchanged);

  if (before.signature && after.signature) {
    out << '\n' << paint(color, kBold, "Signature") << '\n';
    auto side = [&](std::string_view label,
                    const std::vector<TensorSignature>& b,
                    const std::vector<TensorSignature>& a) {
      for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        std::string old_text = i < b.size() ? signature_line(b[i]) : "-";
        std::string new_text = i < a.size() ? signature_line(a[i]) : "-";
        if (old_text == new_text)
          out << fmt::format("  {} {}\n", label, new_text);
        else
          out << fmt::format("  {} {}\n  {} {}\n",
                             label,
                             paint(color, kRed, "- " + old_text),
                             std::string(label.size(), ' '),
                             paint(color, kGreen, "+ " + new_text));
      }
    };
    side("input: ", before.signature->inputs, after.signature->inputs);
    side("output:", before.signature->outputs, after.signature->outputs);
  }

  out << '\n';
  out << fmt::format("Total params: {}\n",
                     total_change(before.params.total, after.params.total, group_thousands));
  if (before.cost && after.cost)
    out << fmt::format("Total MACs: {}\n",
                       total_change(before.cost->macs, after.cost->macs, human_count));

  std::size_t breaking = 0;
  for (const auto& d : diff.findings) {
    if (d.rule != rule::kSignatureChanged)
      continue;
    ++breaking;
    out << '\n'
        << paint(color, fmt::format("{}{}", kBold, kRed), fmt::format("error[{}]", d.rule))
        << (d.layer ? fmt::format(" layer '{}'", *d.layer) : std::string{}) << '\n';
    std::size_t width = options.width > 10 ? options.width - 4 : 40;
    for (const auto& line : wrap_words(d.message, width))
      out << "    " << line << '\n';
    for (const auto& line : wrap_words("hint: " + d.hint, width))
      out << "    " << paint(color, kCyan, line) << '\n';
  }
  out << '\n';
  if (breaking)
    out << paint(color,
                 fmt::format("{}{}", kBold, kRed),
                 fmt::format("error: the model's signature changed ({} breaking change(s))",
                             breaking))
        << '\n';
  else
    out << paint(color, kBold, "ok: the model's signature is unchanged") << '\n';
}

}  // namespace shapelint::diff
