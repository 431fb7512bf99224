// Reading `.keras` archives and legacy `.h5` models: the format comes from the content, the
// config and Keras version from the container, and every broken or hostile file is a finding
// (exit 2), never a crash. Fixtures are built here from samples/ (tests/io/fixtures.hpp).
#include <array>
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "io/fixtures.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/io/model_file.hpp"
#include "shapelint/lint/lint.hpp"
#include "support/run_command.hpp"
#include <sys/wait.h>

using namespace shapelint;
using namespace shapelint::test;

namespace {

const Diagnostic* find(const FileReport& r, std::string_view rule) {
  for (const auto& d : r.diagnostics)
    if (d.rule == rule)
      return &d;
  return nullptr;
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

/// The exit code of the real binary on `path`.
int exit_code_of(const std::string& path) {
  std::string cmd = fmt::format("'{}' --quiet '{}' >/dev/null 2>&1", SHAPELINT_BINARY, path);
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The layers' names, output shapes and params, to compare a container with its bare JSON.
std::vector<std::string> layer_summary(const FileReport& r) {
  std::vector<std::string> out;
  for (const auto& row : r.layers) {
    std::string shapes;
    for (const auto& s : row.output_shapes)
      shapes += to_string(s);
    out.push_back(
        fmt::format("{} {} {}", row.name, shapes, row.params ? std::to_string(*row.params) : "?"));
  }
  return out;
}

std::string keras_metadata(const std::string& version) {
  return fmt::format(R"({{"keras_version": "{}", "date_saved": "2024-01-01@00:00:00"}})", version);
}

}  // namespace

TEST_CASE("a .keras archive is read from its config.json, with the version of metadata.json") {
  FixtureDir dir;

  struct Row {
    std::string name;
    std::string sample;
    std::string expected_status;
    bool deflate;
  };

  const std::array rows{
      Row{"a Keras 3 model, deflated", "ok/lstm_text_classifier.json", "ok", true},
      Row{"a Keras 3 model, stored", "ok/multi_input_functional.json", "ok", false},
      Row{"a tf.keras 2.13 model", "ok/window_classifier.json", "ok", true},
      Row{"a model with a shape error", "bad/valid_chain_too_deep.json", "error", true},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      std::string config = sample(row.sample);
      std::string path = dir.path("model.keras");
      write_zip(path,
                {{"metadata.json", keras_metadata("3.5.0"), row.deflate},
                 {"config.json", config, row.deflate}});
      FileReport report = lint_file(path, {});
      FileReport bare = lint_text(config, "config.json", {});
      INFO(describe(report));
      CHECK(report.format == "keras-archive");
      CHECK(report.status == row.expected_status);
      CHECK(report.keras_version == std::optional<std::string>("3.5.0"));
      CHECK(layer_summary(report) == layer_summary(bare));
      CHECK(report.diagnostics.size() == bare.diagnostics.size());
      CHECK(exit_code_of(path) == (row.expected_status == "ok" ? 0 : 1));
    }
  }
}

TEST_CASE("a legacy .h5 model is read from its model_config attribute, however it is stored") {
  FixtureDir dir;

  struct Row {
    std::string name;
    std::string sample;
    StringKind kind;
    std::string expected_status;
  };

  const std::array rows{
      Row{"variable-length str (tf.keras 2)", "ok/mnist_cnn.json", StringKind::variable, "ok"},
      Row{"fixed-length bytes (Keras 2 .encode())", "ok/mnist_cnn.json", StringKind::fixed, "ok"},
      Row{"a Keras 3 config (Keras 3's legacy writer)",
          "ok/lstm_text_classifier.json",
          StringKind::variable,
          "ok"},
      Row{"a shape error", "bad/residual_shortcut_mismatch.json", StringKind::fixed, "error"},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      std::string config = sample(row.sample);
      std::string path = dir.path("model.h5");
      H5Model m;
      m.model_config = config;
      m.kind = row.kind;
      m.keras_version = "2.15.0";
      write_h5(path, m);
      FileReport report = lint_file(path, {});
      FileReport bare = lint_text(config, "model.json", {});
      INFO(describe(report));
      CHECK(report.format == "hdf5");
      CHECK(report.status == row.expected_status);
      CHECK(report.keras_version == std::optional<std::string>("2.15.0"));
      CHECK(layer_summary(report) == layer_summary(bare));
      CHECK(exit_code_of(path) == (row.expected_status == "ok" ? 0 : 1));
    }
  }
}

TEST_CASE("the format comes from the content, not the file name") {
  FixtureDir dir;
  std::string config = sample("ok/mnist_cnn.json");
  SECTION("an HDF5 file named .keras is hdf5") {
    std::string path = dir.path("model.keras");
    H5Model m;
    m.model_config = config;
    write_h5(path, m);
    FileReport report = lint_file(path, {});
    INFO(describe(report));
    CHECK(report.format == "hdf5");
    CHECK(report.status == "ok");
  }
  SECTION("a zip named .h5 is a keras-archive") {
    std::string path = dir.path("model.h5");
    write_zip(path, {{"config.json", config}, {"metadata.json", keras_metadata("2.15.0")}});
    FileReport report = lint_file(path, {});
    INFO(describe(report));
    CHECK(report.format == "keras-archive");
    CHECK(report.status == "ok");
  }
  SECTION("JSON named .h5 is JSON") {
    std::string path = dir.path("model.h5");
    write_file(path, config);
    FileReport report = lint_file(path, {});
    INFO(describe(report));
    CHECK(report.format == "keras2-json");
    CHECK(report.status == "ok");
  }
  SECTION("standard input holding an archive or an HDF5 file") {
    std::string zip_path = dir.path("a.keras"), h5_path = dir.path("b.h5");
    write_zip(zip_path, {{"config.json", config}});
    H5Model m;
    m.model_config = config;
    write_h5(h5_path, m);
    FileReport from_zip = lint_text(read_file(zip_path), "-", {});
    FileReport from_h5 = lint_text(read_file(h5_path), "-", {});
    INFO(describe(from_zip) << "\n" << describe(from_h5));
    CHECK(from_zip.format == "keras-archive");
    CHECK(from_zip.status == "ok");
    CHECK(from_h5.format == "hdf5");
    CHECK(from_h5.status == "ok");
    CHECK(layer_summary(from_zip) == layer_summary(from_h5));
  }
}

TEST_CASE("files that hold no model config say what they are instead") {
  FixtureDir dir;

  struct Row {
    std::string name;
    std::string file;
    std::string_view rule;
    std::string message_part;
    std::string format;
  };

  std::string config = sample("ok/mnist_cnn.json");

  H5Model weights_only;
  weights_only.weights_at_root = true;
  weights_only.weights = {{"dense", {{"dense/kernel:0", {4, 2}}, {"dense/bias:0", {2}}}}};
  write_h5(dir.path("weights.h5"), weights_only);

  H5Model no_config;
  write_h5(dir.path("empty.h5"), no_config);

  write_file(dir.path("lfs.h5"),
             "version https://git-lfs.github.com/spec/v1\n"
             "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
             "size 1765464\n");
  write_zip(dir.path("docs.zip"), {{"readme.txt", "not a model"}});
  write_zip(dir.path("no-config.keras"),
            {{"metadata.json", keras_metadata("3.5.0")}, {"model.weights.h5", "x"}});
  write_file(dir.path("image.h5"), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));

  const std::array rows{
      Row{"a weights-only .h5 (save_weights)",
          "weights.h5",
          rule::kNotAModel,
          "holds only weights",
          "hdf5"},
      Row{"an HDF5 file without model_config",
          "empty.h5",
          rule::kNotAModel,
          "no model_config",
          "hdf5"},
      Row{"a Git LFS pointer named .h5", "lfs.h5", rule::kUnreadable, "Git LFS pointer", "unknown"},
      Row{"a zip that is not a Keras archive",
          "docs.zip",
          rule::kNotAModel,
          "no config.json",
          "unknown"},
      Row{"a .keras archive without config.json",
          "no-config.keras",
          rule::kNotAModel,
          "no config.json",
          "keras-archive"},
      Row{"a binary file that is neither zip nor HDF5",
          "image.h5",
          rule::kNotAModel,
          "neither JSON",
          "unknown"},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      FileReport report = lint_file(dir.path(row.file), {});
      INFO(describe(report));
      CHECK(report.status == "invalid");
      CHECK(report.format == row.format);
      const Diagnostic* d = find(report, row.rule);
      REQUIRE(d != nullptr);
      CHECK(contains(d->message, row.message_part));
      CHECK(exit_code_of(dir.path(row.file)) == 2);
    }
  }
}

TEST_CASE("damaged and hostile containers are unreadable files, not crashes") {
  FixtureDir dir;
  std::string config = sample("ok/mnist_cnn.json");

  struct Row {
    std::string name;
    std::string file;
    std::string_view rule;
    std::string message_part;
  };

  H5Model good;
  good.model_config = config;
  write_h5(dir.path("good.h5"), good);
  std::string h5 = read_file(dir.path("good.h5"));
  write_file(dir.path("truncated.h5"), h5.substr(0, h5.size() / 2));
  write_file(dir.path("header-only.h5"), h5.substr(0, 8));
  std::string scrambled = h5;
  for (std::size_t i = 8; i < scrambled.size(); i += 7)
    scrambled[i] = static_cast<char>(scrambled[i] ^ 0x5A);
  write_file(dir.path("scrambled.h5"), scrambled);

  {
    hid_t file =
        H5Fcreate(dir.path("int-config.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    write_int_attr(file, "model_config", 42);
    H5Fclose(file);
  }

  write_zip(dir.path("good.keras"),
            {{"config.json", config}, {"metadata.json", keras_metadata("3.5.0")}});
  std::string zip = read_file(dir.path("good.keras"));
  write_file(dir.path("truncated.keras"), zip.substr(0, zip.size() / 2));

  // A member declaring 3.75 GiB: refused from the central directory, nothing inflated.
  std::string huge = zip;
  patch_declared_size(huge, "config.json", 0xF0000000u);
  write_file(dir.path("huge-member.keras"), huge);

  // A real bomb over the size limit: 136 MiB of spaces deflate to about 135 KiB.
  std::string bomb_member(136u << 20, ' ');
  write_zip(dir.path("bomb.keras"), {{"config.json", bomb_member}});
  bomb_member.clear();
  bomb_member.shrink_to_fit();

  // A member that declares less than it inflates to: caught while inflating.
  std::string padded = config + std::string(4u << 20, ' ');
  write_zip(dir.path("lying.keras"), {{"config.json", padded}});
  std::string lying = read_file(dir.path("lying.keras"));
  patch_declared_size(lying, "config.json", 1000);
  write_file(dir.path("lying.keras"), lying);

  write_zip(dir.path("deep.keras"),
            {{"config.json", std::string(2000, '[') + std::string(2000, ']')}});

  write_zip(dir.path("not-json.keras"),
            {{"config.json", "{\"class_name\": \"Sequential\", \"config\": {"},
             {"metadata.json", keras_metadata("3.5.0")}});

  const std::array rows{
      Row{"a truncated .h5", "truncated.h5", rule::kUnreadable, "cannot read this HDF5 file"},
      Row{"an .h5 cut after its signature",
          "header-only.h5",
          rule::kUnreadable,
          "cannot read this HDF5 file"},
      Row{"an .h5 with scrambled structure", "scrambled.h5", rule::kUnreadable, "HDF5"},
      Row{"an .h5 whose model_config is a number",
          "int-config.h5",
          rule::kUnreadable,
          "not a string"},
      Row{"a truncated .keras",
          "truncated.keras",
          rule::kUnreadable,
          "cannot read this zip archive: its central directory"},
      Row{"a .keras member declaring 3.75 GiB",
          "huge-member.keras",
          rule::kUnreadable,
          "more than the 128.0 MiB allowed"},
      Row{"a zip bomb", "bomb.keras", rule::kUnreadable, "more than the 128.0 MiB allowed"},
      Row{"a member inflating past its declared size",
          "lying.keras",
          rule::kUnreadable,
          "config.json"},
      Row{"a .keras whose config.json nests 2000 levels deep",
          "deep.keras",
          rule::kInvalidJson,
          "nested more than"},
      Row{"a .keras whose config.json is not JSON",
          "not-json.keras",
          rule::kInvalidJson,
          "config.json is not valid JSON"},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      FileReport report = lint_file(dir.path(row.file), {});
      INFO(describe(report));
      CHECK(report.status == "invalid");
      const Diagnostic* d = find(report, row.rule);
      REQUIRE(d != nullptr);
      CHECK(contains(d->message, row.message_part));
      CHECK(exit_code_of(dir.path(row.file)) == 2);
    }
  }
}

TEST_CASE("a zip bomb under the size limit is refused by its compression ratio") {
  FixtureDir dir;
  // 8 MiB of spaces, under the 128 MiB config limit, deflates about 1000:1.
  write_zip(dir.path("bomb.keras"), {{"config.json", std::string(8u << 20, ' ')}});
  FileReport report = lint_file(dir.path("bomb.keras"), {});
  INFO(describe(report));
  const Diagnostic* d = find(report, rule::kUnreadable);
  REQUIRE(d != nullptr);
  CHECK(contains(d->message, "zip bomb"));
}

TEST_CASE("an HDF5 reader that overruns its time limit is stopped and reported") {
  FixtureDir dir;
  H5Model m;
  m.model_config = sample("ok/mnist_cnn.json");
  write_h5(dir.path("model.h5"), m);
  io::ReadLimits limits;
  limits.hdf5_timeout = std::chrono::milliseconds(0);
  io::ModelFile file = io::read_model_path(dir.path("model.h5"), io::Container::hdf5, limits);
  REQUIRE(file.diagnostics.size() == 1);
  CHECK(file.diagnostics[0].rule == rule::kUnreadable);
  CHECK(contains(file.diagnostics[0].message, "did not finish"));
  CHECK_FALSE(file.config_text);
}

TEST_CASE("weights of models nested past the old 16-group depth are read") {
  // Keras 3 writes a nested model's weights two groups deeper per level
  // (`layers/<model>/layers/<layer>/vars/0`): 12 nested models are 24 groups below the top
  // layer's, well within what max-model-depth may allow.
  FixtureDir dir;
  std::string nested_path;
  for (int i = 0; i < 12; ++i)
    nested_path += fmt::format("layers/m{}/", i);
  std::string weights_path = dir.path("model.weights.h5");
  write_v3_weights(weights_path, {{"outer", std::nullopt, {{nested_path + "vars/0", {4, 2}}}}});
  write_zip(dir.path("nested.keras"),
            {{"config.json", sample("ok/mnist_cnn.json")},
             {"model.weights.h5", read_file(weights_path), false}});
  io::ModelFile file = io::read_model_path(dir.path("nested.keras"), io::Container::zip);
  INFO(file.weights_problem);
  CHECK(file.weights_problem.empty());
  REQUIRE(file.weights);
  REQUIRE(file.weights->size() == 1);
  CHECK(file.weights->front().weight == nested_path + "vars/0");
}

TEST_CASE("sniffing tells zip, HDF5 and text apart from the first bytes") {
  CHECK(io::sniff_container(std::string_view("PK\x03\x04rest", 8)) == io::Container::zip);
  CHECK(io::sniff_container(std::string_view("PK\x05\x06", 4)) == io::Container::zip);
  CHECK(io::sniff_container(std::string_view("\x89HDF\r\n\x1a\n", 8)) == io::Container::hdf5);
  std::string user_block(512, '\0');
  user_block += std::string("\x89HDF\r\n\x1a\n", 8);
  CHECK(io::sniff_container(user_block) == io::Container::hdf5);
  CHECK(io::sniff_container("{\"class_name\": \"Sequential\"}") == io::Container::text);
  CHECK(io::sniff_container("") == io::Container::text);
  CHECK(io::sniff_container("PK") == io::Container::text);
}

TEST_CASE("a directory lints the archives and .h5 models in it and passes over weights files") {
  FixtureDir dir;
  std::string config = sample("ok/mnist_cnn.json");
  write_zip(dir.path("a.keras"), {{"config.json", config}});
  H5Model model;
  model.model_config = config;
  write_h5(dir.path("b.h5"), model);
  H5Model weights;
  weights.weights_at_root = true;
  weights.weights = {{"dense", {{"dense/kernel:0", {4, 2}}}}};
  write_h5(dir.path("c.weights.h5"), weights);
  std::string dir_path = dir.path("");
  std::string cmd =
      fmt::format("'{}' --format compact '{}' 2>&1; echo \"exit=$?\"", SHAPELINT_BINARY, dir_path);
  std::string out = shapelint::test::run_command(cmd).out;
  INFO(out);
  CHECK(contains(out, "exit=0"));
  CHECK_FALSE(contains(out, "c.weights.h5"));
}

TEST_CASE("without its HDF5 reader module an .h5 file is unreadable, and JSON still lints") {
  // shapelint loads the HDF5 library as a module on the first .h5 file; where the module is
  // missing, that file says so and the others are linted as usual.
  FixtureDir dir;
  std::string config = sample("ok/mnist_cnn.json");
  H5Model model;
  model.model_config = config;
  write_h5(dir.path("model.h5"), model);
  write_file(dir.path("model.json"), config);
  std::string cmd = fmt::format(
      "SHAPELINT_HDF5_READER=/nonexistent/shapelint-hdf5.so '{}' --format compact '{}' '{}' "
      "2>&1; echo \"exit=$?\"",
      SHAPELINT_BINARY,
      dir.path("model.h5"),
      dir.path("model.json"));
  std::string out = shapelint::test::run_command(cmd).out;
  INFO(out);
  CHECK(contains(out, "exit=2"));
  CHECK(contains(out, "model.h5:1:1: error: cannot read this HDF5 file: shapelint's HDF5 reader"));
  CHECK(contains(out, "/nonexistent/shapelint-hdf5.so"));
  CHECK_FALSE(contains(out, "model.json:"));  // linted, clean
  // With the module found (beside the program), the same file is read.
  CHECK(exit_code_of(dir.path("model.h5")) == 0);
}

TEST_CASE("randomly damaged .h5 and .keras files never take the run down") {
  FixtureDir dir;
  std::string config = sample("ok/resnet_block.json");
  H5Model m;
  m.model_config = config;
  m.weights = {{"conv", {{"conv/kernel:0", {3, 3, 3, 16}}, {"conv/bias:0", {16}}}}};
  write_h5(dir.path("base.h5"), m);
  write_zip(dir.path("base.keras"),
            {{"metadata.json", keras_metadata("3.10.0")},
             {"config.json", config},
             {"model.weights.h5", read_file(dir.path("base.h5")), false}});
  // A fixed linear congruential generator: the same damage on every run.
  std::uint64_t state = 0x5EED;
  auto next = [&state](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state >> 33) % bound);
  };
  for (const std::string base : {"base.h5", "base.keras"}) {
    std::string original = read_file(dir.path(base));
    for (int k = 0; k < 40; ++k) {
      std::string damaged = original;
      if (k % 2 == 0) {
        // Overwrite a few bytes, mostly in the first 4 KiB, where the structure is.
        for (std::size_t n = 1 + next(16); n > 0; --n)
          damaged[next(std::min<std::size_t>(damaged.size(), k % 4 == 0 ? 4096 : damaged.size()))] =
              static_cast<char>(next(256));
      } else {
        damaged.resize(8 + next(damaged.size() - 8));
      }
      std::string path = dir.path(fmt::format("damaged-{}-{}", k, base));
      write_file(path, damaged);
      FileReport report = lint_file(path, {});
      INFO(path << "\n" << describe(report));
      CHECK((report.status == "ok" || report.status == "error" || report.status == "invalid"));
    }
  }
}
