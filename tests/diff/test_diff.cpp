// shapelint diff: layers added, removed and changed are notes (SL305); a changed input or
// output signature is an error (SL304), through the library and the real binary.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cost/model_builder.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/diff/diff.hpp"
#include "shapelint/lint/lint.hpp"
#include "support/run_command.hpp"
#include <sys/wait.h>

using namespace shapelint;
using nlohmann::json;
using shapelint::test::layer;
using shapelint::test::ModelBuilder;
using shapelint::test::sequential;

namespace {

/// A small CNN classifier as a Functional model; each argument is one thing a new version
/// might change.
struct Classifier {
  std::int64_t size = 28;
  bool fixed_size = true;
  std::string input_name = "image";
  int filters = 8;
  int classes = 10;
  bool dropout = true;
  std::string output_dtype = "float32";

  std::string json_text() const {
    ModelBuilder m("classifier");
    auto x = m.input({fixed_size ? std::optional<std::int64_t>(size) : std::nullopt,
                      fixed_size ? std::optional<std::int64_t>(size) : std::nullopt,
                      1},
                     input_name);
    x = m.add("Conv2D", {{"name", "conv"}, {"filters", filters}, {"kernel_size", 3}}, x);
    x = m.add("GlobalAveragePooling2D", {{"name", "gap"}}, x);
    if (dropout)
      x = m.add("Dropout", {{"name", "dropout"}, {"rate", 0.5}}, x);
    x = m.add("Dense", {{"name", "logits"}, {"units", classes}, {"dtype", output_dtype}}, x);
    m.output(x);
    return m.json_text();
  }
};

diff::ModelDiff compare(const std::string& before,
                        const std::string& after,
                        FileReport& a,
                        FileReport& b) {
  a = lint_text(before, "v1.json", {});
  b = lint_text(after, "v2.json", {});
  REQUIRE(a.status == "ok");
  REQUIRE(b.status == "ok");
  return diff::compare(a, b);
}

std::string describe(const diff::ModelDiff& d) {
  std::string out;
  for (const auto& f : d.findings)
    out += fmt::format(
        "  {} {} {}: {}\n", f.rule, to_string(f.severity), f.layer.value_or("-"), f.message);
  return out;
}

std::size_t count(const diff::ModelDiff& d, std::string_view rule_id) {
  return static_cast<std::size_t>(
      std::count_if(d.findings.begin(), d.findings.end(), [&](const Diagnostic& f) {
        return f.rule == rule_id;
      }));
}

bool has_message(const diff::ModelDiff& d, std::string_view rule_id, std::string_view text) {
  return std::any_of(d.findings.begin(), d.findings.end(), [&](const Diagnostic& f) {
    return f.rule == rule_id && f.message == text;
  });
}

}  // namespace

TEST_CASE("a model compared with itself has no findings") {
  FileReport a, b;
  auto d = compare(Classifier{}.json_text(), Classifier{}.json_text(), a, b);
  INFO(describe(d));
  CHECK(d.findings.empty());
  CHECK(d.layers.empty());
}

TEST_CASE("signature changes are errors, other changes notes") {
  struct Row {
    std::string name;
    Classifier after;
    std::size_t errors;
    std::string message;  ///< the SL304 message, or an SL305 one when errors == 0
  };

  Classifier base;
  auto with = [&](auto change) {
    Classifier c = base;
    change(c);
    return c;
  };
  const std::vector<Row> rows{
      {"more classes",
       with([](Classifier& c) { c.classes = 12; }),
       1,
       "output 'logits' gives (None, 12) instead of (None, 10)"},
      {"a larger input",
       with([](Classifier& c) { c.size = 32; }),
       1,
       "input 'image' takes (None, 32, 32, 1) instead of (None, 28, 28, 1)"},
      {"a renamed input",
       with([](Classifier& c) { c.input_name = "pixels"; }),
       1,
       "input 0 is named 'pixels' instead of 'image': callers that pass or read it by name break"},
      {"a float16 output",
       with([](Classifier& c) { c.output_dtype = "float16"; }),
       1,
       "output 'logits' is float16 instead of float32"},
      {"an input that takes any size now",
       with([](Classifier& c) { c.fixed_size = false; }),
       0,
       "input 'image' takes (None, None, None, 1) instead of (None, 28, 28, 1) (it accepts every "
       "shape it did)"},
      {"more filters inside",
       with([](Classifier& c) { c.filters = 16; }),
       0,
       "changed (Conv2D): output (None, 26, 26, 8) → (None, 26, 26, 16); params 80 → 160"},
      {"a layer removed", with([](Classifier& c) { c.dropout = false; }), 0, "removed (Dropout)"},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      FileReport a, b;
      auto d = compare(base.json_text(), r.after.json_text(), a, b);
      INFO(describe(d));
      CHECK(count(d, rule::kSignatureChanged) == r.errors);
      CHECK(has_message(
          d, r.errors ? rule::kSignatureChanged : rule::kArchitectureChanged, r.message));
      auto run = diff::as_run_report(d, "0.0.0");
      CHECK(run.files[0].status == (r.errors ? "error" : "ok"));
      CHECK(run.errors == r.errors);
    }
  }
}

TEST_CASE("layers are matched by name: added, removed, changed") {
  FileReport a, b;
  Classifier wider;
  wider.filters = 16;
  wider.dropout = false;
  auto d = compare(Classifier{}.json_text(), wider.json_text(), a, b);
  INFO(describe(d));
  REQUIRE(d.layers.size() == 4);
  // conv: 3·3·1·16 + 16 = 160 params; logits: 16·10 + 10 = 170
  CHECK(has_message(
      d,
      rule::kArchitectureChanged,
      "changed (Conv2D): output (None, 26, 26, 8) → (None, 26, 26, 16); params 80 → 160"));
  CHECK(has_message(d,
                    rule::kArchitectureChanged,
                    "changed (GlobalAveragePooling2D): output (None, 8) → (None, 16)"));
  CHECK(has_message(d, rule::kArchitectureChanged, "changed (Dense): params 90 → 170"));
  CHECK(d.layers.back().kind == diff::LayerChange::Kind::removed);
  CHECK(count(d, rule::kSignatureChanged) == 0);
}

TEST_CASE("a Sequential's inputs are compared by position, not by name") {
  std::vector<json> layers{layer("Dense", {{"name", "out"}, {"units", 3}})};
  std::string before = sequential({nullptr, 5}, layers);
  auto renamed = json::parse(before);
  renamed["config"]["layers"][0]["config"]["name"] = "features";
  FileReport a, b;
  auto d = compare(before, renamed.dump(), a, b);
  INFO(describe(d));
  CHECK(count(d, rule::kSignatureChanged) == 0);
}

TEST_CASE("the same model saved by tf.keras 2 and by Keras 3 has no findings") {
  std::string keras2 =
      sequential({nullptr, 28, 28, 1},
                 {layer("Conv2D", {{"name", "conv"}, {"filters", 8}, {"kernel_size", {3, 3}}}),
                  layer("Flatten", {{"name", "flatten"}}),
                  layer("Dense", {{"name", "logits"}, {"units", 10}})});
  json policy{{"module", "keras"},
              {"class_name", "DTypePolicy"},
              {"config", {{"name", "float32"}}},
              {"registered_name", nullptr}};
  auto k3 = [&](const std::string& cls, json config, json build_shape) {
    config["dtype"] = policy;
    return json{{"module", "keras.layers"},
                {"class_name", cls},
                {"config", config},
                {"registered_name", nullptr},
                {"build_config", {{"input_shape", build_shape}}}};
  };
  json keras3{
      {"module", "keras"},
      {"class_name", "Sequential"},
      {"config",
       {{"name", "model"},
        {"trainable", true},
        {"layers",
         {{{"module", "keras.layers"},
           {"class_name", "InputLayer"},
           {"config",
            {{"batch_shape", {nullptr, 28, 28, 1}}, {"dtype", "float32"}, {"name", "input"}}},
           {"registered_name", nullptr}},
          k3("Conv2D",
             {{"name", "conv"},
              {"filters", 8},
              {"kernel_size", {3, 3}},
              {"strides", {1, 1}},
              {"padding", "valid"}},
             {nullptr, 28, 28, 1}),
          k3("Flatten", {{"name", "flatten"}}, {nullptr, 26, 26, 8}),
          k3("Dense", {{"name", "logits"}, {"units", 10}}, {nullptr, 5408})}}}},
      {"registered_name", nullptr},
      {"build_config", {{"input_shape", {nullptr, 28, 28, 1}}}}};
  FileReport a, b;
  auto d = compare(keras2, keras3.dump(), a, b);
  CHECK(a.format == "keras2-json");
  CHECK(b.format == "keras3-json");
  INFO(describe(d));
  CHECK(d.findings.empty());
}

// ---- the command line ----------------------------------------------------------------------

namespace {

using Run = shapelint::test::CommandRun;

Run shapelint_in(const std::filesystem::path& dir, const std::string& args) {
  std::string cmd = fmt::format(
      "cd '{}' && NO_COLOR=1 COLUMNS=80 '{}' {} 2>&1", dir.string(), SHAPELINT_BINARY, args);
  return shapelint::test::run_command(cmd);
}

/// A fresh directory holding v1.json, v2.json (more classes) and v3.json (more filters).
std::filesystem::path versions_dir() {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("shapelint_diff_{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Classifier more_classes, more_filters;
  more_classes.classes = 12;
  more_filters.filters = 16;
  std::ofstream(dir / "v1.json") << Classifier{}.json_text();
  std::ofstream(dir / "v2.json") << more_classes.json_text();
  std::ofstream(dir / "v3.json") << more_filters.json_text();
  std::ofstream(dir / "broken.json") << "{ not json";
  return dir;
}

}  // namespace

TEST_CASE("shapelint diff: exit 1 on a broken contract, 0 otherwise, 2 when unreadable") {
  auto dir = versions_dir();
  auto same = shapelint_in(dir, "diff v1.json v3.json");
  INFO(same.out);
  CHECK(same.exit_code == 0);
  CHECK(same.out.find("ok: the model's signature is unchanged") != std::string::npos);
  CHECK(same.out.find("~ conv (Conv2D)") != std::string::npos);

  auto broken = shapelint_in(dir, "diff v1.json v2.json");
  INFO(broken.out);
  CHECK(broken.exit_code == 1);
  CHECK(broken.out.find("error[SL304] layer 'logits'") != std::string::npos);
  CHECK(shapelint_in(dir, "diff v1.json v2.json --fail-on never").exit_code == 0);

  auto json_run = shapelint_in(dir, "diff v1.json v2.json --format json");
  CHECK(json_run.exit_code == 1);
  auto report = json::parse(json_run.out);
  CHECK(report["summary"]["errors"] == 1);
  CHECK(report["files"][0]["diagnostics"][0]["rule"] == "SL304");

  CHECK(shapelint_in(dir, "diff v1.json broken.json").exit_code == 2);
  CHECK(shapelint_in(dir, "diff v1.json").exit_code == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a model file named diff is still linted, as the contract says") {
  auto dir = versions_dir();
  std::filesystem::copy_file(dir / "v1.json", dir / "diff");
  auto run = shapelint_in(dir, "diff v3.json");
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("ok: no shape errors") != std::string::npos);
  CHECK(run.out.find("Signature") == std::string::npos);
  std::filesystem::remove_all(dir);
}
