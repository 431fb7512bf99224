// Graphviz: the model as a directed graph, layers as boxes, each edge labelled with the
// shapes that flow along it, the failing layer filled red and the layers whose shapes are
// unknown dashed. `shapelint model.json --format dot | dot -Tsvg > model.svg`.
#include <fmt/format.h>

#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"

namespace shapelint {

namespace {

/// A DOT double-quoted string; "\n" inside `text` becomes a centred line break.
std::string quoted(std::string_view raw) {
  std::string text = render_util::valid_utf8(raw);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\r')
      continue;
    out += c;
  }
  return out + "\"";
}

std::string node_id(std::size_t file, std::size_t node) {
  return fmt::format("f{}n{}", file, node);
}

std::string node_attributes(const FileReport& f, const render_util::GraphView::Node& node) {
  if (!node.row)
    return fmt::format("label={}, shape=plain, fontcolor=\"#555555\"", quoted(node.label));
  const LayerRow& row = *node.row;
  std::vector<std::string> lines = render_util::layer_label_lines(row);
  std::string attrs;
  if (row.status == "error") {
    lines.push_back("✗ " + render_util::error_rules(f, row.name));
    attrs = ", fillcolor=\"#d62728\", fontcolor=white, color=\"#8b0000\", penwidth=2";
    for (const auto& d : f.diagnostics)
      if (d.layer == row.name) {
        attrs += ", tooltip=" + quoted(d.message);
        break;
      }
  } else if (row.status == "unknown") {
    attrs = ", style=\"rounded,dashed\", fontcolor=\"#777777\", color=\"#999999\"";
  } else if (row.class_name == "InputLayer") {
    attrs = ", fillcolor=\"#dbeafe\"";
  }
  if (row.is_model)
    attrs += ", peripheries=2";
  return fmt::format("label={}{}", quoted(fmt::format("{}", fmt::join(lines, "\n"))), attrs);
}

std::string file_title(const FileReport& f) {
  if (f.model_class)
    return fmt::format("{}: {} '{}'", f.path, *f.model_class, f.model_name.value_or(""));
  return f.path;
}

void write_file_graph(const FileReport& f, std::size_t index, std::ostream& out, bool cluster) {
  std::string indent = cluster ? "    " : "  ";
  if (cluster) {
    out << fmt::format("  subgraph cluster_{} {{\n", index);
    out << fmt::format("{}label={};\n", indent, quoted(file_title(f)));
  }
  if (f.layers.empty()) {
    std::string why = f.diagnostics.empty() ? "no layers" : f.diagnostics.front().message;
    out << fmt::format("{}{} [label={}, color=\"#d62728\"];\n",
                       indent,
                       node_id(index, 0),
                       quoted(fmt::format("{}\n{}", f.status, why)));
  }
  auto graph = render_util::graph_view(f);
  for (std::size_t i = 0; i < graph.nodes.size(); ++i)
    out << fmt::format(
        "{}{} [{}];\n", indent, node_id(index, i), node_attributes(f, graph.nodes[i]));
  for (const auto& e : graph.edges) {
    // The shapes arriving at the failing layer are the evidence: drawn in its color.
    const LayerRow* target = graph.nodes[e.to].row;
    bool into_failure = target && target->status == "error";
    out << fmt::format("{}{} -> {} [label={}{}];\n",
                       indent,
                       node_id(index, e.from),
                       node_id(index, e.to),
                       quoted(" " + e.label() + " "),
                       into_failure ? ", color=\"#d62728\", fontcolor=\"#d62728\"" : "");
  }
  if (cluster)
    out << "  }\n";
}

}  // namespace

void render_dot(const RunReport& run, const RenderOptions&, std::ostream& out) {
  auto files = render_util::reported_files(run);
  out << "digraph shapelint {\n";
  if (files.size() == 1)
    out << fmt::format("  label={};\n  labelloc=t;\n", quoted(file_title(*files.front())));
  out << "  graph [fontname=\"Helvetica\", rankdir=TB, nodesep=0.4, ranksep=0.45];\n";
  out << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", "
         "fontname=\"Helvetica\", fontsize=11];\n";
  out << "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
  for (std::size_t i = 0; i < files.size(); ++i)
    write_file_graph(*files[i], i, out, files.size() > 1);
  out << "}\n";
}

}  // namespace shapelint
