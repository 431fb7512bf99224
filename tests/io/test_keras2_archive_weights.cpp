// The weights of a `.keras` archive written by tf.keras 2.13-2.15 against its config (SL112).
// Those archives keep the groups under `_layer_checkpoint_dependencies/` and number the layers
// with weights of a class in steps of two ("conv2d", "conv2d_2", "conv2d_4"), the others in
// steps of one ("re_lu", "re_lu_1"): read off real 2.13.1 archives with h5py (the corpus's
// style-transfer-k2131.keras: its 23 Conv2D groups are conv2d, conv2d_2, ... conv2d_44, each
// holding the kernel of the Conv2D at that place in the config; changing the shape of
// conv2d_4's kernel is reported on the third Conv2D, block_9_expand).
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "io/fixtures.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"

using namespace shapelint;
using namespace shapelint::test;

namespace {

std::vector<const Diagnostic*> mismatches(const FileReport& r) {
  std::vector<const Diagnostic*> out;
  for (const auto& d : r.diagnostics)
    if (d.rule == rule::kRecordedWeightsMismatch)
      out.push_back(&d);
  return out;
}

std::string describe(const FileReport& r) {
  std::string out = fmt::format("{}: format {}, status {}", r.path, r.format, r.status);
  for (const auto& d : r.diagnostics)
    out += fmt::format("\n  [{}] {}", d.rule, d.message);
  return out;
}

/// samples/ok/mnist_cnn.json (a Sequential: conv2d, max_pooling2d, flatten, dense, dropout,
/// dense_1) in a .keras archive of `version`, its weights under `root`.
std::string archive(const FixtureDir& dir,
                    const std::string& name,
                    const std::string& version,
                    const std::vector<V3Layer>& weights,
                    const std::string& root = "_layer_checkpoint_dependencies") {
  std::string weights_path = dir.path(name + ".weights.h5");
  write_v3_weights(weights_path, weights, root);
  std::string path = dir.path(name);
  write_zip(path,
            {{"metadata.json", fmt::format(R"({{"keras_version": "{}"}})", version)},
             {"config.json", sample("ok/mnist_cnn.json")},
             {"model.weights.h5", read_file(weights_path), false}});
  return path;
}

/// The groups tf.keras 2.13 writes for mnist_cnn: a Sequential's layers leave the InputLayer
/// out; the Conv2D and the two Dense layers have weights, the second Dense is "dense_2".
std::vector<V3Layer> mnist_groups(hsize_t dense_in, hsize_t dense_1_in, const char* second) {
  return {
      {"conv2d", std::nullopt, {{"vars/0", {3, 3, 1, 32}}, {"vars/1", {32}}}},
      {"max_pooling2d", std::nullopt, {}},
      {"flatten", std::nullopt, {}},
      {"dense", std::nullopt, {{"vars/0", {dense_in, 128}}, {"vars/1", {128}}}},
      {"dropout", std::nullopt, {}},
      {second, std::nullopt, {{"vars/0", {dense_1_in, 10}}, {"vars/1", {10}}}},
  };
}

}  // namespace

TEST_CASE("a tf.keras 2.13 archive whose weights fit its config has no weight finding") {
  FixtureDir dir;
  for (const char* version : {"2.13.1", "2.14.0", "2.15.0"}) {
    FileReport r =
        lint_file(archive(dir, "fits.keras", version, mnist_groups(5408, 128, "dense_2")), {});
    INFO(version << "\n" << describe(r));
    CHECK(r.status == "ok");
    CHECK(mismatches(r).empty());
    CHECK(r.keras_version == std::optional<std::string>(version));
  }
}

TEST_CASE("a tf.keras 2.13 archive whose Dense kernel does not fit is an error on that layer") {
  FixtureDir dir;
  FileReport r =
      lint_file(archive(dir, "bad.keras", "2.13.1", mnist_groups(5000, 128, "dense_2")), {});
  INFO(describe(r));
  auto found = mismatches(r);
  REQUIRE(found.size() == 1);
  CHECK(found[0]->layer == std::optional<std::string>("dense"));
  CHECK(found[0]->message.find("(5000, 128)") != std::string::npos);
  CHECK(found[0]->message.find("(5408, 128)") != std::string::npos);
}

TEST_CASE("the second Dense of a tf.keras 2.13 archive is group dense_2, not dense_1") {
  FixtureDir dir;
  FileReport r =
      lint_file(archive(dir, "second.keras", "2.13.1", mnist_groups(5408, 64, "dense_2")), {});
  INFO(describe(r));
  auto found = mismatches(r);
  REQUIRE(found.size() == 1);
  CHECK(found[0]->layer == std::optional<std::string>("dense_1"));
  CHECK(found[0]->message.find("(64, 10)") != std::string::npos);
}

TEST_CASE("groups a tf.keras 2.13 archive cannot have are not guessed at") {
  FixtureDir dir;
  // Keras 3's numbering ("dense_1") in a 2.13 archive: that group is no layer's, so nothing
  // is compared, even the wrong kernel.
  FileReport r =
      lint_file(archive(dir, "k3names.keras", "2.13.1", mnist_groups(5000, 128, "dense_1")), {});
  INFO(describe(r));
  CHECK(mismatches(r).empty());
  // The same groups under Keras 3's numbering in a Keras 3 archive are compared.
  FileReport k3 =
      lint_file(archive(dir, "k3.keras", "3.3.3", mnist_groups(5408, 64, "dense_1"), "layers"), {});
  INFO(describe(k3));
  REQUIRE(mismatches(k3).size() == 1);
  CHECK(mismatches(k3)[0]->layer == std::optional<std::string>("dense_1"));
}

TEST_CASE("the corpus's tf.keras 2.13.1 archive lints without a weight finding") {
  auto path = std::filesystem::path(SHAPELINT_SOURCE_DIR) / ".." / "shared" / "corpus" /
              "archives" / "AliElgamel9__FastNeuralStyleTransfer__style-transfer-k2131.keras";
  if (!std::filesystem::exists(path)) {
    WARN("../shared/corpus is absent: skipped");
    return;
  }
  FileReport r = lint_file(path.string(), {});
  INFO(describe(r));
  CHECK(r.keras_version == std::optional<std::string>("2.13.1"));
  CHECK(mismatches(r).empty());
  CHECK(r.status == "ok");
}
