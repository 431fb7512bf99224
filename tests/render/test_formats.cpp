// The CI formats on hand-made reports: escaping, ordering, limits, determinism, stability.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"

using namespace shapelint;

namespace {

LayerRow layer(std::string name,
               std::string class_name,
               std::vector<std::string> inbound,
               std::string_view status = "ok") {
  LayerRow row;
  row.name = std::move(name);
  row.class_name = std::move(class_name);
  row.inbound = NameList(inbound);
  row.status = status;
  row.input_shapes = {make_shape({-1, 8})};
  row.output_shapes = row.status == "ok" ? Shapes{make_shape({-1, 4})} : Shapes{};
  row.params = row.status == "ok" ? std::optional<std::int64_t>(36) : std::nullopt;
  return row;
}

Diagnostic finding(std::string rule,
                   Severity severity,
                   std::optional<std::string> layer_name,
                   std::string message,
                   int line = 0) {
  Diagnostic d;
  d.rule = std::move(rule);
  d.severity = severity;
  d.layer = std::move(layer_name);
  d.message = std::move(message);
  d.hint = "make it fit";
  d.line = line;
  d.column = line > 0 ? 7 : 0;
  d.json_path = "config.layers[1]";
  return d;
}

/// in -> dense -> out, `dense` failing with one SL102 error.
FileReport failing_file(std::string path = "models/net.json") {
  FileReport f;
  f.path = std::move(path);
  f.format = "keras2-json";
  f.status = "error";
  f.model_name = "net";
  f.model_class = "Functional";
  f.functional = true;
  f.layers = {layer("in", "InputLayer", {}),
              layer("dense", "Dense", {"in"}, "error"),
              layer("out", "Dense", {"dense"}, "unknown")};
  f.diagnostics = {finding("SL102", Severity::error, "dense", "expected axis -1 to be 5", 12)};
  return f;
}

RunReport run_of(std::vector<FileReport> files) {
  RunReport run;
  run.tool_version = "9.9.9";
  run.files = std::move(files);
  tally(run);
  return run;
}

std::string render(std::string_view format, const RunReport& run, RenderOptions options = {}) {
  const Renderer* r = find_renderer(format);
  REQUIRE(r != nullptr);
  std::ostringstream out;
  r->render(run, options, out);
  return out.str();
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count_of(const std::string& haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1))
    ++n;
  return n;
}

/// Runs `body` with GITHUB_STEP_SUMMARY unset, restoring it afterwards.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;

  ScopedEnv(std::string n, const char* value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str()))
      old = v;
    if (value)
      setenv(name.c_str(), value, 1);
    else
      unsetenv(name.c_str());
  }

  ~ScopedEnv() {
    if (old)
      setenv(name.c_str(), old->c_str(), 1);
    else
      unsetenv(name.c_str());
  }
};

}  // namespace

TEST_CASE("every format of the contract is in the renderer table") {
  for (std::string_view name :
       {"table", "compact", "json", "sarif", "github", "junit", "markdown", "dot", "mermaid"})
    CHECK(find_renderer(name) != nullptr);
}

TEST_CASE("a format shows a nested model's own rows only if it says so") {
  // A run leaves those rows out for a format that does not show them
  // (LintOptions::nested_rows): its output must not change. A nested model whose inner
  // layer failed, with a finding on it (JUnit files it under the nested model's case).
  FileReport with_rows = failing_file();
  LayerRow base = layer("base", "Sequential", {"in"}, "error");
  base.is_model = true;
  base.layers = {layer("inner_conv", "Conv2D", {}), layer("inner_dense", "Dense", {}, "error")};
  with_rows.layers.insert(with_rows.layers.begin() + 1, base);
  with_rows.diagnostics.push_back(
      finding("SL103", Severity::error, "inner_dense", "negative dimension", 20));
  FileReport without_rows = with_rows;
  without_rows.layers[1].layers.clear();
  const RunReport full = run_of({with_rows});
  const RunReport outer_only = run_of({without_rows});
  for (const Renderer& r : renderers()) {
    INFO("format " << r.name);
    for (bool cost : {false, true}) {
      RenderOptions options;
      options.cost = cost;
      if (r.needs_cost(options))
        continue;  // a run that works out costs makes the nested rows anyway
      bool same = render(r.name, full, options) == render(r.name, outer_only, options);
      CHECK(same == !r.shows_nested_rows);
    }
  }
}

TEST_CASE("github: data escapes %, CR and LF; properties also ':' and ','") {
  ScopedEnv no_summary("GITHUB_STEP_SUMMARY", nullptr);
  FileReport f = failing_file("dir,with:odd%name.json");
  f.diagnostics[0].message = "100% wrong: a, b\r\nnext";
  std::string out = render("github", run_of({f}));
  INFO(out);
  CHECK(contains(out, "::error file=dir%2Cwith%3Aodd%25name.json,line=12,col=7,title=SL102 "));
  // A control character in a message (a name from the file, say) is written as an escape
  // first, as in the other formats for logs; the hint's own line break is the command's.
  CHECK(contains(out, "::layer 'dense': 100%25 wrong: a, b\\r\\nnext%0Ahint: make it fit"));
  // One workflow command per line: the message's own line breaks never split it.
  CHECK(count_of(out, "\n") == 2);
}

TEST_CASE("github: errors come first, each file's first finding before any file's second") {
  ScopedEnv no_summary("GITHUB_STEP_SUMMARY", nullptr);
  FileReport a = failing_file("a.json");
  a.diagnostics = {finding("SL201", Severity::warning, "in", "warn a"),
                   finding("SL102", Severity::error, "dense", "first a"),
                   finding("SL102", Severity::error, "out", "second a")};
  FileReport b = failing_file("b.json");
  b.diagnostics = {finding("SL102", Severity::error, "dense", "first b")};
  std::string out = render("github", run_of({a, b}));
  INFO(out);
  auto first_a = out.find("first a"), first_b = out.find("first b");
  auto second_a = out.find("second a"), warn = out.find("warn a");
  CHECK(first_a < first_b);
  CHECK(first_b < second_a);
  CHECK(second_a < warn);
}

TEST_CASE("github: at most 10 annotations per level, the rest summarised in one notice") {
  ScopedEnv no_summary("GITHUB_STEP_SUMMARY", nullptr);
  FileReport f = failing_file();
  f.diagnostics.clear();
  for (int i = 0; i < 13; ++i)
    f.diagnostics.push_back(
        finding("SL102", Severity::error, "dense", fmt::format("error {}", i), i + 1));
  for (int i = 0; i < 11; ++i)
    f.diagnostics.push_back(finding("SL201", Severity::warning, "dense", "w"));
  for (int i = 0; i < 10; ++i)
    f.diagnostics.push_back(finding("SL011", Severity::note, "dense", "n"));
  std::string out = render("github", run_of({f}));
  INFO(out);
  CHECK(count_of(out, "::error ") == 10);
  CHECK(count_of(out, "::warning ") == 10);
  CHECK(count_of(out, "::notice ") == 10);  // 9 notes and the summary
  CHECK(contains(out, "::notice title=shapelint%3A more findings::3 errors, 1 warning, 1 note "));
  // What GitHub would not show is still in the log.
  CHECK(contains(out, "models/net.json:13:7: error: layer 'dense': error 12 [SL102]"));
}

TEST_CASE("github: the step summary is appended when GITHUB_STEP_SUMMARY is set") {
  auto path =
      std::filesystem::temp_directory_path() / fmt::format("shapelint-summary-{}.md", std::rand());
  { std::ofstream(path) << "earlier step\n"; }
  {
    ScopedEnv summary("GITHUB_STEP_SUMMARY", path.c_str());
    render("github", run_of({failing_file()}));
  }
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  INFO(text);
  CHECK(text.rfind("earlier step\n### shapelint\n", 0) == 0);
  CHECK(contains(text, "| `models/net.json` | net | ❌ error | 1 | 0 | 0 |"));
  CHECK(contains(text, "`models/net.json:12` | `dense` | expected axis -1 to be 5<br>hint: "));
}

TEST_CASE("junit: a suite per file, a case per layer, deterministic and escaped") {
  FileReport f = failing_file();
  f.diagnostics[0].message = "bad <shape> & \"quotes\"\x01";
  FileReport invalid;
  invalid.path = "broken.json";
  invalid.format = "unknown";
  invalid.status = "invalid";
  invalid.diagnostics = {finding("SL002", Severity::error, std::nullopt, "not JSON", 3)};
  RunReport run = run_of({f, invalid});
  std::string out = render("junit", run);
  INFO(out);
  CHECK(out == render("junit", run));
  CHECK_FALSE(contains(out, "time"));
  CHECK_FALSE(contains(out, "timestamp"));
  CHECK(contains(out,
                 "<testsuites name=\"shapelint\" tests=\"4\" failures=\"1\" errors=\"1\" "
                 "skipped=\"1\">"));
  CHECK(contains(out,
                 "<testsuite name=\"models/net.json\" tests=\"3\" failures=\"1\" "
                 "errors=\"0\" skipped=\"1\">"));
  CHECK(contains(out, "<testcase name=\"in (InputLayer)\" classname=\"models/net.json\""));
  CHECK(contains(out,
                 "<failure type=\"SL102\" message=\"bad &lt;shape&gt; &amp; "
                 "&quot;quotes&quot;?\">"));
  CHECK(contains(out,
                 "<testcase name=\"model\" classname=\"broken.json\" file=\"broken.json\" "
                 "line=\"3\">"));
  CHECK(contains(out, "<error type=\"SL002\" message=\"not JSON\">"));
}

TEST_CASE("junit: a finding goes to the case of the row that holds its layer") {
  struct Case {
    const char* name;
    std::optional<std::string> layer;  ///< the layer the finding names
    std::string owner;                 ///< the case the failure is written in, escaped
  };

  const std::vector<Case> cases = {
      {"a top-level layer", "dense", "dense (Dense)"},
      {"a nested model's layer: its model's row", "inner_dense", "encoder (Functional)"},
      {"two rows of one name: the first", "twin", "twin (Dense)"},
      {"a layer no row has: the model's case", "ghost", "model &apos;net&apos;"},
      {"no layer: the model's case", std::nullopt, "model &apos;net&apos;"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      FileReport f = failing_file();
      f.diagnostics.clear();
      LayerRow encoder = layer("encoder", "Functional", {"in"});
      encoder.is_model = true;
      encoder.layers = {layer("inner_in", "InputLayer", {}), layer("inner_dense", "Dense", {})};
      f.layers.push_back(std::move(encoder));
      f.layers.push_back(layer("twin", "Dense", {"in"}));
      f.layers.push_back(layer("twin", "Conv2D", {"in"}));
      f.diagnostics = {finding("SL102", Severity::error, c.layer, "does not fit")};
      std::string out = render("junit", run_of({f}));
      INFO(out);
      auto at = out.find(fmt::format("<testcase name=\"{}\"", c.owner));
      REQUIRE(at != std::string::npos);
      auto end = out.find("</testcase>", at);
      auto next = out.find("<testcase", at + 1);
      REQUIRE(end != std::string::npos);
      CHECK(end < next);                                     // the case has a body...
      CHECK(out.find("<failure type=\"SL102\"", at) < end);  // ...and the failure is in it
      CHECK(count_of(out, "<failure") == 1);
    }
  }
}

TEST_CASE("sarif: results carry level, region, the layer and a rule index") {
  std::string out = render("sarif", run_of({failing_file()}));
  auto doc = nlohmann::json::parse(out);
  CHECK(doc["version"] == "2.1.0");
  const auto& run = doc["runs"][0];
  CHECK(run["tool"]["driver"]["version"] == "9.9.9");
  CHECK(run["tool"]["driver"]["rules"].size() == rule_catalog().size());
  const auto& result = run["results"][0];
  CHECK(result["ruleId"] == "SL102");
  CHECK(result["level"] == "error");
  const auto& rule = run["tool"]["driver"]["rules"][result["ruleIndex"].get<std::size_t>()];
  CHECK(rule["id"] == "SL102");
  CHECK(contains(rule["helpUri"].get<std::string>(), "docs/rules/SL102.md"));
  const auto& location = result["locations"][0];
  CHECK(location["physicalLocation"]["artifactLocation"]["uri"] == "models/net.json");
  CHECK(location["physicalLocation"]["region"]["startLine"] == 12);
  CHECK(location["physicalLocation"]["region"]["startColumn"] == 7);
  CHECK(location["logicalLocations"][0]["fullyQualifiedName"] == "net/dense");
}

TEST_CASE("sarif: fingerprints ignore lines and sizes but tell layers and files apart") {
  auto fingerprint_of = [](const FileReport& f) {
    auto doc = nlohmann::json::parse(render("sarif", run_of({f})));
    return doc["runs"][0]["results"][0]["partialFingerprints"]["shapelintFinding/v1"]
        .get<std::string>();
  };
  FileReport base = failing_file();
  FileReport moved = base;
  moved.diagnostics[0].line = 40;
  moved.diagnostics[0].message = "expected axis -1 to be 17";
  FileReport other_layer = base;
  other_layer.diagnostics[0].layer = "out";
  FileReport other_file = failing_file("models/other.json");
  CHECK(fingerprint_of(base) == fingerprint_of(moved));
  CHECK(fingerprint_of(base) != fingerprint_of(other_layer));
  CHECK(fingerprint_of(base) != fingerprint_of(other_file));
}

TEST_CASE("sarif: standard input has no physical location, absolute paths become relative") {
  FileReport stdin_file = failing_file("-");
  auto doc = nlohmann::json::parse(render("sarif", run_of({stdin_file})));
  CHECK_FALSE(doc["runs"][0]["results"][0]["locations"][0].contains("physicalLocation"));
  auto absolute = (std::filesystem::current_path() / "sub" / "m.json").string();
  CHECK(render_util::portable_path(absolute) == "sub/m.json");
  CHECK(render_util::portable_path("/elsewhere/m.json") == "/elsewhere/m.json");
}

TEST_CASE("markdown: findings link their rule page and the failing layer is marked") {
  FileReport f = failing_file();
  f.layers[1].name = "we|ird`name";
  f.diagnostics[0].layer = "we|ird`name";
  std::string out = render("markdown", run_of({f}));
  INFO(out);
  CHECK(contains(out, "❌ **shape errors**: 1 error"));
  CHECK(contains(out, "[SL102]("));
  CHECK(contains(out, "in layer ``we|ird`name``"));
  CHECK(contains(out, "| ❌ | **``we\\|ird`name``** | Dense |"));
  CHECK(contains(out, "<details open>"));
  CHECK_FALSE(contains(render("markdown", run_of({f}), RenderOptions{.quiet = true}), "<details"));
}

TEST_CASE("dot: shapes on the edges, the failing layer red, names quoted") {
  FileReport f = failing_file();
  f.layers[0].name = "in \"quoted\"";
  f.layers[1].inbound = {"in \"quoted\""};
  std::string out = render("dot", run_of({f}));
  INFO(out);
  CHECK(contains(out, "f0n0 [label=\"in \\\"quoted\\\"\\nInputLayer"));
  CHECK(contains(out, "f0n0 -> f0n1 [label=\" (None, 4) \", color=\"#d62728\""));
  CHECK(contains(out, "f0n1 [label=\"dense\\nDense\\n✗ SL102\", fillcolor=\"#d62728\""));
  CHECK(contains(out, "f0n1 -> f0n2 [label=\" ? \"];"));
  CHECK(contains(out, "f0n3 [label=\"output\""));
}

TEST_CASE("mermaid: entity codes in labels, classes for failed and unknown layers") {
  FileReport f = failing_file();
  f.layers[2].name = "a<b>#\"c\"";
  std::string out = render("mermaid", run_of({f}));
  INFO(out);
  CHECK(out.rfind("flowchart TD\n", 0) == 0);
  CHECK(contains(out, "f0n0 -->|\"(None, 4)\"| f0n1"));
  CHECK(contains(out, "f0n1[\"dense<br>Dense<br>✗ SL102\"]:::failed"));
  CHECK(contains(out, "f0n2[\"a#lt;b#gt;#35;#quot;c#quot;<br>Dense\"]:::unknown"));
  CHECK(contains(out, "linkStyle 0 stroke:#d62728"));
}

TEST_CASE("graph view: edges by producer name, the first row of a name, terminals") {
  struct Case {
    const char* name;
    std::vector<LayerRow> rows;
    std::vector<std::string> edges;  ///< "from->to label", nodes by index
    std::size_t nodes;
  };

  const std::vector<Case> cases = {
      {"a chain: the input terminal only where no row feeds a layer",
       {layer("a", "Dense", {}), layer("b", "Dense", {"a"})},
       {"2->0 (None, 8)", "0->1 (None, 4)", "1->3 (None, 4)"},
       4},
      {"an InputLayer row needs no input terminal",
       {layer("in", "InputLayer", {}), layer("d", "Dense", {"in"})},
       {"0->1 (None, 4)", "1->2 (None, 4)"},
       3},
      {"two rows of one name: the first is the producer",
       {layer("x", "InputLayer", {}), layer("x", "InputLayer", {}), layer("d", "Dense", {"x"})},
       {"0->2 (None, 4)", "1->3 (None, 4)", "2->4 (None, 4)"},
       5},
      {"a producer no row has is left out; a failed producer's edge is ?",
       {layer("in", "InputLayer", {}),
        layer("bad", "Dense", {"in"}, "error"),
        layer("d", "Dense", {"ghost", "bad"})},
       {"0->1 (None, 4)", "1->2 ?", "2->3 (None, 4)"},
       4},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      FileReport f;
      f.layers = c.rows;
      auto g = render_util::graph_view(f);
      std::vector<std::string> edges;
      for (const auto& e : g.edges)
        edges.push_back(fmt::format("{}->{} {}", e.from, e.to, e.label()));
      CHECK(edges == c.edges);
      CHECK(g.nodes.size() == c.nodes);
      for (std::size_t i = 0; i < g.nodes.size(); ++i)
        CHECK((g.nodes[i].row == nullptr) == (i >= c.rows.size()));
    }
  }
}

TEST_CASE("graph formats put several files side by side") {
  RunReport run = run_of({failing_file("a.json"), failing_file("b.json")});
  std::string dot = render("dot", run);
  CHECK(contains(dot, "subgraph cluster_1 {"));
  CHECK(contains(dot, "f1n1 -> f1n2"));
  std::string mermaid = render("mermaid", run);
  CHECK(contains(mermaid, "subgraph f1[\"b.json: net\"]"));
}

TEST_CASE("text that is not UTF-8 is replaced, never copied into XML or JSON") {
  CHECK(render_util::valid_utf8("a\xff"
                                "b") ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(render_util::valid_utf8("\xC3\xA9") == "\xC3\xA9");
  CHECK(render_util::valid_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");
}
