// Conformance over ../shared/corpus: every file gets the format, status, output shapes and
// parameter counts that real Keras (and the tfjs reference) gave. Skipped, with a message,
// when ../shared is not beside the checkout.
#include <filesystem>
#include <fstream>
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/lint/lint.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path corpus_dir() {
  return fs::path(SHAPELINT_SOURCE_DIR) / ".." / "shared" / "corpus";
}

json shapes_as_json(const shapelint::Shapes& shapes) {
  json out = json::array();
  for (const auto& s : shapes) {
    if (!s.has_rank()) {
      out.push_back(nullptr);
      continue;
    }
    json dims = json::array();
    for (auto d : s.dims())
      dims.push_back(d.is_known() ? json(d.value()) : json());
    out.push_back(dims);
  }
  return out;
}

/// Compares one file; returns the list of disagreements.
std::vector<std::string> check_file(const json& expected, const shapelint::FileReport& got) {
  std::vector<std::string> problems;
  if (got.format != expected["format"])
    problems.push_back(fmt::format(
        "format: got {}, expected {}", got.format, expected["format"].get<std::string>()));
  // Archives record it in metadata.json or the HDF5 attributes. (For bare JSON the expected
  // files sometimes say where a version came from, beside the file: not compared.)
  json version = got.keras_version ? json(*got.keras_version) : json();
  bool archive = expected["file"].get<std::string>().rfind("archives/", 0) == 0;
  if (archive && version != expected["keras_version"])
    problems.push_back(fmt::format(
        "keras_version: got {}, expected {}", version.dump(), expected["keras_version"].dump()));
  std::string status = expected["status"];
  if (status == "unknown") {
    if (got.status == "invalid")
      problems.push_back("status: got invalid for a readable model");
    return problems;
  }
  if (got.status != status)
    problems.push_back(fmt::format("status: got {}, expected {}", got.status, status));
  std::size_t position = 0;
  for (const auto& layer : expected["layers"]) {
    const shapelint::LayerRow* row = nullptr;
    if (layer["name"].is_null()) {
      if (position < got.layers.size())
        row = &got.layers[position];
    } else {
      for (const auto& r : got.layers)
        if (r.name == layer["name"].get<std::string>())
          row = &r;
    }
    ++position;
    std::string name =
        layer["name"].is_null() ? "#" + std::to_string(position) : layer["name"].get<std::string>();
    if (!row) {
      problems.push_back(fmt::format("layer {}: missing from the report", name));
      continue;
    }
    if (!layer["output_shapes"].is_null()) {
      json shapes = shapes_as_json(row->output_shapes);
      if (shapes != layer["output_shapes"])
        problems.push_back(fmt::format("layer {} ({}): output {} expected {}",
                                       name,
                                       row->class_name,
                                       shapes.dump(),
                                       layer["output_shapes"].dump()));
    }
    if (!layer["params"].is_null()) {
      if (!row->params || *row->params != layer["params"].get<std::int64_t>())
        problems.push_back(fmt::format("layer {} ({}): params {} expected {}",
                                       name,
                                       row->class_name,
                                       row->params ? std::to_string(*row->params) : "?",
                                       layer["params"].dump()));
    }
  }
  return problems;
}

}  // namespace

TEST_CASE("every corpus file is read as real Keras reads it") {
  fs::path corpus = corpus_dir();
  if (!fs::exists(corpus / "MANIFEST.tsv")) {
    WARN("skipped: ../shared/corpus is not beside the checkout (" << corpus.string() << ")");
    return;
  }
  std::size_t checked = 0, agreed = 0, archives = 0;
  // Corpus files without an expected file are failures too (expected/README.md).
  std::set<std::string> unexpected;
  for (const auto& dir : fs::directory_iterator(corpus)) {
    if (!dir.is_directory() || dir.path().filename() == "expected")
      continue;
    for (const auto& file : fs::directory_iterator(dir.path()))
      if (file.is_regular_file())
        unexpected.insert(dir.path().filename().string() + "/" + file.path().filename().string());
  }
  std::vector<std::string> failures;
  for (const auto& entry : fs::directory_iterator(corpus / "expected")) {
    std::string fname = entry.path().filename().string();
    const std::string suffix = ".expected.json";
    if (fname.size() <= suffix.size() || fname.substr(fname.size() - suffix.size()) != suffix)
      continue;
    std::ifstream in(entry.path());
    json expected = json::parse(in);
    std::string relative = expected["file"];
    unexpected.erase(relative);
    fs::path model = corpus / relative;
    if (!fs::exists(model)) {
      failures.push_back(fmt::format("{}: expected file without a corpus file", relative));
      continue;
    }
    ++checked;
    if (relative.rfind("archives/", 0) == 0)
      ++archives;
    auto report = shapelint::lint_file(model.string(), {});
    auto problems = check_file(expected, report);
    if (problems.empty()) {
      ++agreed;
      continue;
    }
    std::string text = relative;
    for (std::size_t i = 0; i < problems.size() && i < 6; ++i)
      text += "\n    " + problems[i];
    if (problems.size() > 6)
      text += fmt::format("\n    ... {} more", problems.size() - 6);
    failures.push_back(text);
  }
  INFO(fmt::format(
      "{} of {} corpus files agree ({} .keras/.h5 among them)", agreed, checked, archives));
  CHECK(checked > 0);
  CHECK(archives > 0);
  for (const auto& f : unexpected)
    failures.push_back(fmt::format("{}: corpus file without an expected file", f));
  for (const auto& f : failures)
    FAIL_CHECK(f);
}
