// Keras 1 → Keras 2 names, following the conversions Keras 2.0's legacy interfaces applied
// (keras/legacy/interfaces.py): the shapes and weights of a translated layer are unchanged.
#include "shapelint/model/keras1.hpp"

#include <algorithm>
#include <array>
#include <bit>
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

bool on_any_class(std::string_view) {
  return true;
}

bool not_embedding(std::string_view cls) {
  return cls != "Embedding";  // Keras 2's Embedding kept output_dim
}

bool dropout_class(std::string_view cls) {
  return cls == "Dropout" || cls == "GaussianDropout" || cls.rfind("SpatialDropout", 0) == 0;
}

bool gaussian_noise(std::string_view cls) {
  return cls == "GaussianNoise";
}

/// Argument names only Keras 1 used, each with the classes it is a Keras 1 name on (Keras 2
/// renamed `output_dim`, `p` and `sigma` on some classes only).
struct Keras1Argument {
  const char* name;
  bool (*on_class)(std::string_view class_name);
};

constexpr std::array<Keras1Argument, 13> kKeras1Arguments{{
    {"nb_filter", on_any_class},
    {"border_mode", on_any_class},
    {"subsample", on_any_class},
    {"dim_ordering", on_any_class},
    {"nb_row", on_any_class},
    {"filter_length", on_any_class},
    {"inner_activation", on_any_class},
    {"dropout_W", on_any_class},
    {"pool_length", on_any_class},
    {"subsample_length", on_any_class},
    {"output_dim", not_embedding},
    {"p", dropout_class},
    {"sigma", gaussian_noise},
}};

constexpr Keras1ArgumentSet kAllKeras1Arguments = (Keras1ArgumentSet{1} << 13) - 1;

/// For a nlohmann value and a JsonValue alike: both answer is_object() and contains(). Only
/// the arguments in `among` are looked for.
template <class Config>
bool uses_keras1_arguments(std::string_view class_name,
                           const Config& config,
                           Keras1ArgumentSet among) {
  if (!config.is_object())
    return false;
  // Only the arguments in `among`: most documents write none of them, or one.
  for (Keras1ArgumentSet left = among & kAllKeras1Arguments; left != 0; left &= left - 1) {
    const Keras1Argument& argument =
        kKeras1Arguments[static_cast<std::size_t>(std::countr_zero(left))];
    if (argument.on_class(class_name) && config.contains(argument.name))
      return true;
  }
  return false;
}

}  // namespace

bool has_keras1_arguments(std::string_view class_name, const json& config) {
  return uses_keras1_arguments(class_name, config, kAllKeras1Arguments);
}

bool has_keras1_arguments(std::string_view class_name, JsonValue config) {
  return uses_keras1_arguments(class_name, config, kAllKeras1Arguments);
}

bool has_keras1_arguments(std::string_view class_name,
                          JsonValue config,
                          Keras1ArgumentSet written) {
  return uses_keras1_arguments(class_name, config, written);
}

Keras1ArgumentSet keras1_arguments_written(const JsonDocument& doc) {
  Keras1ArgumentSet written = 0;
  for (std::size_t i = 0; i < kKeras1Arguments.size(); ++i)
    if (doc.holds(kKeras1Arguments[i].name))
      written |= Keras1ArgumentSet{1} << i;
  return written;
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
