// Every finding points where the user must look: the failing layer's object, or the very
// value a finding names (a bad config value, a dangling reference), also inside archives.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "io/fixtures.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"

using shapelint::Diagnostic;
using shapelint::FileReport;
using shapelint::lint_file;
using shapelint::lint_text;
namespace rule = shapelint::rule;

namespace {

/// Lines joined with '\n': line N of the text is `lines[N - 1]`, so the expected positions
/// below are read off the vectors.
std::string text_of(const std::vector<std::string>& lines) {
  return fmt::format("{}\n", fmt::join(lines, "\n"));
}

const Diagnostic& finding(const FileReport& report, std::string_view id) {
  auto it = std::find_if(report.diagnostics.begin(),
                         report.diagnostics.end(),
                         [&](const Diagnostic& d) { return d.rule == id; });
  INFO("no finding " << id << " among " << report.diagnostics.size());
  REQUIRE(it != report.diagnostics.end());
  return *it;
}

// A Sequential whose last Conv2D needs a larger input: SL103 on the layer `c2`.
const std::vector<std::string> kTooSmall{
    R"({"class_name": "Sequential", "config": {"name": "s", "layers": [)",                 // 1
    R"(  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 4, 1],)",  // 2
    R"(                                           "name": "in"}},)",                       // 3
    R"(  {"class_name": "Conv2D", "config": {"name": "c1", "filters": 2, "kernel_size": 3}},)",  // 4
    R"(     {"class_name": "Conv2D",)",                                    // 5
    R"(      "config": {"name": "c2", "filters": 2, "kernel_size": 3}})",  // 6
    R"(]}, "keras_version": "2.15.0", "backend": "tensorflow"})",          // 7
};

}  // namespace

TEST_CASE("a shape error points at the failing layer's object, not at its name") {
  FileReport report = lint_text(text_of(kTooSmall), "model.json", {});
  const Diagnostic& d = finding(report, rule::kNonPositiveDim);
  CHECK(d.layer == std::optional<std::string>("c2"));
  CHECK(d.json_path == "config.layers[2]");
  CHECK(d.line == 5);
  CHECK(d.column == 6);
}

TEST_CASE("a config value of the wrong type points at the value itself") {
  std::vector<std::string> lines{
      R"({"class_name": "Sequential", "config": {"name": "s", "layers": [)",                 // 1
      R"(  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 1],)",  // 2
      R"(                                           "name": "in"}},)",                       // 3
      R"(  {"class_name": "Conv2D", "config": {"name": "c", "filters": 2,)",                 // 4
      R"(                                       "kernel_size": "three"}})",                  // 5
      R"(]}, "keras_version": "2.15.0", "backend": "tensorflow"})",                          // 6
  };
  FileReport report = lint_text(text_of(lines), "model.json", {});
  const Diagnostic& d = finding(report, rule::kBadConfigValue);
  CHECK(d.json_path == "config.layers[1].config.kernel_size");
  CHECK(d.line == 5);
  CHECK(d.column == 55);
}

TEST_CASE("a reference to a missing layer points at the reference in inbound_nodes") {
  std::vector<std::string> lines{
      R"({"class_name": "Functional", "config": {"name": "f",)",                                // 1
      R"( "layers": [)",                                                                        // 2
      R"(  {"class_name": "InputLayer", "name": "in",)",                                        // 3
      R"(   "config": {"batch_input_shape": [null, 8], "name": "in"}, "inbound_nodes": []},)",  // 4
      R"(  {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2},)",         // 5
      R"(   "inbound_nodes": [[["in", 0, 0, {}]]]},)",                                          // 6
      R"(  {"class_name": "Dense", "name": "e", "config": {"name": "e", "units": 2},)",         // 7
      R"(   "inbound_nodes": [[["dd", 0, 0, {}]]]})",                                           // 8
      R"( ],)",                                                                                 // 9
      R"( "input_layers": [["in", 0, 0]], "output_layers": [["e", 0, 0]]},)",  // 10
      R"( "keras_version": "2.15.0", "backend": "tensorflow"})",               // 11
  };
  FileReport report = lint_text(text_of(lines), "model.json", {});
  const Diagnostic& d = finding(report, rule::kDanglingReference);
  CHECK(d.json_path == "config.layers[2].inbound_nodes[0][0]");
  CHECK(d.line == 8);
  CHECK(d.column == 23);
}

TEST_CASE("a TensorFlow.js model.json is located under modelTopology") {
  std::vector<std::string> lines{
      R"({"format": "layers-model", "generatedBy": "keras v2.15.0",)",                          // 1
      R"( "modelTopology": {"keras_version": "2.15.0", "backend": "tensorflow",)",              // 2
      R"(  "model_config": {"class_name": "Sequential", "config": {"name": "s", "layers": [)",  // 3
      R"(   {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 4, 1],)",    // 4
      R"(                                          "name": "in"}},)",                           // 5
      R"(   {"class_name": "Conv2D", "config": {"name": "c1", "filters": 2, "kernel_size": 3}},)",  // 6
      R"(   {"class_name": "Conv2D", "config": {"name": "c2", "filters": 2, "kernel_size": 3}})",  // 7
      R"(  ]}}},)",                  // 8
      R"( "weightsManifest": []})",  // 9
  };
  FileReport report = lint_text(text_of(lines), "model.json", {});
  const Diagnostic& d = finding(report, rule::kNonPositiveDim);
  CHECK(d.json_path == "modelTopology.model_config.config.layers[2]");
  CHECK(d.line == 7);
  CHECK(d.column == 4);
}

TEST_CASE("an error inside a nested model points at the inner layer's object") {
  std::vector<std::string> lines{
      R"({"class_name": "Sequential", "config": {"name": "outer", "layers": [)",             // 1
      R"(  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 4, 1],)",  // 2
      R"(                                           "name": "in"}},)",                       // 3
      R"(  {"class_name": "Sequential", "config": {"name": "inner", "layers": [)",           // 4
      R"(    {"class_name": "Conv2D", "config": {"name": "c1", "filters": 2, "kernel_size": 3}},)",  // 5
      R"(    {"class_name": "Conv2D", "config": {"name": "c2", "filters": 2, "kernel_size": 3}})",  // 6
      R"(  ]}})",                                                    // 7
      R"(]}, "keras_version": "2.15.0", "backend": "tensorflow"})",  // 8
  };
  FileReport report = lint_text(text_of(lines), "model.json", {});
  const Diagnostic& d = finding(report, rule::kNonPositiveDim);
  CHECK(d.layer == std::optional<std::string>("inner"));
  CHECK(d.line == 6);
  CHECK(d.column == 5);
}

TEST_CASE("a finding in a JSON file is located in the file's text, read again after parsing") {
  // Read (small), read into the huge-page arena (from 64 KiB), read then released and read
  // again (past 1 MiB), mapped then released and read again (past 4 MiB): trailing
  // whitespace makes the file larger without moving the finding.
  for (std::size_t padding :
       {std::size_t{0}, std::size_t{100} << 10, std::size_t{2} << 20, std::size_t{5} << 20}) {
    INFO("padding: " << padding);
    shapelint::test::FixtureDir dir;
    std::string path = dir.path("model.json");
    shapelint::test::write_file(path, text_of(kTooSmall) + std::string(padding, ' ') + "\n");
    FileReport report = lint_file(path, {});
    const Diagnostic& d = finding(report, rule::kNonPositiveDim);
    CHECK(d.json_path == "config.layers[2]");
    CHECK(d.line == 5);
    CHECK(d.column == 6);
  }
}

TEST_CASE("a float in a file reads right whether its text is kept or its floats copied") {
  // The document reads floats from the text, which a large file keeps when its floats are a
  // quarter of it or more (a weight matrix inside) and frees otherwise, after the document
  // copied its floats' texts. The Dropout's rate, 1.75, must be read back either way: by
  // the message that quotes it, and by the layer and line of its finding.
  auto model = [](const std::string& weights, std::size_t padding) {
    return text_of({
        R"({"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [)",
        R"(  {"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "in"}},)",
        std::string(R"(  {"class_name": "Dense", "config": {"name": "d", "units": 2, )") +
            R"("bias_initializer": {"class_name": "Constant", "config": {"value": [)" + weights +
            "]}}}},",
        R"(  {"class_name": "Dropout", "config": {"name": "drop", "rate": 1.75, "pad": ")" +
            std::string(padding, 'x') + R"("}}]},)",
        R"( "keras_version": "3.3.3", "backend": "tensorflow"})",
    });
  };
  std::string weight_row;
  for (int i = 0; i < 20000; ++i)  // about 440 KB
    weight_row += fmt::format("{}-0.0{}", i ? ", " : "", 4567891359329224 + i);

  struct Case {
    const char* what;
    int weight_rows;
    std::size_t padding;
  };

  for (Case c : {Case{"small, kept", 1, 0},
                 Case{"2 MB of floats, kept", 5, 0},
                 Case{"6 MB of floats, read into the huge-page arena and kept", 14, 0},
                 Case{"10 MB of floats, mapped and kept", 24, 0},
                 Case{"2 MB of padding, floats copied", 0, std::size_t{2} << 20},
                 Case{"6 MB of padding, mapped, floats copied", 0, std::size_t{6} << 20}}) {
    INFO(c.what);
    std::string weights;
    for (int row = 0; row < c.weight_rows; ++row)
      weights += (row ? ", " : "") + weight_row;
    shapelint::test::FixtureDir dir;
    std::string path = dir.path("model.json");
    shapelint::test::write_file(path, model(weights, c.padding));
    FileReport report = lint_file(path, {});
    const Diagnostic& d = finding(report, rule::kInvalidArgument);
    CHECK(d.message.find("Received: rate=1.75") != std::string::npos);
    CHECK(d.layer == std::optional<std::string>("drop"));
    CHECK(d.line == 4);
  }
}

TEST_CASE("a finding in a .keras archive counts lines inside its config.json member") {
  shapelint::test::FixtureDir dir;
  std::string path = dir.path("model.keras");
  shapelint::test::write_zip(
      path,
      {{"metadata.json", R"({"keras_version": "2.15.0", "date_saved": "2024-01-01@00:00:00"})"},
       {"config.json", text_of(kTooSmall)}});
  FileReport report = lint_file(path, {});
  CHECK(report.member == std::optional<std::string>("config.json"));
  CHECK(shapelint::location_path(report) == path + "!config.json");
  const Diagnostic& d = finding(report, rule::kNonPositiveDim);
  CHECK(d.line == 5);
  CHECK(d.column == 6);
}

TEST_CASE("a finding in a legacy .h5 model counts lines inside its model_config attribute") {
  shapelint::test::FixtureDir dir;
  std::string path = dir.path("model.h5");
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(file >= 0);
  shapelint::test::write_string_attr(file, "keras_version", "2.15.0");
  shapelint::test::write_string_attr(file, "backend", "tensorflow");
  shapelint::test::write_string_attr(file, "model_config", text_of(kTooSmall));
  H5Fclose(file);
  FileReport report = lint_file(path, {});
  REQUIRE(report.format == "hdf5");
  const Diagnostic& d = finding(report, rule::kNonPositiveDim);
  CHECK(d.line == 5);
  CHECK(d.column == 6);
}

TEST_CASE("invalid JSON keeps the parser's own position") {
  FileReport report =
      lint_text("{\n  \"class_name\": \"Sequential\",\n  \"config\": {,}\n}\n", "model.json", {});
  const Diagnostic& d = finding(report, rule::kInvalidJson);
  CHECK(d.line == 3);
  CHECK(d.column > 0);
}
