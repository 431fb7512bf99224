// JUnit XML for CI test reports (GitLab, Jenkins, Azure): a test suite per file, a test case
// per layer; a layer's errors are its failures. A file that could not be read is one test
// case with an <error>. Deterministic: no timestamps, host names or durations.
#include <algorithm>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"

namespace shapelint {

namespace {

/// XML 1.0 text or attribute value: markup escaped, characters XML cannot hold replaced.
std::string xml(std::string_view raw) {
  std::string text = render_util::valid_utf8(raw);
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
  }
  return out;
}

/// The full text of a finding, as the body of <failure>/<error>/<system-out>.
std::string finding_text(const FileReport& f, const Diagnostic& d) {
  std::string where =
      d.line > 0 ? fmt::format("{}:{}:{}", f.path, d.line, std::max(d.column, 1)) : f.path;
  if (!d.json_path.empty())
    where += fmt::format(" ({})", d.json_path);
  std::string text = fmt::format("{}[{}]", to_string(d.severity), d.rule);
  if (const RuleInfo* info = find_rule_info(d.rule))
    text += fmt::format(" {}", info->title);
  if (d.layer)
    text += fmt::format(" in layer '{}'", *d.layer);
  text += fmt::format("\n{}\n", d.message);
  if (!d.hint.empty())
    text += fmt::format("hint: {}\n", d.hint);
  text += fmt::format("at {}\n", where);
  return text;
}

struct Case {
  const LayerRow* row = nullptr;  ///< none for the model-level case
  std::vector<const Diagnostic*> findings;
};

/// "dense (Dense)" for a layer's case, "model 'net'" for the model's.
std::string case_name(const FileReport& f, const Case& c) {
  if (c.row)
    return fmt::format("{} ({})", c.row->name, c.row->class_name);
  return f.model_name ? fmt::format("model '{}'", *f.model_name) : "model";
}

/// One case per layer, plus one "model" case when findings name no layer of the table.
std::vector<Case> cases_of(const FileReport& f) {
  std::vector<Case> cases;
  cases.reserve(f.layers.size() + 1);
  for (const auto& row : f.layers)
    cases.push_back({&row, {}});
  Case model;
  std::optional<render_util::RowOfLayer> rows;
  for (const auto& d : f.diagnostics) {
    Case* owner = &model;
    if (d.layer) {
      if (!rows)
        rows.emplace(f.layers, true);
      if (auto row = rows->find(*d.layer))
        owner = &cases[*row];
    }
    owner->findings.push_back(&d);
  }
  if (!model.findings.empty() || cases.empty())
    cases.insert(cases.begin(), std::move(model));
  return cases;
}

struct Counts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

enum class Outcome { pass, failure, error, skipped };

Outcome outcome(const FileReport& f, const Case& c) {
  bool has_error = false;
  for (const Diagnostic* d : c.findings)
    has_error = has_error || d->severity == Severity::error;
  if (has_error)
    return f.status == "invalid" ? Outcome::error : Outcome::failure;
  if (c.row && c.row->status == "unknown")
    return Outcome::skipped;
  return Outcome::pass;
}

void write_case(const FileReport& f, const Case& c, std::ostream& out) {
  std::string attrs = fmt::format(
      "name=\"{}\" classname=\"{}\" file=\"{}\"", xml(case_name(f, c)), xml(f.path), xml(f.path));
  for (const Diagnostic* d : c.findings)
    if (d->line > 0) {
      attrs += fmt::format(" line=\"{}\"", d->line);
      break;
    }
  Outcome result = outcome(f, c);
  std::string notes;
  for (const Diagnostic* d : c.findings)
    if (d->severity != Severity::error)
      notes += finding_text(f, *d);
  if (result == Outcome::pass && notes.empty()) {
    out << fmt::format("    <testcase {}/>\n", attrs);
    return;
  }
  out << fmt::format("    <testcase {}>\n", attrs);
  for (const Diagnostic* d : c.findings) {
    if (d->severity != Severity::error)
      continue;
    const char* tag = result == Outcome::error ? "error" : "failure";
    out << fmt::format("      <{} type=\"{}\" message=\"{}\">{}</{}>\n",
                       tag,
                       xml(d->rule),
                       xml(d->message),
                       xml(finding_text(f, *d)),
                       tag);
  }
  if (result == Outcome::skipped)
    out << "      <skipped message=\"shape unknown here: downstream of an error or of a layer "
           "shapelint cannot see into\"/>\n";
  if (!notes.empty())
    out << fmt::format("      <system-out>{}</system-out>\n", xml(notes));
  out << "    </testcase>\n";
}

Counts count(const FileReport& f, const std::vector<Case>& cases) {
  Counts n;
  for (const auto& c : cases) {
    ++n.tests;
    switch (outcome(f, c)) {
      case Outcome::failure:
        ++n.failures;
        break;
      case Outcome::error:
        ++n.errors;
        break;
      case Outcome::skipped:
        ++n.skipped;
        break;
      case Outcome::pass:
        break;
    }
  }
  return n;
}

/// A file's <testsuite>: its properties, then a case per layer and finding.
void write_suite(const FileReport& f, std::ostream& out) {
  auto cases = cases_of(f);
  Counts n = count(f, cases);
  out << fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
      xml(f.path),
      n.tests,
      n.failures,
      n.errors,
      n.skipped);
  out << "    <properties>\n";
  out << fmt::format("      <property name=\"format\" value=\"{}\"/>\n", xml(f.format));
  out << fmt::format("      <property name=\"status\" value=\"{}\"/>\n", xml(f.status));
  if (f.model_class)
    out << fmt::format("      <property name=\"model\" value=\"{} '{}'\"/>\n",
                       xml(*f.model_class),
                       xml(f.model_name.value_or("")));
  if (f.what_if)
    out << fmt::format("      <property name=\"input_shape\" value=\"{}\"/>\n", xml(*f.what_if));
  out << "    </properties>\n";
  for (const auto& c : cases)
    write_case(f, c, out);
  out << "  </testsuite>\n";
}

}  // namespace

void render_junit(const RunReport& run, const RenderOptions&, std::ostream& out) {
  // The totals head the document, so the files' cases are counted first, then made again
  // and written file by file: a 100,000-layer model's whole document, held until the
  // totals were known, took its lint's peak from 3.5 to 5.4 times its file.
  Counts total;
  auto files = render_util::reported_files(run);
  for (const FileReport* f : files) {
    Counts n = count(*f, cases_of(*f));
    total.tests += n.tests;
    total.failures += n.failures;
    total.errors += n.errors;
    total.skipped += n.skipped;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format(
      "<testsuites name=\"shapelint\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "skipped=\"{}\">\n",
      total.tests,
      total.failures,
      total.errors,
      total.skipped);
  for (const FileReport* f : files)
    write_suite(*f, out);
  out << "</testsuites>\n";
}

}  // namespace shapelint
