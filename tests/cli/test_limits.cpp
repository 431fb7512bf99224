// The safety limits as settings (issue 6): each one, lowered with `--limit NAME=VALUE` or in
// the configuration file's `limits` table, turns a small valid file into the finding that
// names it and says how to raise it; raised again on the command line (which wins over the
// file), the file is read as before. A bad name or value is a usage error, exit 2.
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "io/fixtures.hpp"
#include "shapelint/lint/limits.hpp"
#include "support/run_command.hpp"

using namespace shapelint;

namespace {

using Run = test::CommandRun;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

/// `depth` Sequential models, each the only layer of the one around it.
std::string nested_models(int depth) {
  std::string inner =
      R"({"class_name": "Dense", "config": {"name": "d", "units": 2, "batch_input_shape": [null, 4]}})";
  for (int i = 0; i < depth; ++i)
    inner = fmt::format(
        R"({{"class_name": "Sequential", "config": {{"name": "m{}", "layers": [{}]}}}})", i, inner);
  return inner;
}

/// TimeDistributed(Bidirectional(LSTM)): layers wrapped two levels deep, as Keras builds them.
constexpr const char* kWrappedModel = R"({"class_name": "Sequential", "config": {"name": "s",
  "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3, 5, 4], "name": "in"}},
    {"class_name": "TimeDistributed", "config": {"name": "td", "layer":
      {"class_name": "Bidirectional", "config": {"name": "bi", "layer":
        {"class_name": "LSTM", "config": {"name": "lstm", "units": 2}}}}}}]}})";

/// Random hex: JSON text that deflates only about 2:1.
std::string incompressible(std::size_t n) {
  std::string out(n, '0');
  std::uint32_t x = 12345;
  for (auto& c : out) {
    x = x * 1664525u + 1013904223u;
    c = "0123456789abcdef"[(x >> 24) & 15];
  }
  return out;
}

/// The model files the limits are tried on, in one directory (a `.shapelint.toml` there is
/// the configuration of all of them).
class Models {
 public:
  Models() {
    std::string mnist = test::sample("ok/mnist_cnn.json");
    test::write_file(path("model.json"), mnist);
    test::write_file(path("nested.json"), nested_models(3));  // two below the top
    test::write_file(path("wrapped.json"), kWrappedModel);
    test::write_zip(path("model.keras"),
                    {{"metadata.json", R"({"keras_version": "3.3.3"})"},
                     {"config.json", mnist},
                     {"assets/a", "a"},
                     {"assets/b", "b"}});
    // Over 1 MiB (where the ratio starts to count), deflating about 2:1.
    std::string padded = mnist;
    padded.insert(1, R"("padding": ")" + incompressible(1'200'000) + R"(", )");
    test::write_zip(path("padded.keras"), {{"config.json", padded}});
    write_mismatched_weights_archive();
    test::H5Model h5;
    h5.model_config = mnist;
    h5.weights = {
        {"conv2d", {{"conv2d/kernel:0", {3, 3, 1, 32}}, {"conv2d/bias:0", {32}}}},
        {"max_pooling2d", {}},
        {"flatten", {}},
        {"dense", {{"dense/kernel:0", {5408, 128}}, {"dense/bias:0", {128}}}},
        {"dropout", {}},
        {"dense_1", {{"dense_1/kernel:0", {128, 10}}, {"dense_1/bias:0", {10}}}},
    };
    test::write_h5(path("model.h5"), h5);
  }

  std::string path(const std::string& name) const { return dir_.path(name); }

  /// The configuration of every model here: `.shapelint.toml` holding `text` (none if empty).
  void configure(const std::string& text) const {
    std::filesystem::remove(path(".shapelint.toml"));
    if (!text.empty())
      test::write_file(path(".shapelint.toml"), text);
  }

  /// shapelint `args` run in this directory, the JSON report asked for; stderr joins stdout.
  Run lint(const std::string& args) const {
    return test::run_command(fmt::format(
        "cd '{}' && NO_COLOR=1 '{}' --format json {} 2>&1", dir_.path(""), SHAPELINT_BINARY, args));
  }

 private:
  /// A Keras 3 archive whose Dense kernel does not fit its config: an SL112 error, when the
  /// weights are compared at all.
  void write_mismatched_weights_archive() const {
    std::string weights = path("w.weights.h5");
    test::write_v3_weights(
        weights,
        {{"embedding", std::nullopt, {{"vars/0", {20000, 128}}}},
         {"lstm",
          std::nullopt,
          {{"cell/vars/0", {128, 256}}, {"cell/vars/1", {64, 256}}, {"cell/vars/2", {256}}}},
         {"lstm_1",
          std::nullopt,
          {{"cell/vars/0", {64, 128}}, {"cell/vars/1", {32, 128}}, {"cell/vars/2", {128}}}},
         {"dense", std::nullopt, {{"vars/0", {33, 1}}, {"vars/1", {1}}}}});
    test::write_zip(path("weights.keras"),
                    {{"metadata.json", R"({"keras_version": "3.3.3"})"},
                     {"config.json", test::sample("ok/lstm_text_classifier.json")},
                     {"model.weights.h5", test::read_file(weights), false}});
  }

  test::FixtureDir dir_;
};

/// One limit tried on one file: lowered to `low` it shows `when_hit` in the JSON report;
/// at `high` (its default or above) it shows `when_read`.
struct LimitCase {
  std::string limit;
  std::string low;
  std::string high;
  std::string file;  ///< shapelint's argument: a file, or `- < file`
  std::string when_hit;
  std::string when_read = R"("diagnostics": [])";
};

/// The report names the limit and says how to raise it.
std::string finding_of(const std::string& limit) {
  return fmt::format("shapelint's limit ({})", limit);
}

std::vector<LimitCase> limit_cases() {
  return {
      {"max-config-size", "1KiB", "128MiB", "model.json", finding_of("max-config-size")},
      {"max-config-size", "1KiB", "128MiB", "model.keras", finding_of("max-config-size")},
      {"max-config-size", "1KiB", "128MiB", "model.h5", finding_of("max-config-size")},
      {"max-stdin-size", "1KiB", "4GiB", "- < model.json", finding_of("max-stdin-size")},
      // Past its limit, metadata.json is not read: the config's keras_version stands.
      {"max-metadata-size",
       "16",
       "1MiB",
       "model.keras",
       R"("keras_version": "2.15.0")",
       R"("keras_version": "3.3.3")"},
      // ...and the weights, whose layout the version decides, are not compared (SL014).
      {"max-metadata-size",
       "16",
       "1MiB",
       "weights.keras",
       finding_of("max-metadata-size"),
       R"("rule": "SL112")"},
      {"max-metadata-size", "4", "1MiB", "model.h5", finding_of("max-metadata-size")},
      // Past its limit, model.weights.h5 is not compared (SL014): its mismatch goes unseen.
      {"max-weights-size",
       "1KiB",
       "4GiB",
       "weights.keras",
       finding_of("max-weights-size"),
       R"("rule": "SL112")"},
      {"max-zip-members", "3", "100000", "model.keras", finding_of("max-zip-members")},
      {"max-compression-ratio", "1", "100", "padded.keras", finding_of("max-compression-ratio")},
      {"max-weights", "2", "1M", "model.h5", finding_of("max-weights")},
      {"hdf5-timeout", "0", "30s", "model.h5", finding_of("hdf5-timeout")},
      {"max-json-depth", "3", "512", "model.json", finding_of("max-json-depth")},
      {"max-model-depth", "1", "32", "nested.json", finding_of("max-model-depth")},
      {"max-layers", "3", "1M", "model.json", finding_of("max-layers")},
      {"max-layer-calls", "3", "2M", "model.json", finding_of("max-layer-calls")},
      {"max-wrapper-depth", "1", "8", "wrapped.json", finding_of("max-wrapper-depth")},
      {"max-layer-runs", "3", "10M", "model.json", finding_of("max-layer-runs")},
  };
}

void check_hit(const Run& run, const LimitCase& c) {
  INFO(run.out);
  CHECK(contains(run.out, c.when_hit));
  CHECK_FALSE(contains(run.out, c.when_read));
  if (c.when_hit == finding_of(c.limit))
    CHECK(contains(run.out, fmt::format("raise the limit with --limit {}=", c.limit)));
}

void check_read(const Run& run, const LimitCase& c) {
  INFO(run.out);
  CHECK(contains(run.out, c.when_read));
  CHECK_FALSE(contains(run.out, c.when_hit));
}

}  // namespace

TEST_CASE("each limit lowered on the command line or in the configuration is the finding") {
  Models models;
  for (const auto& c : limit_cases()) {
    DYNAMIC_SECTION(c.limit << " on " << c.file) {
      models.configure("");
      check_read(models.lint(c.file), c);
      check_hit(models.lint(fmt::format("--limit {}={} {}", c.limit, c.low, c.file)), c);
      models.configure(fmt::format("[limits]\n{} = \"{}\"\n", c.limit, c.low));
      check_hit(models.lint(c.file), c);
      // The command line wins over the file, raising or lowering.
      check_read(models.lint(fmt::format("--limit {}={} {}", c.limit, c.high, c.file)), c);
      models.configure(fmt::format("[limits]\n{} = \"{}\"\n", c.limit, c.high));
      check_hit(models.lint(fmt::format("--limit {}={} {}", c.limit, c.low, c.file)), c);
    }
  }
}

TEST_CASE("a limit raised above its default reads what the default refuses") {
  Models models;
  test::write_file(models.path("deep.json"), nested_models(40));
  Run refused = models.lint("deep.json");
  INFO(refused.out);
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.out, finding_of("max-model-depth")));
  Run read = models.lint("--limit max-model-depth=64 deep.json");
  INFO(read.out);
  CHECK(read.exit_code == 0);
  models.configure("[limits]\nmax-model-depth = 64\n");
  CHECK(models.lint("deep.json").exit_code == 0);
}

TEST_CASE("pyproject.toml takes the limits in [tool.shapelint.limits]") {
  Models models;
  test::write_file(models.path("pyproject.toml"),
                   "[tool.shapelint.limits]\nmax_layers = 3\nhdf5-timeout = 60\n");
  Run run = models.lint("model.json");
  INFO(run.out);
  CHECK(run.exit_code == 2);
  CHECK(contains(run.out, finding_of("max-layers")));
  CHECK(models.lint("--limit max-layers=1M model.json").exit_code == 0);
}

TEST_CASE("shapelint diff takes --limit too") {
  Models models;
  auto diff = [&](const std::string& args) {
    return test::run_command(fmt::format("cd '{}' && NO_COLOR=1 '{}' diff --format json {} 2>&1",
                                         models.path(""),
                                         SHAPELINT_BINARY,
                                         args));
  };
  CHECK(diff("model.json model.json").exit_code == 0);
  Run run = diff("--limit max-layers=3 model.json model.json");
  INFO(run.out);
  CHECK(run.exit_code == 2);
  CHECK(contains(run.out, finding_of("max-layers")));
  CHECK(diff("--limit max-layerz=3 model.json model.json").exit_code == 2);
}

TEST_CASE("a bad --limit is a usage error that says what is wrong") {
  Models models;

  struct Bad {
    std::string option;
    std::vector<std::string> said;
  };

  const std::vector<Bad> bad{
      {"--limit max-layerz=3", {"no limit named 'max-layerz'", "max-layers", "hdf5-timeout"}},
      {"--limit max-layers", {"'max-layers' is not NAME=VALUE", "max-config-size"}},
      {"--limit max-layers=many", {"max-layers: 'many' is not a count"}},
      {"--limit max-config-size=big", {"max-config-size: 'big' is not a size", "256MiB"}},
      {"--limit hdf5-timeout=soon", {"hdf5-timeout: 'soon' is not a duration", "500ms"}},
      {"--limit max-layers=0", {"max-layers: must be at least 1"}},
      {"--limit hdf5-memory=4096", {"hdf5-memory: must be at least 256MiB"}},
      {"--limit max-model-depth=1000",
       {"max-model-depth: 1000 is above its ceiling of 256", "overflow the stack"}},
      {"--limit max-json-depth=1M", {"max-json-depth: 1000000 is above its ceiling of 2048"}},
      {"--limit max-wrapper-depth=20", {"max-wrapper-depth: 20 is above its ceiling of 12"}},
      {"--limit max-config-size=3GiB", {"max-config-size: 3GiB is above its ceiling of 2GiB"}},
      {"--limit hdf5-timeout=2d", {"'2d' is not a duration"}},
      {"--limit hdf5-timeout=48h", {"48h is above its ceiling of 24h"}},
  };
  for (const auto& b : bad) {
    DYNAMIC_SECTION("shapelint " << b.option) {
      Run run = models.lint(b.option + " model.json");
      INFO(run.out);
      CHECK(run.exit_code == 2);
      CHECK(contains(run.out, "--limit"));
      for (const auto& part : b.said)
        CHECK(contains(run.out, part));
      CHECK_FALSE(contains(run.out, R"("files")"));  // nothing was linted
    }
  }
}

TEST_CASE("a bad limits table is a configuration error naming file, line and key") {
  Models models;

  struct Bad {
    std::string toml;
    std::vector<std::string> said;
  };

  const std::vector<Bad> bad{
      {"[limits]\nmax-layerz = 3\n",
       {".shapelint.toml:2:1: limits.max-layerz: no limit named 'max-layerz'", "max-layer-runs"}},
      {"[limits]\nmax-layers = true\n",
       {".shapelint.toml:2:14: limits.max-layers: must be an integer or a string, not a boolean"}},
      {"[limits]\nmax-layers = \"lots\"\n",
       {"limits.max-layers: 'lots' is not a count (e.g. 2000000, 2M)"}},
      {"[limits]\nmax-layers = -1\n", {"limits.max-layers: must be at least 1"}},
      {"[limits]\nmax-model-depth = 300\n",
       {"limits.max-model-depth: 300 is above its ceiling of 256"}},
      {"[limits]\nhdf5-timeout = 100000\n",
       {"limits.hdf5-timeout: 100000s is above its ceiling of 24h"}},
      {"limits = 3\n", {"limits: must be a table, not an integer"}},
  };
  for (const auto& b : bad) {
    DYNAMIC_SECTION(b.toml) {
      models.configure(b.toml);
      Run run = models.lint("model.json");
      INFO(run.out);
      CHECK(run.exit_code == 2);
      CHECK(contains(run.out, "configuration error"));
      for (const auto& part : b.said)
        CHECK(contains(run.out, part));
    }
  }
}

TEST_CASE("limit values are read in their unit, and set the option they name") {
  std::string error;
  auto value_of = [&](const std::string& text) -> std::uint64_t {
    auto setting = parse_limit_assignment(text, error);
    INFO(text << ": " << error);
    REQUIRE(setting);
    return setting->value;
  };
  CHECK(value_of("max-config-size=256MiB") == (std::uint64_t{256} << 20));
  CHECK(value_of("max-config-size=2GB") == 2'000'000'000);
  CHECK(value_of("max-config-size=4096") == 4096);
  CHECK(value_of("max_layers=2M") == 2'000'000);  // `_` for `-`, as in the configuration
  CHECK(value_of("max-layers=1,500,000") == 1'500'000);
  CHECK(value_of("hdf5-timeout=500ms") == 500);
  CHECK(value_of("hdf5-timeout=30s") == 30'000);
  CHECK(value_of("hdf5-timeout=2min") == 120'000);
  CHECK(value_of("hdf5-timeout=1.5h") == 5'400'000);
  CHECK(value_of("hdf5-timeout=45") == 45'000);  // a bare number is seconds
  auto from_integer = limit_from_integer("hdf5-timeout", 60, error);
  REQUIRE(from_integer);
  CHECK(from_integer->value == 60'000);

  // Every limit reads back what it sets: each is plumbed to its own option.
  LintOptions options;
  std::uint64_t distinct = 300;
  for (const auto& limit : all_limits()) {
    INFO(limit.name);
    std::uint64_t value = std::min(limit.ceiling, std::max(limit.minimum, distinct++));
    apply_limits(std::vector<LimitSetting>{{&limit, value}}, options);
    CHECK(limit.get(options) == value);
  }
  CHECK(options.read_limits.hdf5_memory_bytes == (std::uint64_t{256} << 20));
  CHECK(options.load_limits.max_json_depth == 309);
  CHECK(options.max_wrapper_depth == 12);  // capped at its ceiling here
}

TEST_CASE("the defaults are the documented ones") {
  const LintOptions defaults;
  auto shown = [&](std::string_view name) {
    const LimitInfo* limit = find_limit(name);
    REQUIRE(limit != nullptr);
    return format_limit_value(*limit, limit->get(defaults));
  };
  CHECK(shown("max-config-size") == "128MiB");
  CHECK(shown("max-stdin-size") == "4GiB");
  CHECK(shown("max-metadata-size") == "1MiB");
  CHECK(shown("max-weights-size") == "4GiB");
  CHECK(shown("max-zip-members") == "100000");
  CHECK(shown("max-compression-ratio") == "100");
  CHECK(shown("max-weights") == "1000000");
  CHECK(shown("hdf5-timeout") == "30s");
  CHECK(shown("hdf5-memory") == "4GiB");
  CHECK(shown("max-json-depth") == "512");
  CHECK(shown("max-model-depth") == "32");
  CHECK(shown("max-layers") == "1000000");
  CHECK(shown("max-layer-calls") == "2000000");
  CHECK(shown("max-wrapper-depth") == "8");
  CHECK(shown("max-layer-runs") == "10000000");
  CHECK(all_limits().size() == 15);
}
