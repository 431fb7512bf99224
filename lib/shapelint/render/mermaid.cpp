// Mermaid flowchart: the same graph as the dot format, in the text GitHub renders inside a
// ```mermaid block of an issue, a pull request or a Markdown file.
#include <fmt/format.h>

#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"

namespace shapelint {

namespace {

/// Text inside a quoted Mermaid label: quotes and markup become entity codes, "\n" a
/// line break.
std::string label(std::string_view raw) {
  std::string text = render_util::valid_utf8(raw);
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case '#':
        out += "#35;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '&':
        out += "#amp;";
        break;
      case '`':
        out += "#96;";
        break;
      case '\n':
        out += "<br>";
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string node_id(std::size_t file, std::size_t node) {
  return fmt::format("f{}n{}", file, node);
}

/// Mermaid styles links by their position in the whole chart.
struct LinkCounter {
  std::size_t link_count = 0;
  std::vector<std::size_t> failure_links;  ///< links into a failing layer
};

void write_file_graph(
    const FileReport& f, std::size_t index, std::ostream& out, bool subgraph, LinkCounter& links) {
  auto& [link_count, failure_links] = links;
  std::string indent = subgraph ? "    " : "  ";
  if (subgraph) {
    std::string title = f.model_name ? fmt::format("{}: {}", f.path, *f.model_name) : f.path;
    out << fmt::format("  subgraph f{}[{}]\n", index, label(title));
  }
  if (f.layers.empty()) {
    std::string why = f.diagnostics.empty() ? "no layers" : f.diagnostics.front().message;
    out << fmt::format("{}{}[{}]:::failed\n",
                       indent,
                       node_id(index, 0),
                       label(fmt::format("{}\n{}", f.status, why)));
  }
  auto graph = render_util::graph_view(f);
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const auto& node = graph.nodes[i];
    std::string id = node_id(index, i);
    if (!node.row) {
      out << fmt::format("{}{}([{}]):::terminal\n", indent, id, label(node.label));
      continue;
    }
    auto lines = render_util::layer_label_lines(*node.row);
    std::string style;
    if (node.row->status == "error") {
      lines.push_back("✗ " + render_util::error_rules(f, node.row->name));
      style = ":::failed";
    } else if (node.row->status == "unknown") {
      style = ":::unknown";
    } else if (node.row->class_name == "InputLayer") {
      style = ":::input";
    }
    std::string text = label(fmt::format("{}", fmt::join(lines, "\n")));
    out << fmt::format("{}{}[{}]{}\n", indent, id, text, style);
  }
  for (const auto& e : graph.edges) {
    out << fmt::format("{}{} -->|{}| {}\n",
                       indent,
                       node_id(index, e.from),
                       label(e.label()),
                       node_id(index, e.to));
    const LayerRow* target = graph.nodes[e.to].row;
    if (target && target->status == "error")
      failure_links.push_back(link_count);
    ++link_count;
  }
  if (subgraph)
    out << "  end\n";
}

}  // namespace

void render_mermaid(const RunReport& run, const RenderOptions&, std::ostream& out) {
  auto files = render_util::reported_files(run);
  out << "flowchart TD\n";
  LinkCounter links;
  for (std::size_t i = 0; i < files.size(); ++i)
    write_file_graph(*files[i], i, out, files.size() > 1, links);
  out << "  classDef failed fill:#d62728,stroke:#8b0000,stroke-width:2px,color:#ffffff\n";
  out << "  classDef unknown fill:#ffffff,stroke:#999999,stroke-dasharray:4 3,color:#777777\n";
  out << "  classDef input fill:#dbeafe,stroke:#6b8fc7\n";
  out << "  classDef terminal fill:#ffffff,stroke:#bbbbbb,color:#555555\n";
  // The shapes arriving at the failing layer are the evidence: drawn in its color.
  if (!links.failure_links.empty())
    out << fmt::format("  linkStyle {} stroke:#d62728,stroke-width:2px,color:#d62728\n",
                       fmt::join(links.failure_links, ","));
}

}  // namespace shapelint
