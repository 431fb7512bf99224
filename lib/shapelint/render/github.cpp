// GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
// diff (`::error file=…,line=…,col=…,title=…::message`). GitHub shows at most 10 error,
// 10 warning and 10 notice annotations per step, so the most useful findings go first and
// one notice says what was left out (those are still printed to the log). When the step
// summary file is set, a Markdown summary is appended to it.
#include <cstdlib>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"
#include "shapelint/render/rule_docs.hpp"

namespace shapelint {

namespace {

constexpr std::size_t kAnnotationsPerLevel = 10;

const char* command_for(Severity s) {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::note:
      return "notice";
  }
  return "error";
}

std::string escape(std::string_view text, bool property) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += property ? "%3A" : ":";
        break;
      case ',':
        out += property ? "%2C" : ",";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string annotation(const render_util::Finding& finding) {
  const FileReport& f = *finding.file;
  const Diagnostic& d = *finding.diagnostic;
  std::vector<std::string> props;
  if (render_util::has_file(f)) {
    // "model.keras!config.json": the annotation goes on the archive, whose lines mean nothing.
    std::string path = render_util::portable_path(location_path(f));
    std::size_t bang = path.find('!');
    bool member = bang != std::string::npos;
    props.push_back("file=" + escape(member ? path.substr(0, bang) : path, true));
    if (!member && d.line > 0)
      props.push_back(fmt::format("line={}", d.line));
    if (!member && d.line > 0 && d.column > 0)
      props.push_back(fmt::format("col={}", d.column));
  }
  const RuleInfo* info = find_rule_info(d.rule);
  std::string title = info ? fmt::format("{} {}", d.rule, info->title) : d.rule;
  props.push_back("title=" + escape(title, true));
  std::string message = d.layer ? fmt::format("layer '{}': {}", *d.layer, d.message) : d.message;
  if (!d.hint.empty())
    message += fmt::format("\nhint: {}", d.hint);
  message += fmt::format("\n{}", rule_doc_url(d.rule));
  return fmt::format(
      "::{} {}::{}", command_for(d.severity), fmt::join(props, ","), escape(message, false));
}

/// The log line of a finding GitHub would not show as an annotation.
std::string plain_line(const render_util::Finding& finding) {
  const FileReport& f = *finding.file;
  const Diagnostic& d = *finding.diagnostic;
  std::string where =
      d.line > 0 ? fmt::format("{}:{}:{}", f.path, d.line, std::max(d.column, 1)) : f.path;
  std::string layer = d.layer ? fmt::format("layer '{}': ", *d.layer) : std::string{};
  return fmt::format("{}: {}: {}{} [{}]", where, to_string(d.severity), layer, d.message, d.rule);
}

std::string omitted_summary(const std::size_t (&omitted)[3]) {
  std::vector<std::string> parts;
  if (omitted[2])
    parts.push_back(render_util::count_noun(omitted[2], "error"));
  if (omitted[1])
    parts.push_back(render_util::count_noun(omitted[1], "warning"));
  if (omitted[0])
    parts.push_back(render_util::count_noun(omitted[0], "note"));
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else if (c != '\r')
      out += c;
  }
  return out;
}

void append_step_summary(const RunReport& run) {
  const char* path = std::getenv("GITHUB_STEP_SUMMARY");
  if (!path || !*path)
    return;
  std::ofstream summary(path, std::ios::app);
  if (summary)
    render_github_step_summary(run, summary);
}

}  // namespace

void render_github_step_summary(const RunReport& run, std::ostream& out) {
  constexpr std::size_t kMaxRows = 200;  // the summary file is capped at 1 MiB
  auto files = render_util::reported_files(run);
  out << "### shapelint\n\n";
  out << "| File | Model | Status | Errors | Warnings | Notes |\n";
  out << "| --- | --- | --- | ---: | ---: | ---: |\n";
  for (const FileReport* f : files) {
    std::size_t counts[3] = {0, 0, 0};
    for (const auto& d : f->diagnostics)
      ++counts[static_cast<int>(d.severity)];
    std::string status = f->status == "ok"      ? "✅ ok"
                         : f->status == "error" ? "❌ error"
                                                : "⛔ invalid";
    out << fmt::format("| `{}` | {} | {} | {} | {} | {} |\n",
                       markdown_cell(f->path),
                       markdown_cell(f->model_name.value_or("")),
                       status,
                       counts[2],
                       counts[1],
                       counts[0]);
  }
  auto findings = render_util::findings_by_importance(run);
  if (!findings.empty()) {
    out << "\n| Severity | Rule | Location | Layer | Message |\n";
    out << "| --- | --- | --- | --- | --- |\n";
    std::size_t shown = 0;
    for (const auto& finding : findings) {
      if (shown++ == kMaxRows)
        break;
      const Diagnostic& d = *finding.diagnostic;
      std::string where =
          d.line > 0 ? fmt::format("{}:{}", finding.file->path, d.line) : finding.file->path;
      std::string message = d.hint.empty() ? d.message : d.message + "\nhint: " + d.hint;
      out << fmt::format("| {} | [{}]({}) | `{}` | {} | {} |\n",
                         to_string(d.severity),
                         d.rule,
                         rule_doc_url(d.rule),
                         markdown_cell(where),
                         d.layer ? fmt::format("`{}`", markdown_cell(*d.layer)) : "",
                         markdown_cell(message));
    }
    if (findings.size() > kMaxRows)
      out << fmt::format("\n{} more finding(s) are in the step's log.\n",
                         findings.size() - kMaxRows);
  }
  out << fmt::format("\n{}: {}, {}, {}\n\n",
                     render_util::count_noun(files.size(), "file"),
                     render_util::count_noun(run.errors, "error"),
                     render_util::count_noun(run.warnings, "warning"),
                     render_util::count_noun(run.notes, "note"));
}

void render_github(const RunReport& raw, const RenderOptions&, std::ostream& out) {
  // A CI log and its summary page: names from hostile files with their control characters
  // written as escapes (an ESC would color the log; %0A-style escaping covers only the
  // line breaks and '%' that workflow commands read).
  std::optional<RunReport> escaped;
  const RunReport& run = render_util::printable_report(raw, escaped);
  std::size_t shown[3] = {0, 0, 0};
  std::size_t omitted[3] = {0, 0, 0};
  std::vector<std::string> left_out;
  // One notice slot stays free for the summary of what was left out.
  auto limit = [](Severity s) {
    return s == Severity::note ? kAnnotationsPerLevel - 1 : kAnnotationsPerLevel;
  };
  for (const auto& finding : render_util::findings_by_importance(run)) {
    Severity s = finding.diagnostic->severity;
    auto level = static_cast<int>(s);
    if (shown[level] < limit(s)) {
      ++shown[level];
      out << annotation(finding) << '\n';
    } else {
      ++omitted[level];
      left_out.push_back(plain_line(finding));
    }
  }
  if (!left_out.empty()) {
    out << fmt::format(
        "::notice title=shapelint%3A more findings::{} not shown as annotations (GitHub shows "
        "{} per kind and step); they follow in this log\n",
        escape(omitted_summary(omitted), false),
        kAnnotationsPerLevel);
    for (const auto& line : left_out)
      out << line << '\n';
  }
  auto files = render_util::reported_files(run);
  out << fmt::format("shapelint: {}: {}, {}, {}\n",
                     render_util::count_noun(files.size(), "file"),
                     render_util::count_noun(run.errors, "error"),
                     render_util::count_noun(run.warnings, "warning"),
                     render_util::count_noun(run.notes, "note"));
  append_step_summary(run);
}

}  // namespace shapelint
