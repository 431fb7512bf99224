// Markdown for a pull-request comment: per file a verdict, the findings with their fixes and
// links to the rule pages, and the layer table (folded away when the file is clean).
#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"
#include "shapelint/render/rule_docs.hpp"

namespace shapelint {

namespace {

/// Text safe inside a table cell or a sentence: Markdown and HTML markup escaped.
std::string md(std::string_view raw) {
  std::string text = render_util::valid_utf8(raw);
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|':
      case '\\':
      case '*':
      case '_':
      case '`':
      case '[':
      case ']':
      case '#':
        out += '\\';
        out += c;
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
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
  return out;
}

/// A code span that holds any text: the fence is longer than any backtick run inside it.
/// In a table cell a '|' must be escaped even inside code (GitHub removes the backslash).
std::string code(std::string_view raw, bool in_table = false) {
  std::string text = render_util::valid_utf8(raw);
  for (char& c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  std::string body = pad ? " " + text + " " : text;
  if (in_table) {
    std::string escaped;
    for (char c : body)
      escaped += c == '|' ? std::string("\\|") : std::string(1, c);
    body = std::move(escaped);
  }
  return fence + body + fence;
}

std::string code_cell(std::string_view raw) {
  return code(raw, true);
}

const char* severity_icon(Severity s) {
  switch (s) {
    case Severity::error:
      return "❌";
    case Severity::warning:
      return "⚠️";
    case Severity::note:
      return "ℹ️";
  }
  return "";
}

std::string verdict(const FileReport& f) {
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& d : f.diagnostics)
    ++counts[static_cast<int>(d.severity)];
  std::vector<std::string> parts;
  if (counts[2])
    parts.push_back(render_util::count_noun(counts[2], "error"));
  if (counts[1])
    parts.push_back(render_util::count_noun(counts[1], "warning"));
  if (counts[0])
    parts.push_back(render_util::count_noun(counts[0], "note"));
  std::string tally = parts.empty() ? std::string{} : fmt::format(": {}", fmt::join(parts, ", "));
  if (f.status == "invalid")
    return "⛔ **not linted**" + tally;
  if (f.status == "error")
    return "❌ **shape errors**" + tally;
  return "✅ **no shape errors**" + tally;
}

void write_findings(const FileReport& f, std::ostream& out) {
  for (const auto& d : f.diagnostics) {
    const RuleInfo* info = find_rule_info(d.rule);
    std::string where =
        d.line > 0 ? fmt::format("{}:{}:{}", f.path, d.line, std::max(d.column, 1)) : f.path;
    out << fmt::format("- {} **{}** [{}]({}){}{}: {}\n",
                       severity_icon(d.severity),
                       to_string(d.severity),
                       d.rule,
                       rule_doc_url(d.rule),
                       info ? fmt::format(" {}", md(info->title)) : std::string{},
                       d.layer ? fmt::format(" in layer {}", code(*d.layer)) : std::string{},
                       md(d.message));
    if (!d.hint.empty())
      out << fmt::format("  - **Fix:** {}\n", md(d.hint));
    out << fmt::format("  - at {}\n", code(where));
  }
}

void write_layer_table(const FileReport& f, std::ostream& out) {
  out << "| | Layer | Class | Inbound | Input shape | Output shape | Params |\n";
  out << "| --- | --- | --- | --- | --- | --- | ---: |\n";
  for (const auto& row : f.layers) {
    const char* mark = row.status == "error" ? "❌" : row.status == "unknown" ? "❔" : "";
    std::string name =
        row.status == "error" ? fmt::format("**{}**", code_cell(row.name)) : code_cell(row.name);
    std::vector<std::string> inbound;
    for (const auto& in : row.inbound)
      inbound.push_back(code_cell(in));
    out << fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        mark,
        name,
        md(row.class_name),
        fmt::join(inbound, ", "),
        code_cell(render_util::shapes_text(row.input_shapes)),
        row.status == "ok" ? code_cell(render_util::shapes_text(row.output_shapes)) : "?",
        row.params ? group_thousands(*row.params) : "?");
  }
  std::string unknown;
  if (f.params.unknown_layers)
    unknown = fmt::format(" (+ {} layer(s) whose count is unknown)", f.params.unknown_layers);
  out << fmt::format("\nTotal params: **{}**{} · trainable {} · non-trainable {}\n",
                     group_thousands(f.params.total),
                     unknown,
                     group_thousands(f.params.trainable),
                     group_thousands(f.params.non_trainable));
}

void write_file(const FileReport& f, const RenderOptions& options, std::ostream& out) {
  out << fmt::format("### {}\n\n", code(f.path));
  std::string model;
  if (f.model_class)
    model = fmt::format("{} {} ", md(*f.model_class), code(f.model_name.value_or("")));
  out << fmt::format("{}({}) · {}\n", model, md(f.format), verdict(f));
  if (f.what_if)
    out << fmt::format("\nWhat-if: replaying the built model on {}\n", code(*f.what_if));
  if (!f.diagnostics.empty()) {
    out << '\n';
    write_findings(f, out);
  }
  if (options.quiet || f.layers.empty())
    return;
  // The table is the evidence of a failure, and only a reference for a clean model.
  out << fmt::format("\n<details{}><summary>Layers ({})</summary>\n\n",
                     f.status == "error" ? " open" : "",
                     f.layers.size());
  write_layer_table(f, out);
  out << "\n</details>\n";
}

}  // namespace

void render_markdown(const RunReport& raw, const RenderOptions& options, std::ostream& out) {
  std::optional<RunReport> escaped;
  const RunReport& run = render_util::printable_report(raw, escaped);  // names from hostile files
  auto files = render_util::reported_files(run);
  out << "## shapelint\n\n";
  out << fmt::format("{}: {}, {}, {}\n",
                     render_util::count_noun(files.size(), "file"),
                     render_util::count_noun(run.errors, "error"),
                     render_util::count_noun(run.warnings, "warning"),
                     render_util::count_noun(run.notes, "note"));
  for (const FileReport* f : files) {
    out << '\n';
    write_file(*f, options, out);
  }
}

}  // namespace shapelint
