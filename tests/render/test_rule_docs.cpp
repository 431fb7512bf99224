// docs/rules/: one page per rule id of the catalogue, in the layout SARIF and --explain read,
// whose examples do what they say (the failing one reports the id, the passing one does not).
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "shapelint/analysis/budget.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"
#include "shapelint/render/rule_docs.hpp"
#include "support/run_command.hpp"
#include <sys/wait.h>

using namespace shapelint;

namespace {

struct Example {
  std::string text;
  std::vector<std::string> args;  ///< from a "<!-- shapelint-args: ... -->" line before it
};

struct PageExamples {
  std::vector<Example> examples;
  std::string unchecked_reason;  ///< from "<!-- shapelint-examples: ... -->"
};

std::string after_marker(const std::string& line, std::string_view marker) {
  auto start = line.find(marker);
  auto end = line.rfind("-->");
  if (start == std::string::npos || end == std::string::npos)
    return {};
  start += marker.size();
  auto text = line.substr(start, end - start);
  while (!text.empty() && text.back() == ' ')
    text.pop_back();
  while (!text.empty() && text.front() == ' ')
    text.erase(0, 1);
  return text;
}

/// The fenced blocks tagged json or text, in order, with the options given before them.
PageExamples examples_of(std::string_view page) {
  PageExamples out;
  std::istringstream in{std::string(page)};
  std::string line;
  std::vector<std::string> pending_args;
  while (std::getline(in, line)) {
    if (line.rfind("<!-- shapelint-args:", 0) == 0) {
      std::istringstream words(after_marker(line, "shapelint-args:"));
      pending_args.clear();
      for (std::string w; words >> w;)
        pending_args.push_back(w);
      continue;
    }
    if (line.rfind("<!-- shapelint-examples:", 0) == 0) {
      out.unchecked_reason = after_marker(line, "shapelint-examples:");
      continue;
    }
    if (line.rfind("```", 0) != 0)
      continue;
    std::string tag = line.substr(3);
    std::string body;
    while (std::getline(in, line) && line.rfind("```", 0) != 0)
      body += line + "\n";
    if (tag == "json" || tag == "text")
      out.examples.push_back({body, pending_args});
    pending_args.clear();
  }
  return out;
}

LintOptions options_from(const std::vector<std::string>& args) {
  LintOptions options;
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--input-shape") {
      std::string error;
      auto parsed = parse_input_shape_option(args[i + 1], error);
      INFO(error);
      REQUIRE(parsed);
      options.input_shapes.push_back(*parsed);
    } else if (args[i] == "--batch-size") {
      options.batch_size = std::stoll(args[i + 1]);
    } else if (args[i] == "--max-params") {
      options.max_params = analysis::parse_count(args[i + 1]);
    } else if (args[i] == "--max-macs") {
      options.max_macs = analysis::parse_count(args[i + 1]);
    } else if (args[i] == "--target") {
      options.target = analysis::parse_target(args[i + 1]);
      REQUIRE(options.target);
    } else if (args[i] == "--max-activation-memory") {
      options.max_activation_bytes = analysis::parse_bytes(args[i + 1]);
    } else {
      FAIL("unsupported option in a shapelint-args marker: " << args[i]);
    }
  }
  return options;
}

std::string describe(const FileReport& report) {
  std::string out = fmt::format("status {}\n", report.status);
  for (const auto& d : report.diagnostics)
    out += fmt::format("  {} {} {}\n", d.rule, to_string(d.severity), d.message);
  return out;
}

bool reports(const FileReport& report, std::string_view id) {
  for (const auto& d : report.diagnostics)
    if (d.rule == id)
      return true;
  return false;
}

bool has_error(const FileReport& report) {
  for (const auto& d : report.diagnostics)
    if (d.severity == Severity::error)
      return true;
  return false;
}

using Run = shapelint::test::CommandRun;

Run run_shapelint(const std::string& args) {
  std::string cmd = fmt::format("'{}' {} 2>&1", SHAPELINT_BINARY, args);
  return shapelint::test::run_command(cmd);
}

}  // namespace

TEST_CASE("every rule id of the catalogue has its page in docs/rules") {
  for (const auto& info : rule_catalog()) {
    DYNAMIC_SECTION(info.id) {
      auto path = std::filesystem::path(SHAPELINT_SOURCE_DIR) / "docs" / "rules" /
                  fmt::format("{}.md", info.id);
      CHECK(std::filesystem::exists(path));
      auto doc = find_rule_doc(info.id);
      REQUIRE(doc);
      CHECK_FALSE(doc->name.empty());
      CHECK(doc->title == info.title);
      CHECK(doc->severity == to_string(info.severity));
      CHECK_FALSE(doc->full_description.empty());
      CHECK_FALSE(doc->how_to_fix.empty());
    }
  }
}

TEST_CASE("the index docs/rules/README.md links every rule page") {
  std::ifstream in(std::filesystem::path(SHAPELINT_SOURCE_DIR) / "docs" / "rules" / "README.md");
  std::string index((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& info : rule_catalog()) {
    INFO(info.id);
    CHECK(index.find(fmt::format("[{0}]({0}.md)", info.id)) != std::string::npos);
  }
}

TEST_CASE("every page in docs/rules belongs to a rule id of the catalogue") {
  for (const auto& page : embedded_rule_docs()) {
    INFO(page.id);
    CHECK(find_rule_info(page.id) != nullptr);
  }
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(SHAPELINT_SOURCE_DIR) / "docs" / "rules"))
    files += entry.path().filename().string().rfind("SL", 0) == 0 ? 1 : 0;
  CHECK(files == embedded_rule_docs().size());
}

TEST_CASE("each page's failing example reports its id and its passing example does not") {
  for (const auto& page : embedded_rule_docs()) {
    DYNAMIC_SECTION(page.id) {
      auto found = examples_of(page.text);
      if (!found.unchecked_reason.empty()) {
        WARN(fmt::format("{}: examples not checked: {}", page.id, found.unchecked_reason));
        CHECK(found.examples.empty());
        continue;
      }
      REQUIRE(found.examples.size() >= 2);
      const auto& failing = found.examples[0];
      const auto& passing = found.examples[1];
      FileReport bad = lint_text(failing.text, "failing.json", options_from(failing.args));
      INFO("failing example:\n" << describe(bad));
      CHECK(reports(bad, page.id));
      FileReport good = lint_text(passing.text, "passing.json", options_from(passing.args));
      INFO("passing example:\n" << describe(good));
      CHECK_FALSE(reports(good, page.id));
      CHECK_FALSE(has_error(good));
    }
  }
}

TEST_CASE("the page layout is read apart as SARIF and --explain need it") {
  auto doc = parse_rule_doc("SL999",
                            "# SL999 SomeName: a title\n\n**Severity:** warning\n\nWhat it "
                            "means,\nover two lines.\n\nMore.\n\n## Failing example\n\n```json\n{}"
                            "\n```\n\n## How to fix\n\nDo `this`.\n\n## More\n\nlinks\n");
  REQUIRE(doc);
  CHECK(doc->name == "SomeName");
  CHECK(doc->title == "a title");
  CHECK(doc->severity == "warning");
  CHECK(doc->full_description == "What it means, over two lines.");
  CHECK(doc->how_to_fix == "Do `this`.");
  CHECK(markdown_to_text("Use **`Flatten()`**, see [SL101](SL101.md).") ==
        "Use Flatten(), see SL101.");
  CHECK_FALSE(parse_rule_doc("SL999", "# SL998 Other: title\n"));
}

TEST_CASE("shapelint --explain prints a rule's page without the source tree") {
  auto run = run_shapelint("--explain SL104");
  CHECK(run.exit_code == 0);
  CHECK(run.out.rfind("# SL104 MergeMismatch: merge inputs do not line up\n", 0) == 0);
  CHECK(run.out.find("## How to fix") != std::string::npos);
  CHECK(run_shapelint("--explain sl104").out == run.out);
  CHECK(run_shapelint("--explain 104").out == run.out);
  auto unknown = run_shapelint("--explain SL999");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.find("no rule 'SL999'") != std::string::npos);
}
