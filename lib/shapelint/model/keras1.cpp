// Keras 1 → Keras 2 names, following the conversions Keras 2.0's legacy interfaces applied
// (keras/legacy/interfaces.py): the shapes and weights of a translated layer are unchanged.
#include "shapelint/model/keras1.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace shapelint {

using nlohmann::json;

namespace {

struct ClassMap {
  std::string_view keras1;
  std::string_view keras2;
};

constexpr std::array kClassMap{
    ClassMap{"Convolution1D", "Conv1D"},
    ClassMap{"Convolution2D", "Conv2D"},
    ClassMap{"Convolution3D", "Conv3D"},
    ClassMap{"AtrousConvolution1D", "Conv1D"},
    ClassMap{"AtrousConvolution2D", "Conv2D"},
    ClassMap{"Deconvolution2D", "Conv2DTranspose"},
    ClassMap{"SeparableConvolution2D", "SeparableConv2D"},
};

// Keys renamed in every layer that has them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kCommonRenames{{
    {"border_mode", "padding"},
    {"subsample", "strides"},
    {"nb_filter", "filters"},
    {"output_dim", "units"},
    {"bias", "use_bias"},
    {"atrous_rate", "dilation_rate"},
    {"inner_activation", "recurrent_activation"},
    {"dropout_W", "dropout"},
    {"dropout_U", "recurrent_dropout"},
    {"pool_length", "pool_size"},
}};

std::string_view keras2_class(std::string_view keras1) {
  for (const auto& m : kClassMap)
    if (m.keras1 == keras1)
      return m.keras2;
  return keras1;
}

void rename(json& c, std::string_view from, std::string_view to) {
  auto it = c.find(from);
  if (it == c.end())
    return;
  if (!c.contains(to))
    c[std::string(to)] = *it;
  c.erase(it);
}

void translate_data_format(json& c) {
  auto it = c.find("dim_ordering");
  if (it == c.end())
    return;
  if (it->is_string() && !c.contains("data_format"))
    c["data_format"] = it->get<std::string>() == "th" ? "channels_first" : "channels_last";
  c.erase(it);
}

void translate_kernel_size(std::string_view cls, json& c) {
  if (c.contains("kernel_size"))
    return;
  if (c.contains("nb_row") && c.contains("nb_col")) {
    c["kernel_size"] = json::array({c["nb_row"], c["nb_col"]});
    c.erase("nb_row");
    c.erase("nb_col");
  } else if (c.contains("kernel_dim1")) {
    c["kernel_size"] = json::array(
        {c["kernel_dim1"], c.value("kernel_dim2", json(1)), c.value("kernel_dim3", json(1))});
    c.erase("kernel_dim1");
    c.erase("kernel_dim2");
    c.erase("kernel_dim3");
  } else if (c.contains("filter_length")) {
    c["kernel_size"] = c["filter_length"];
    c.erase("filter_length");
  }
  if (cls == "Conv1D" || cls == "Convolution1D")
    rename(c, "subsample_length", "strides");
}

void translate_pool(json& c) {
  rename(c, "stride", "strides");
  if (c.contains("strides") && c["strides"].is_null() && c.contains("pool_size"))
    c["strides"] = c["pool_size"];
}

std::optional<TranslatedLayer> translate_merge(const json& config) {
  std::string mode = config.value("mode", std::string("sum"));
  TranslatedLayer out{"Add", json::object()};
  if (config.contains("name"))
    out.config["name"] = config["name"];
  if (mode == "concat") {
    out.class_name = "Concatenate";
    out.config["axis"] = config.value("concat_axis", json(-1));
  } else if (mode == "mul") {
    out.class_name = "Multiply";
  } else if (mode == "ave") {
    out.class_name = "Average";
  } else if (mode == "max") {
    out.class_name = "Maximum";
  } else if (mode == "dot" || mode == "cos") {
    out.class_name = "Dot";
    out.config["axes"] = config.value("dot_axes", json(-1));
    out.config["normalize"] = mode == "cos";
  }
  return out;
}

}  // namespace

bool is_keras1_class(std::string_view class_name) {
  if (class_name == "Merge" || class_name == "MaxoutDense" || class_name == "Highway" ||
      class_name == "TimeDistributedDense")
    return true;
  for (const auto& m : kClassMap)
    if (m.keras1 == class_name)
      return true;
  return false;
}

namespace {

/// For a nlohmann value and a JsonValue alike: both answer is_object() and contains().
/// Argument names only Keras 1 used on any class.
constexpr std::array<const char*, 9> kKeras1Arguments{"nb_filter",
                                                      "border_mode",
                                                      "subsample",
                                                      "dim_ordering",
                                                      "nb_row",
                                                      "filter_length",
                                                      "inner_activation",
                                                      "dropout_W",
                                                      "pool_length"};

/// Keras 1 names of arguments Keras 2 renamed on some classes only.
constexpr std::array<const char*, 4> kKeras1ClassArguments{
    "output_dim", "p", "sigma", "subsample_length"};

template <class Config>
bool uses_keras1_arguments(std::string_view class_name, const Config& config) {
  if (!config.is_object())
    return false;
  for (const char* key : kKeras1Arguments)
    if (config.contains(key))
      return true;
  if (config.contains("output_dim") && class_name != "Embedding")
    return true;
  if ((class_name == "Dropout" || class_name == "GaussianDropout" ||
       class_name.rfind("SpatialDropout", 0) == 0) &&
      config.contains("p"))
    return true;
  if (class_name == "GaussianNoise" && config.contains("sigma"))
    return true;
  if (config.contains("subsample_length"))
    return true;
  if (class_name == "Dropout" && config.contains("p"))
    return true;
  return false;
}

}  // namespace

bool has_keras1_arguments(std::string_view class_name, const json& config) {
  return uses_keras1_arguments(class_name, config);
}

bool has_keras1_arguments(std::string_view class_name, JsonValue config) {
  return uses_keras1_arguments(class_name, config);
}

bool may_have_keras1_arguments(const JsonDocument& doc) {
  auto held = [&](const char* key) { return doc.holds(key); };
  return std::any_of(kKeras1Arguments.begin(), kKeras1Arguments.end(), held) ||
         std::any_of(kKeras1ClassArguments.begin(), kKeras1ClassArguments.end(), held);
}

std::optional<TranslatedLayer> translate_keras1_layer(std::string_view class_name,
                                                      const json& config) {
  if (class_name == "Merge")
    return translate_merge(config);
  if (!is_keras1_class(class_name) && !has_keras1_arguments(class_name, config)) {
    // Wrappers hold a Keras 1 layer inside.
    if (config.is_object() && config.contains("layer") && config["layer"].is_object()) {
      const json& inner = config["layer"];
      auto translated = translate_keras1_layer(inner.value("class_name", std::string()),
                                               inner.value("config", json::object()));
      if (!translated)
        return std::nullopt;
      TranslatedLayer out{std::string(class_name), config};
      out.config["layer"] =
          json{{"class_name", translated->class_name}, {"config", std::move(translated->config)}};
      return out;
    }
    return std::nullopt;
  }
  TranslatedLayer out{std::string(keras2_class(class_name)), config};
  json& c = out.config;
  translate_kernel_size(class_name, c);
  translate_data_format(c);
  for (const auto& [from, to] : kCommonRenames)
    rename(c, from, to);
  if (out.class_name.find("Pooling") != std::string::npos)
    translate_pool(c);
  if (out.class_name == "Embedding" && c.contains("units"))
    rename(c, "units", "output_dim");
  if (out.class_name == "Dropout" || out.class_name == "GaussianDropout" ||
      out.class_name.rfind("SpatialDropout", 0) == 0)
    rename(c, "p", "rate");
  if (out.class_name == "GaussianNoise")
    rename(c, "sigma", "stddev");
  rename(c, "subsample_length", "strides");
  // Keras 1 GRUs have one bias per gate (the later reset_after=False layout).
  if (out.class_name == "GRU" && !c.contains("reset_after"))
    c["reset_after"] = false;
  if (c.contains("padding") && c["padding"].is_string() && c["padding"] == "full")
    c["padding"] = "full";
  return out;
}

}  // namespace shapelint
