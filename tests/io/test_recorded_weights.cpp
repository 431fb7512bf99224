// The weights a file stores against the architecture its config builds (SL112): fixtures from
// samples/ with weight shapes written by hand from Keras's formulas (Conv2D kernel
// (kh, kw, in, filters); Dense kernel (in, units); LSTM kernel (in, 4u), recurrent (u, 4u),
// bias (4u,)). Only shapes are written, never data.
#include <array>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/fixtures.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"
#include <sys/wait.h>

using namespace shapelint;
using namespace shapelint::test;

namespace {

std::vector<const Diagnostic*> findings(const FileReport& r, std::string_view rule) {
  std::vector<const Diagnostic*> out;
  for (const auto& d : r.diagnostics)
    if (d.rule == rule)
      out.push_back(&d);
  return out;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string describe(const FileReport& r) {
  std::string out = fmt::format("{}: format {}, status {}", r.path, r.format, r.status);
  for (const auto& d : r.diagnostics)
    out += fmt::format("\n  [{}] {}", d.rule, d.message);
  return out;
}

int exit_code_of(const std::string& path) {
  std::string cmd = fmt::format("'{}' --quiet '{}' >/dev/null 2>&1", SHAPELINT_BINARY, path);
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// samples/ok/mnist_cnn.json's weights as tf.keras 2 saves them; `dense_in` is the Dense
/// kernel's input size (5408 = 13 * 13 * 32 fits the config).
std::vector<LegacyLayer> mnist_weights(hsize_t dense_in) {
  return {
      {"conv2d", {{"conv2d/kernel:0", {3, 3, 1, 32}}, {"conv2d/bias:0", {32}}}},
      {"max_pooling2d", {}},
      {"flatten", {}},
      {"dense", {{"dense/kernel:0", {dense_in, 128}}, {"dense/bias:0", {128}}}},
      {"dropout", {}},
      {"dense_1", {{"dense_1/kernel:0", {128, 10}}, {"dense_1/bias:0", {10}}}},
  };
}

/// samples/ok/lstm_text_classifier.json's weights in a Keras 3 archive; `dense_in` is the
/// Dense kernel's input size (32, lstm_1's units, fits). Groups are keyed by class.
std::vector<V3Layer> text_classifier_weights(hsize_t dense_in, bool named) {
  auto name = [named](const char* n) {
    return named ? std::optional<std::string>(n) : std::nullopt;
  };
  return {
      {"embedding", name("embedding"), {{"vars/0", {20000, 128}}}},
      {"lstm",
       name("lstm"),
       {{"cell/vars/0", {128, 256}}, {"cell/vars/1", {64, 256}}, {"cell/vars/2", {256}}}},
      {"lstm_1",
       name("lstm_1"),
       {{"cell/vars/0", {64, 128}}, {"cell/vars/1", {32, 128}}, {"cell/vars/2", {128}}}},
      {"dense", name("dense"), {{"vars/0", {dense_in, 1}}, {"vars/1", {1}}}},
      // Keras 3 stores a random layer's seed state too; it is no weight.
      {"dropout", name("dropout"), {{"seed_generator/vars/0", {2}}}},
  };
}

std::string keras_archive(const FixtureDir& dir,
                          const std::string& name,
                          const std::string& version,
                          const std::vector<V3Layer>& weights) {
  std::string weights_path = dir.path(name + ".weights.h5");
  write_v3_weights(weights_path, weights);
  std::string path = dir.path(name);
  write_zip(path,
            {{"metadata.json", fmt::format(R"({{"keras_version": "{}"}})", version)},
             {"config.json", sample("ok/lstm_text_classifier.json")},
             {"model.weights.h5", read_file(weights_path), false}});
  return path;
}

}  // namespace

TEST_CASE("a legacy .h5 whose weights fit its config has no weight finding") {
  FixtureDir dir;
  H5Model m;
  m.model_config = sample("ok/mnist_cnn.json");
  m.weights = mnist_weights(5408);
  write_h5(dir.path("model.h5"), m);
  FileReport report = lint_file(dir.path("model.h5"), {});
  INFO(describe(report));
  CHECK(report.status == "ok");
  CHECK(findings(report, rule::kRecordedWeightsMismatch).empty());
  CHECK(findings(report, rule::kRecordedWeightsUnreadable).empty());
}

TEST_CASE("a legacy .h5 whose Dense kernel does not fit its config is an error naming both") {
  FixtureDir dir;
  H5Model m;
  m.model_config = sample("ok/mnist_cnn.json");
  m.weights = mnist_weights(5000);
  write_h5(dir.path("model.h5"), m);
  FileReport report = lint_file(dir.path("model.h5"), {});
  INFO(describe(report));
  CHECK(report.status == "error");
  auto found = findings(report, rule::kRecordedWeightsMismatch);
  REQUIRE(found.size() == 1);
  const Diagnostic& d = *found[0];
  CHECK(d.severity == Severity::error);
  CHECK(d.layer == std::optional<std::string>("dense"));
  CHECK(contains(d.message, "'dense/kernel:0'"));
  CHECK(contains(d.message, "(5000, 128)"));
  CHECK(contains(d.message, "'kernel' with shape (5408, 128)"));
  CHECK(exit_code_of(dir.path("model.h5")) == 1);
}

TEST_CASE("a .keras archive's model.weights.h5 is compared layer by layer") {
  FixtureDir dir;

  struct Row {
    std::string name;
    std::string version;
    bool named;  ///< Keras >= 3.9 records the layer name on each `vars` group
    hsize_t dense_in;
    std::size_t expected_findings;
  };

  const std::array rows{
      Row{"Keras 3.10, fitting weights", "3.10.0", true, 32, 0},
      Row{"Keras 3.10, a Dense kernel for 64 inputs", "3.10.0", true, 64, 1},
      Row{"Keras 3.5 (groups matched by class), fitting weights", "3.5.0", false, 32, 0},
      Row{"Keras 3.5 (groups matched by class), a Dense kernel for 64 inputs",
          "3.5.0",
          false,
          64,
          1},
      // Keras 2.13-2.15 number their groups otherwise: not judged rather than guessed.
      Row{"Keras 2.13, a Dense kernel for 64 inputs", "2.13.1", false, 64, 0},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      std::string path = keras_archive(
          dir, "model.keras", row.version, text_classifier_weights(row.dense_in, row.named));
      FileReport report = lint_file(path, {});
      INFO(describe(report));
      auto found = findings(report, rule::kRecordedWeightsMismatch);
      CHECK(found.size() == row.expected_findings);
      CHECK(report.status == (row.expected_findings ? "error" : "ok"));
      if (!found.empty()) {
        CHECK(found[0]->layer == std::optional<std::string>("dense"));
        CHECK(contains(found[0]->message, "(64, 1)"));
        CHECK(contains(found[0]->message, "(32, 1)"));
      }
    }
  }
}

TEST_CASE("weights that cannot be read are a warning; the architecture is still checked") {
  FixtureDir dir;
  std::string path = dir.path("model.keras");
  write_zip(path,
            {{"metadata.json", R"({"keras_version": "3.10.0"})"},
             {"config.json", sample("ok/lstm_text_classifier.json")},
             {"model.weights.h5", "not an HDF5 file", false}});
  FileReport report = lint_file(path, {});
  INFO(describe(report));
  CHECK(report.status == "ok");
  CHECK(report.layers.size() == 5);
  auto found = findings(report, rule::kRecordedWeightsUnreadable);
  REQUIRE(found.size() == 1);
  CHECK(found[0]->severity == Severity::warning);
  CHECK(exit_code_of(path) == 0);
}

TEST_CASE("a custom layer's stored weights are not judged") {
  FixtureDir dir;
  // The mnist sample with its Dense renamed to a class shapelint has no rule for.
  std::string config = sample("ok/mnist_cnn.json");
  auto at = config.find("\"class_name\": \"Dense\"");
  REQUIRE(at != std::string::npos);
  config.replace(at, 21, "\"class_name\": \"MyDense\"");
  H5Model m;
  m.model_config = config;
  m.weights = mnist_weights(5000);
  write_h5(dir.path("model.h5"), m);
  FileReport report = lint_file(dir.path("model.h5"), {});
  INFO(describe(report));
  CHECK(findings(report, rule::kRecordedWeightsMismatch).empty());
}

TEST_CASE("a TensorFlow.js model.json's weightsManifest is compared as well") {
  struct Row {
    std::string name;
    std::string prefix;  ///< Keras 3 exports prefix the model's name
    int dense_in;
    std::size_t expected_findings;
  };

  const std::array rows{
      Row{"tf.keras 2 names, fitting weights", "", 5408, 0},
      Row{"tf.keras 2 names, a Dense kernel for 5000 inputs", "", 5000, 1},
      Row{"Keras 3 names, a Dense kernel for 5000 inputs", "mnist_cnn/", 5000, 1},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      auto weight = [&row](const char* name, std::vector<int> shape) {
        return nlohmann::json{{"name", row.prefix + name}, {"shape", shape}, {"dtype", "float32"}};
      };
      nlohmann::json doc{{"format", "layers-model"},
                         {"modelTopology",
                          {{"keras_version", "2.15.0"},
                           {"model_config", nlohmann::json::parse(sample("ok/mnist_cnn.json"))}}},
                         {"weightsManifest",
                          {{{"paths", {"group1-shard1of1.bin"}},
                            {"weights",
                             {weight("conv2d/kernel", {3, 3, 1, 32}),
                              weight("conv2d/bias", {32}),
                              weight("dense/kernel", {row.dense_in, 128}),
                              weight("dense/bias", {128}),
                              weight("dense_1/kernel", {128, 10}),
                              weight("dense_1/bias", {10})}}}}}};
      FileReport report = lint_text(doc.dump(), "model.json", {});
      INFO(describe(report));
      CHECK(report.format == "tfjs-layers");
      auto found = findings(report, rule::kRecordedWeightsMismatch);
      CHECK(found.size() == row.expected_findings);
      if (!found.empty()) {
        CHECK(found[0]->layer == std::optional<std::string>("dense"));
        CHECK(contains(found[0]->message, "(5000, 128)"));
      }
    }
  }
}
