#pragma once
// Builds tf.keras 2 Functional model configs in tests, so well-known architectures are
// generated from a compact description instead of being copied into the repository.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace shapelint::test {

class ModelBuilder {
 public:
  explicit ModelBuilder(std::string name) : name_(std::move(name)) {}

  /// An input of `shape` (batch excluded; nullopt for None).
  std::string input(const std::vector<std::optional<std::int64_t>>& shape,
                    std::string name = "input",
                    std::string dtype = "float32") {
    nlohmann::json batch_shape = nlohmann::json::array({nullptr});
    for (auto d : shape)
      batch_shape.push_back(d ? nlohmann::json(*d) : nlohmann::json(nullptr));
    nlohmann::json config{{"name", name}, {"batch_input_shape", batch_shape}, {"dtype", dtype}};
    layers_.push_back({{"class_name", "InputLayer"},
                       {"name", name},
                       {"config", config},
                       {"inbound_nodes", nlohmann::json::array()}});
    inputs_.push_back(name);
    return name;
  }

  /// A layer of `keras_class` called on `inputs`; named by config["name"], else
  /// "<class>_<n>". `kwargs` are tensors passed by keyword (MultiHeadAttention's value).
  std::string add(const std::string& keras_class,
                  nlohmann::json config,
                  const std::vector<std::string>& inputs,
                  const std::map<std::string, std::string>& kwargs = {}) {
    if (!config.contains("name"))
      config["name"] = keras_class + "_" + std::to_string(++counter_[keras_class]);
    std::string name = config["name"];
    nlohmann::json node = nlohmann::json::array();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      nlohmann::json call_kwargs = nlohmann::json::object();
      if (i == 0)
        for (const auto& [k, tensor] : kwargs)
          call_kwargs[k] = nlohmann::json::array({tensor, 0, 0});
      node.push_back(nlohmann::json::array({inputs[i], 0, 0, call_kwargs}));
    }
    layers_.push_back({{"class_name", keras_class},
                       {"name", name},
                       {"config", config},
                       {"inbound_nodes", nlohmann::json::array({node})}});
    return name;
  }

  std::string add(const std::string& keras_class, nlohmann::json config, const std::string& input) {
    return add(keras_class, std::move(config), std::vector<std::string>{input});
  }

  void output(const std::string& name) { outputs_.push_back(name); }

  std::string json_text() const {
    auto refs = [](const std::vector<std::string>& names) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& n : names)
        out.push_back(nlohmann::json::array({n, 0, 0}));
      return out;
    };
    nlohmann::json model{{"class_name", "Functional"},
                         {"config",
                          {{"name", name_},
                           {"layers", layers_},
                           {"input_layers", refs(inputs_)},
                           {"output_layers", refs(outputs_)}}},
                         {"keras_version", "2.15.0"},
                         {"backend", "tensorflow"}};
    return model.dump(1);
  }

 private:
  std::string name_;
  nlohmann::json layers_ = nlohmann::json::array();
  std::vector<std::string> inputs_;
  std::vector<std::string> outputs_;
  std::map<std::string, int> counter_;
};

/// A Sequential model config of `layers` (each a `{"class_name", "config"}` object) after an
/// InputLayer of `batch_shape` (batch included).
inline std::string sequential(const nlohmann::json& batch_shape,
                              const std::vector<nlohmann::json>& layers,
                              const std::string& dtype = "float32") {
  nlohmann::json all = nlohmann::json::array();
  all.push_back(
      {{"class_name", "InputLayer"},
       {"config", {{"name", "input"}, {"batch_input_shape", batch_shape}, {"dtype", dtype}}}});
  for (const auto& l : layers)
    all.push_back(l);
  nlohmann::json model{{"class_name", "Sequential"},
                       {"config", {{"name", "model"}, {"layers", all}}},
                       {"keras_version", "2.15.0"},
                       {"backend", "tensorflow"}};
  return model.dump(1);
}

inline nlohmann::json layer(const std::string& keras_class, nlohmann::json config) {
  if (!config.contains("name"))
    config["name"] = "layer";
  return {{"class_name", keras_class}, {"config", config}};
}

}  // namespace shapelint::test
