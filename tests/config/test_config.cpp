// The configuration file: parsing, every error it can give, globs, walking up, precedence
// and what it does to findings.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "config/config_fixtures.hpp"
#include "shapelint/config/config.hpp"
#include "shapelint/diag/catalog.hpp"

namespace config = shapelint::config;
using config::ConfigError;
using shapelint::Severity;
using shapelint::test::ConfigTree;

namespace {

std::optional<config::Config> parse(const std::string& text,
                                    ConfigError& error,
                                    bool pyproject = false) {
  return config::parse_config(
      text, pyproject ? "pyproject.toml" : ".shapelint.toml", pyproject, error);
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("a pyproject.toml's [tool.shapelint] table is read into the settings") {
  const std::string text = R"(
[project]
name = "my-model"

[tool.black]
line-length = 100

[tool.shapelint]
fail-on = "warning"
ignore = ["SL202"]

[tool.shapelint.severity]
SL201 = "error"
SL010 = "note"

[tool.shapelint.input-shapes]
"models/*.json" = "28x28x1"
"models/two_tower.keras" = ["image=64x64x3", "text=100"]

[tool.shapelint.custom_layers.MyAttention]
shape = "same"

[tool.shapelint.custom_layers.MyProjection]
like = "Dense"
from-config = { units = "projection_dim" }
set = { use_bias = false }

[tool.shapelint.custom_layers.Pooled]
output_shape = ["None", 64]
params = 4160
non-trainable-params = 64
)";
  ConfigError error;
  auto c = parse(text, error, true);
  INFO(error.describe());
  REQUIRE(c);
  CHECK(c->fail_on == std::optional<std::string>("warning"));
  CHECK(c->severity.ignored.count("SL202") == 1);
  CHECK(c->severity.overrides.at("SL201") == Severity::error);
  CHECK(c->severity.overrides.at("SL010") == Severity::note);
  REQUIRE(c->input_shapes.size() == 2);
  CHECK(c->input_shapes[0].pattern == "models/*.json");  // file order, not key order
  CHECK(c->input_shapes[0].shapes.size() == 1);
  CHECK(shapelint::to_string(c->input_shapes[0].shapes[0].dims) == "(28, 28, 1)");
  CHECK(c->input_shapes[1].shapes.size() == 2);
  CHECK(c->input_shapes[1].shapes[0].input_name == std::optional<std::string>("image"));
  CHECK(contains(c->input_shapes[1].origin,
                 "tool.shapelint.input-shapes.\"models/two_tower.keras\""));

  const auto* attention = c->custom_layers.find("MyAttention");
  REQUIRE(attention);
  CHECK(attention->kind == config::CustomLayerRule::Kind::same);
  CHECK(attention->origin == "pyproject.toml:20");
  const auto* projection = c->custom_layers.find("MyProjection");
  REQUIRE(projection);
  CHECK(projection->kind == config::CustomLayerRule::Kind::like);
  CHECK(projection->like == "Dense");
  REQUIRE(projection->from_config.size() == 1);
  CHECK(projection->from_config[0] ==
        std::pair<std::string, std::string>("units", "projection_dim"));
  CHECK(projection->set == nlohmann::json{{"use_bias", false}});
  const auto* pooled = c->custom_layers.find("Pooled");
  REQUIRE(pooled);
  CHECK(pooled->kind == config::CustomLayerRule::Kind::fixed);
  REQUIRE(pooled->output_shapes.size() == 1);
  CHECK(shapelint::to_string(pooled->output_shapes[0]) == "(None, 64)");
  CHECK(pooled->params == std::optional<std::int64_t>(4160));
  CHECK(pooled->non_trainable_params == 64);
}

TEST_CASE("a .shapelint.toml holds the same keys at its top level; _ and - are the same") {
  ConfigError error;
  auto c =
      parse("fail_on = \"never\"\n[custom-layers.Gate]\noutput-shape = \"(None, 8)\"\n", error);
  INFO(error.describe());
  REQUIRE(c);
  CHECK(c->fail_on == std::optional<std::string>("never"));
  REQUIRE(c->custom_layers.find("Gate"));
}

TEST_CASE("budgets are integers or written as on the command line; batch-size an integer") {
  ConfigError error;
  auto c = parse(
      "max-params = 25000000\nmax_macs = \"4.1G\"\nmax-activation-memory = \"512MiB\"\n"
      "batch-size = 32\n",
      error);
  INFO(error.describe());
  REQUIRE(c);
  CHECK(c->max_params == std::optional<std::int64_t>(25'000'000));
  CHECK(c->max_macs == std::optional<std::int64_t>(4'100'000'000));
  CHECK(c->max_activation_bytes == std::optional<std::int64_t>(512LL << 20));
  CHECK(c->batch_size == std::optional<std::int64_t>(32));

  auto none = parse("fail-on = \"error\"\n", error);
  REQUIRE(none);
  CHECK_FALSE(none->max_params);
  CHECK_FALSE(none->batch_size);
}

TEST_CASE("the README's example configuration is one shapelint reads") {
  std::ifstream in(std::string(SHAPELINT_SOURCE_DIR) + "/README.md");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string readme = buffer.str();
  std::size_t section = readme.find("### Configuration");
  REQUIRE(section != std::string::npos);
  std::size_t start = readme.find("```toml\n", section);
  REQUIRE(start != std::string::npos);
  start += 8;
  std::size_t end = readme.find("```", start);
  REQUIRE(end != std::string::npos);
  ConfigError error;
  auto c = parse(readme.substr(start, end - start), error, true);
  INFO(error.describe());
  REQUIRE(c);
  CHECK(c->max_params == std::optional<std::int64_t>(25'000'000));
  CHECK(c->batch_size == std::optional<std::int64_t>(32));
  CHECK(c->custom_layers.find("GlobalSummary") != nullptr);
}

TEST_CASE("output shapes: a string, an array with \"None\", or one shape per output") {
  struct Row {
    std::string value;
    std::vector<std::string> expected;
  };

  const std::vector<Row> rows{
      {R"x("(None, 64)")x", {"(None, 64)"}},
      {R"x(["None", 10, 64])x", {"(None, 10, 64)"}},
      {R"x(["?", 3])x", {"(None, 3)"}},
      {R"x([["None", 64], ["None", 10]])x", {"(None, 64)", "(None, 10)"}},
      {R"x(["(None, 64)", "(None, 4, 4)"])x", {"(None, 64)", "(None, 4, 4)"}},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.value) {
      ConfigError error;
      auto c = parse("[custom-layers.X]\noutput_shape = " + row.value + "\n", error);
      INFO(error.describe());
      REQUIRE(c);
      std::vector<std::string> got;
      for (const auto& s : c->custom_layers.find("X")->output_shapes)
        got.push_back(shapelint::to_string(s));
      CHECK(got == row.expected);
    }
  }
}

TEST_CASE("a pyproject.toml without [tool.shapelint] is no configuration, and no error") {
  ConfigError error;
  CHECK_FALSE(parse("[project]\nname = \"x\"\n[tool.ruff]\nline-length = 88\n", error, true));
  CHECK(error.message.empty());
}

TEST_CASE("every configuration error names the file, the line and the key") {
  struct Row {
    std::string name;
    std::string text;
    int line;
    std::string key;
    std::string says;
  };

  const std::vector<Row> rows{
      {"not TOML", "fail-on = = 1\n", 1, "", "not valid TOML"},
      // toml++ 3.3 asserts on these before it reports them (the config fuzz target found it).
      {"a table header that starts with no key character",
       "[!x]\na = 1\n",
       1,
       "",
       "not valid TOML"},
      // toml++ 3.3 reaches __builtin_unreachable classifying these as whitespace or not.
      {"a letter beyond ASCII where a key is due", "a = 1\n\xc3\xa4 = 2\n", 2, "", "beyond ASCII"},
      {"a letter beyond ASCII after a value", "a = \"x\" \xc3\xa4\n", 1, "", "beyond ASCII"},
      {"an array-of-tables header that starts with no key character",
       "[[ ?x]]\n",
       1,
       "",
       "not valid TOML"},
      {"an unknown key", "fail-on = \"error\"\nfial-on = 1\n", 2, "fial-on", "unknown key"},
      {"fail-on not a string", "fail-on = 1\n", 1, "fail-on", "must be a string"},
      {"fail-on not a level",
       "fail-on = \"sometimes\"\n",
       1,
       "fail-on",
       "'sometimes' is not one of error, warning, never"},
      {"ignore not an array", "ignore = \"SL202\"\n", 1, "ignore", "must be an array"},
      {"ignore of a number", "ignore = [202]\n", 1, "ignore", "must be a string"},
      {"ignore of an unknown rule", "ignore = [\"SL999\"]\n", 1, "ignore", "no rule 'SL999'"},
      {"ignore of a file-level rule",
       "ignore = [\"SL002\"]\n",
       1,
       "ignore",
       "cannot be ignored or re-graded"},
      {"severity not a table", "severity = \"error\"\n", 1, "severity", "must be a table"},
      {"severity of an unknown rule",
       "[severity]\nSL998 = \"error\"\n",
       2,
       "severity.SL998",
       "no rule 'SL998'"},
      {"severity of a file-level rule",
       "[severity]\nSL004 = \"warning\"\n",
       2,
       "severity.SL004",
       "cannot be ignored or re-graded"},
      {"severity not a level",
       "[severity]\nSL201 = \"fatal\"\n",
       2,
       "severity.SL201",
       "'fatal' is not one of error, warning, note"},
      {"a rule both ignored and re-graded",
       "ignore = [\"SL201\"]\n[severity]\nSL201 = \"note\"\n",
       1,
       "ignore",
       "both ignored and given a severity"},
      {"input-shapes not a table",
       "input-shapes = \"28x28\"\n",
       1,
       "input-shapes",
       "must be a table"},
      {"an input shape that is no shape",
       "[input-shapes]\n\"*.json\" = \"28xx28\"\n",
       2,
       "input-shapes.\"*.json\"",
       "'28xx28' is not a shape"},
      {"an input shape of a number",
       "[input-shapes]\n\"*.json\" = 28\n",
       2,
       "input-shapes.\"*.json\"",
       "must be a string"},
      {"an empty list of input shapes",
       "[input-shapes]\n\"*.json\" = []\n",
       2,
       "input-shapes.\"*.json\"",
       "lists no input shape"},
      {"a glob with an open bracket",
       "[input-shapes]\n\"model[1.json\" = \"8\"\n",
       2,
       "input-shapes.\"model[1.json\"",
       "never closed"},
      {"an empty glob",
       "[input-shapes]\n\"\" = \"8\"\n",
       2,
       "input-shapes.\"\"",
       "matches no file"},
      {"custom-layers not a table", "custom-layers = 1\n", 1, "custom-layers", "must be a table"},
      {"a custom layer that is not a table",
       "[custom-layers]\nX = \"same\"\n",
       2,
       "custom-layers.X",
       "must be a table"},
      {"a custom layer with an empty name",
       "[custom-layers.\"\"]\nshape = \"same\"\n",
       1,
       "custom-layers.\"\"",
       "cannot be empty"},
      {"a custom layer that says nothing",
       "[custom-layers.X]\nparams = 3\n",
       1,
       "custom-layers.X",
       "says nothing about the output"},
      {"a custom layer with two kinds",
       "[custom-layers.X]\nshape = \"same\"\nlike = \"Dense\"\n",
       1,
       "custom-layers.X",
       "only one of shape, like and output_shape"},
      {"a shape other than same",
       "[custom-layers.X]\nshape = \"(None, 3)\"\n",
       2,
       "custom-layers.X.shape",
       "the only shape is \"same\""},
      {"like an unknown class",
       "[custom-layers.X]\nlike = \"Dens\"\n",
       2,
       "custom-layers.X.like",
       "did you mean 'Dense'?"},
      {"like of a number",
       "[custom-layers.X]\nlike = 3\n",
       2,
       "custom-layers.X.like",
       "must be a string"},
      {"an output shape that is no shape",
       "[custom-layers.X]\noutput_shape = \"(None, x)\"\n",
       2,
       "custom-layers.X.output_shape",
       "is not a shape"},
      {"an output shape with a negative dim",
       "[custom-layers.X]\noutput_shape = [\"None\", -4]\n",
       2,
       "custom-layers.X.output_shape",
       "a dimension is a size"},
      {"an empty output shape",
       "[custom-layers.X]\noutput_shape = []\n",
       2,
       "custom-layers.X.output_shape",
       "must be a shape with the batch axis"},
      {"from-config without like",
       "[custom-layers.X]\nshape = \"same\"\nfrom-config = {a = \"b\"}\n",
       3,
       "custom-layers.X.from-config",
       "only a rule with like"},
      {"set without like",
       "[custom-layers.X]\nshape = \"same\"\nset = {a = 1}\n",
       3,
       "custom-layers.X.set",
       "only a rule with like"},
      {"from-config of a number",
       "[custom-layers.X]\nlike = \"Dense\"\nfrom-config = {units = 3}\n",
       3,
       "custom-layers.X.from-config.units",
       "must be a string"},
      {"set of a date",
       "[custom-layers.X]\nlike = \"Dense\"\nset = {units = 1979-05-27}\n",
       3,
       "custom-layers.X.set.units",
       "cannot be a date"},
      {"negative params",
       "[custom-layers.X]\nshape = \"same\"\nparams = -1\n",
       3,
       "custom-layers.X.params",
       "0 or more"},
      {"non-trainable params alone",
       "[custom-layers.X]\nshape = \"same\"\nnon-trainable-params = 2\n",
       3,
       "custom-layers.X.non-trainable-params",
       "needs params"},
      {"more non-trainable params than params",
       "[custom-layers.X]\nshape = \"same\"\nparams = 2\nnon-trainable-params = 3\n",
       4,
       "custom-layers.X.non-trainable-params",
       "3 is more than params = 2"},
      {"a budget that is no count", "max-params = \"lots\"\n", 1, "max-params", "must be a count"},
      {"a negative budget", "max-macs = -1\n", 1, "max-macs", "must be a count"},
      {"a budget of the wrong type", "max-params = 2.5\n", 1, "max-params", "not a float"},
      {"a memory budget that is no size",
       "max-activation-memory = \"512 apples\"\n",
       1,
       "max-activation-memory",
       "must be a size in bytes"},
      {"a batch size as a string", "batch-size = \"32\"\n", 1, "batch-size", "must be an integer"},
      {"a batch size of 0", "batch-size = 0\n", 1, "batch-size", "at least 1"},
      {"an unknown key in a custom layer",
       "[custom-layers.X]\nshape = \"same\"\nunits = 3\n",
       3,
       "custom-layers.X.units",
       "unknown key"},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      ConfigError error;
      CHECK_FALSE(parse(row.text, error));
      INFO(error.describe());
      CHECK(error.file == ".shapelint.toml");
      CHECK(error.line == row.line);
      CHECK(error.key == row.key);
      CHECK(contains(error.message, row.says));
      CHECK(contains(error.describe(), ".shapelint.toml:" + std::to_string(row.line) + ":"));
    }
  }
}

TEST_CASE("in a pyproject.toml the keys are named with their tool.shapelint prefix") {
  ConfigError error;
  CHECK_FALSE(parse("[tool.shapelint]\nfail-on = \"often\"\n", error, true));
  CHECK(error.key == "tool.shapelint.fail-on");
  CHECK(error.describe() ==
        "pyproject.toml:2:11: tool.shapelint.fail-on: 'often' is not one of error, warning, "
        "never");
  CHECK_FALSE(parse("[tool]\nshapelint = 3\n", error, true));
  CHECK(error.key == "tool.shapelint");
  CHECK(contains(error.message, "must be a table"));
}

TEST_CASE("a configuration file that cannot be read is an error naming it") {
  ConfigError error;
  CHECK_FALSE(config::load_config_file("/no/such/dir/.shapelint.toml", error));
  CHECK(contains(error.describe(), "/no/such/dir/.shapelint.toml: no such configuration file"));
  ConfigTree tree("config-explicit");
  CHECK_FALSE(config::load_config_file(tree.path(), error));
  CHECK(contains(error.message, "is a directory"));
  std::string plain = tree.write("pyproject.toml", "[project]\nname = \"x\"\n");
  CHECK_FALSE(config::ConfigFinder::from_file(plain, error));
  CHECK(error.key == "tool.shapelint");
  CHECK(contains(error.message, "no [tool.shapelint] table"));
}

TEST_CASE("globs match as in .gitignore, relative to the configuration's directory") {
  struct Row {
    std::string pattern;
    std::string path;
    bool matches;
  };

  const std::vector<Row> rows{
      {"*.json", "model.json", true},
      {"*.json", "models/deep/model.json", true},  // no '/': the file name anywhere
      {"*.json", "model.keras", false},
      {"models/*.json", "models/a.json", true},
      {"models/*.json", "models/deep/a.json", false},  // '*' stays in one directory
      {"models/**/*.json", "models/a.json", true},     // '**/' is zero or more directories
      {"models/**/*.json", "models/x/y/a.json", true},
      {"**/cnn_*.keras", "a/b/cnn_small.keras", true},
      {"models/**", "models/x/y.h5", true},
      {"/top.json", "top.json", true},
      {"/top.json", "sub/top.json", false},
      {"./models/a.json", "models/a.json", true},
      {"model_?.json", "model_1.json", true},
      {"model_?.json", "model_12.json", false},
      {"model_[0-9].json", "model_7.json", true},
      {"model_[!0-9].json", "model_7.json", false},
      {"model_[!0-9].json", "model_x.json", true},
      {"m\\*.json", "m*.json", true},
      {"m\\*.json", "mx.json", false},
      {"a*a*a*a*a*a*a*a*a*b", std::string(60, 'a'), false},  // the memo keeps this quick
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.pattern << " ~ " << row.path) {
      CHECK(config::glob_match(row.pattern, row.path) == row.matches);
    }
  }
}

TEST_CASE("the last pattern that matches a model gives its input shapes; the command line wins") {
  ConfigTree tree("config-globs");
  tree.write(".shapelint.toml",
             "[input-shapes]\n"
             "\"models/**/*.json\" = \"32x32x3\"\n"
             "\"models/mnist/*.json\" = \"28x28x1\"\n"
             "\"*.keras\" = [\"a=8\", \"b=4\"]\n");
  ConfigError error;
  auto c = config::load_config_file(tree.path(".shapelint.toml"), error);
  INFO(error.describe());
  REQUIRE(c);
  auto shapes_of = [&](const std::string& relative) -> std::string {
    const auto* rule = config::input_shapes_for(*c, tree.path(relative));
    return rule ? shapelint::to_string(rule->shapes[0].dims) : "none";
  };
  CHECK(shapes_of("models/cifar/a.json") == "(32, 32, 3)");
  CHECK(shapes_of("models/mnist/a.json") == "(28, 28, 1)");
  CHECK(shapes_of("models/x.keras") == "(8,)");
  CHECK(shapes_of("other/a.json") == "none");
  CHECK(shapes_of("-") == "none");

  shapelint::LintOptions from_file;
  config::configure_lint_options(*c, tree.path("models/mnist/a.json"), from_file);
  REQUIRE(from_file.input_shapes.size() == 1);
  CHECK(from_file.input_shapes_origin.find("input-shapes.\"models/mnist/*.json\"") !=
        std::string::npos);

  shapelint::LintOptions from_command_line;
  std::string why;
  from_command_line.input_shapes.push_back(*shapelint::parse_input_shape_option("5x5x1", why));
  config::configure_lint_options(*c, tree.path("models/mnist/a.json"), from_command_line);
  REQUIRE(from_command_line.input_shapes.size() == 1);
  CHECK(shapelint::to_string(from_command_line.input_shapes[0].dims) == "(5, 5, 1)");
  CHECK(from_command_line.input_shapes_origin == "--input-shape");
}

TEST_CASE("the configuration is found by walking up from each model's directory") {
  ConfigTree tree("config-walk");
  tree.write("pyproject.toml", "[tool.shapelint]\nfail-on = \"warning\"\n");
  // Another tool's pyproject.toml on the way up does not stop the walk.
  tree.write("a/pyproject.toml", "[tool.black]\nline-length = 100\n");
  tree.write("a/b/model.json", "{}");
  // Both files in one directory: .shapelint.toml wins.
  tree.write("c/pyproject.toml", "[tool.shapelint]\nfail-on = \"never\"\n");
  tree.write("c/.shapelint.toml", "fail-on = \"error\"\n");
  tree.write("c/model.json", "{}");
  tree.write("d/.shapelint.toml", "fail-on = 3\n");

  auto finder = config::ConfigFinder::discover();
  std::shared_ptr<const config::Config> found;
  ConfigError error;
  REQUIRE(finder.find(tree.path("a/b/model.json"), found, error));
  REQUIRE(found);
  CHECK(found->fail_on == std::optional<std::string>("warning"));
  CHECK(found->file == std::filesystem::path(tree.path("pyproject.toml")));

  REQUIRE(finder.find(tree.path("c/model.json"), found, error));
  REQUIRE(found);
  CHECK(found->fail_on == std::optional<std::string>("error"));

  // Each directory is read once per run: a change after the first look is not seen.
  tree.write("pyproject.toml", "[tool.shapelint]\nfail-on = \"never\"\n");
  REQUIRE(finder.find(tree.path("a/other.json"), found, error));
  CHECK(found->fail_on == std::optional<std::string>("warning"));
  auto fresh = config::ConfigFinder::discover();
  REQUIRE(fresh.find(tree.path("a/other.json"), found, error));
  CHECK(found->fail_on == std::optional<std::string>("never"));

  // A bad file on the way is an error, not a silent fallback.
  CHECK_FALSE(finder.find(tree.path("d/model.json"), found, error));
  CHECK(contains(error.describe(), "d/.shapelint.toml:1:11: fail-on: must be a string"));

  // --no-config and --config FILE.
  auto none = config::ConfigFinder::none();
  REQUIRE(none.find(tree.path("c/model.json"), found, error));
  CHECK_FALSE(found);
  auto given = config::ConfigFinder::from_file(tree.path("c/pyproject.toml"), error);
  REQUIRE(given);
  REQUIRE(given->find(tree.path("a/b/model.json"), found, error));
  CHECK(found->fail_on == std::optional<std::string>("never"));
}

TEST_CASE("with no configuration file above a model there is none") {
  ConfigTree tree("config-none");
  tree.write("m/model.json", "{}");
  if (shapelint::test::configuration_above(tree.path())) {
    WARN("a configuration file above " << tree.path() << " makes this test meaningless here");
    return;
  }
  auto finder = config::ConfigFinder::discover();
  std::shared_ptr<const config::Config> found;
  ConfigError error;
  REQUIRE(finder.find(tree.path("m/model.json"), found, error));
  CHECK_FALSE(found);
}

TEST_CASE("ignored findings are dropped, overridden ones re-graded, and the status follows") {
  auto finding = [](std::string id, Severity s) {
    return shapelint::Diagnostic{.rule = std::move(id), .severity = s};
  };
  shapelint::FileReport report;
  report.status = "error";
  report.diagnostics = {finding("SL103", Severity::error),
                        finding("SL201", Severity::warning),
                        finding("SL202", Severity::warning)};
  config::SeverityPolicy policy;
  policy.ignored.insert("SL202");
  policy.overrides["SL103"] = Severity::warning;
  config::apply_severity_policy(policy, report);
  REQUIRE(report.diagnostics.size() == 2);
  CHECK(report.diagnostics[0].severity == Severity::warning);
  CHECK(report.status == "ok");

  policy.overrides["SL201"] = Severity::error;
  config::apply_severity_policy(policy, report);
  CHECK(report.diagnostics[1].severity == Severity::error);
  CHECK(report.status == "error");

  shapelint::FileReport invalid;
  invalid.status = "invalid";
  invalid.diagnostics = {finding("SL002", Severity::error), finding("SL201", Severity::warning)};
  policy.ignored.insert("SL201");
  config::apply_severity_policy(policy, invalid);
  CHECK(invalid.status == "invalid");
  CHECK(invalid.diagnostics.size() == 1);
}

TEST_CASE("characters beyond ASCII are read in strings, quoted keys and comments") {
  ConfigError error;
  auto config = parse(
      "# r\xc3\xa9glages \xe2\x80\x94 caf\xc3\xa9\n"
      "fail-on = \"warning\"  # \xc3\xa4\n"
      "[input-shapes]\n"
      "\"mod\xc3\xa8les/*.json\" = '28x28x1'\n"
      "\"\\\"\xc3\xa9\\\"/a.json\" = \"\"\"\n28x28x1\"\"\"\n"
      "'''x''' = 1\n",
      error);
  INFO(error.describe());
  // The last line is a TOML error of its own (a multi-line string as a key), not ours.
  CHECK_FALSE(config);
  CHECK(error.line == 7);
  CHECK_FALSE(contains(error.message, "beyond ASCII"));
  auto fine = parse(
      "# r\xc3\xa9glages\nfail-on = \"warning\"  # \xc3\xa4\n[input-shapes]\n"
      "\"mod\xc3\xa8les/*.json\" = '28x28x1'\n",
      error);
  INFO(error.describe());
  REQUIRE(fine);
  CHECK(fine->fail_on == "warning");
}
