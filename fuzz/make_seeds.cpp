// Writes small seed files for the container targets: for every model JSON given, a `.keras`
// archive (config.json, metadata.json, a Keras 3 model.weights.h5) and a legacy `.h5` (the
// model_config attribute, model_weights). Real archives are megabytes of float data; these are
// a few KiB, so the fuzzer spends its time on structure. Written at run time, never committed.
// Usage: make_seeds OUT_DIR MODEL.json...
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/fixtures.hpp"

namespace {

namespace fs = std::filesystem;
using namespace shapelint::test;

/// A few layer names from the config, for weight groups that look like a real model's.
std::vector<std::string> layer_names(const std::string& text) {
  std::vector<std::string> names;
  auto doc = nlohmann::json::parse(text, nullptr, false);
  const nlohmann::json* config =
      doc.is_object() && doc.contains("config") ? &doc["config"] : nullptr;
  if (config && config->is_object() && config->contains("layers") && (*config)["layers"].is_array())
    for (const auto& layer : (*config)["layers"]) {
      if (names.size() >= 4)
        break;
      if (layer.is_object() && layer.contains("config") && layer["config"].is_object() &&
          layer["config"].contains("name") && layer["config"]["name"].is_string())
        names.push_back(layer["config"]["name"].get<std::string>());
    }
  if (names.empty())
    names.push_back("dense");
  return names;
}

void write_seeds(const fs::path& out, const fs::path& model) {
  std::string config = read_file(model.string());
  std::vector<std::string> names = layer_names(config);
  std::string stem = model.stem().string();

  std::vector<V3Layer> v3;
  for (const auto& n : names)
    v3.push_back(V3Layer{n, n, {{"vars/0", {3, 4}}, {"vars/1", {4}}}});
  std::string weights_path = (out / (stem + ".weights.tmp")).string();
  write_v3_weights(weights_path, v3);
  std::string weights = read_file(weights_path);
  fs::remove(weights_path);
  write_zip((out / (stem + ".keras")).string(),
            {{"metadata.json", R"({"keras_version": "3.3.3", "date_saved": "2024-01-01"})"},
             {"config.json", config},
             {"model.weights.h5", weights}});

  H5Model h5;
  h5.model_config = config;
  for (const auto& n : names)
    h5.weights.push_back(LegacyLayer{n, {{n + "/kernel:0", {3, 4}}, {n + "/bias:0", {4}}}});
  write_h5((out / (stem + ".h5")).string(), h5);
  h5.kind = StringKind::fixed;
  h5.weights.clear();
  write_h5((out / (stem + ".fixed.h5")).string(), h5);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR MODEL.json...\n", argv[0]);
    return 2;
  }
  fs::path out = argv[1];
  fs::create_directories(out);
  for (int i = 2; i < argc; ++i) {
    try {
      write_seeds(out, argv[i]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "make_seeds: %s: %s\n", argv[i], e.what());
    }
  }
  return 0;
}
