// The three kinds of declared rule: same shape, like a built-in layer, a fixed shape.
#include "shapelint/config/custom_layers.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint::config {

namespace {

Diagnostic layer_finding(std::string_view rule_id,
                         Severity severity,
                         const Layer& layer,
                         std::string message,
                         std::string hint) {
  return Diagnostic{.rule = std::string(rule_id),
                    .severity = severity,
                    .layer = layer.name,
                    .message = std::move(message),
                    .hint = std::move(hint),
                    .json_path = layer.path()};
}

/// The declared `params` as weights, so the engine counts them as it counts any layer's.
std::vector<WeightSpec> declared_weights(const CustomLayerRule& rule) {
  std::vector<WeightSpec> weights;
  std::int64_t trainable = *rule.params - rule.non_trainable_params;
  if (trainable > 0)
    weights.push_back(WeightSpec{"declared", Shape{Dim::of(trainable)}, true});
  if (rule.non_trainable_params > 0)
    weights.push_back(
        WeightSpec{"declared_non_trainable", Shape{Dim::of(rule.non_trainable_params)}, false});
  return weights;
}

/// A fixed output shape; an unknown batch axis is the first input's batch axis, so
/// `--batch-size` flows through.
Shapes fixed_outputs(const CustomLayerRule& rule, const Shapes& inputs) {
  Shapes out = rule.output_shapes;
  bool batch_known = !inputs.empty() && inputs[0].has_rank() && inputs[0].rank() > 0;
  for (auto& s : out)
    if (batch_known && s.has_rank() && s.rank() > 0 && !s.dims()[0].is_known())
      s.dims()[0] = inputs[0].dims()[0];
  return out;
}

/// The config the built-in rule reads: the layer's own, with `from_config` keys copied
/// under the built-in's argument names and `set` values on top. Empty when a key is missing
/// (its name is then in `missing`).
std::optional<nlohmann::json> like_config(const CustomLayerRule& rule,
                                          const Layer& layer,
                                          std::string& missing) {
  JsonValue own = layer.config().is_object() ? layer.config() : JsonValue();
  nlohmann::json config = own ? own.to_nlohmann() : nlohmann::json::object();
  for (const auto& [argument, key] : rule.from_config) {
    if (!own.contains(key)) {
      missing = key;
      return std::nullopt;
    }
    config[argument] = own[key].to_nlohmann();
  }
  for (const auto& [argument, value] : rule.set.items())
    config[argument] = value;
  return config;
}

CustomLayerOutcome run_like(const CustomLayerRule& rule,
                            const Layer& layer,
                            const Shapes& inputs,
                            Semantics semantics,
                            Diagnostics& sink) {
  CustomLayerOutcome out;
  out.outputs = {Shape::unknown_rank()};  // until the rule says otherwise
  const LayerRule* builtin = RuleRegistry::builtin().find(rule.like);
  if (!builtin) {  // checked when the file was read; kept for safety
    out.opaque = true;
    return out;
  }
  std::string hint_suffix = fmt::format(
      "'{}' is checked like {}, as {} declares", layer.class_name, rule.like, rule.origin);
  std::string missing;
  auto config = like_config(rule, layer, missing);
  if (!config) {
    sink.push_back(layer_finding(
        rule::kUnknownLayerClass,
        Severity::warning,
        layer,
        fmt::format("the shape rule declared for '{}' ({}) reads config key '{}', which layer "
                    "'{}' does not have: shapes after '{}' are unknown",
                    layer.class_name,
                    rule.origin,
                    missing,
                    layer.name,
                    layer.name),
        "fix the from-config table of the declared rule"));
    out.opaque = true;
    return out;
  }
  if (inputs.size() < builtin->min_inputs || inputs.size() > builtin->max_inputs) {
    sink.push_back(layer_finding(rule::kInputCount,
                                 Severity::error,
                                 layer,
                                 fmt::format("Layer \"{}\" received {} input tensors, but {} "
                                             "takes {} to {}",
                                             layer.name,
                                             inputs.size(),
                                             rule.like,
                                             builtin->min_inputs,
                                             builtin->max_inputs),
                                 hint_suffix));
    out.failed = true;
    out.outputs = Shapes(1);
    return out;
  }
  std::size_t first_finding = sink.size();
  // A config of its own, read as the built-in reads a model's.
  auto document = JsonDocument::from_nlohmann(*config);
  LayerConfig layer_config(document->root(), ConfigPath::of_layer(layer.object), &sink, layer.name);
  LayerCall call(layer_config, inputs, {}, semantics, &sink);
  builtin->infer(call);
  if (!call.failed())
    call.report_overflow();
  for (std::size_t i = first_finding; i < sink.size(); ++i)
    sink[i].hint = sink[i].hint.empty() ? hint_suffix : sink[i].hint + "; " + hint_suffix;
  out.failed = call.failed();
  out.outputs =
      out.failed ? Shapes(std::max<std::size_t>(call.outputs.size(), 1)) : std::move(call.outputs);
  out.weights = std::move(call.weights);
  out.input_specs = std::move(call.input_specs);
  out.counted = !out.failed;
  return out;
}

}  // namespace

CustomLayerOutcome run_custom_layer(const CustomLayerRule& rule,
                                    const Layer& layer,
                                    const Shapes& inputs,
                                    Semantics semantics,
                                    bool uncertain,
                                    Diagnostics& sink) {
  CustomLayerOutcome out;
  switch (rule.kind) {
    case CustomLayerRule::Kind::same:
      out.outputs = {inputs.empty() ? Shape::unknown_rank() : inputs[0]};
      break;
    case CustomLayerRule::Kind::fixed:
      out.outputs = fixed_outputs(rule, inputs);
      break;
    case CustomLayerRule::Kind::like: {
      Diagnostics found;
      out = run_like(rule, layer, inputs, semantics, found);
      for (auto& d : found)
        // Shape errors downstream of what shapelint cannot see may be artefacts.
        if (!uncertain || d.severity != Severity::error || d.rule == rule::kBadConfigValue)
          sink.push_back(std::move(d));
      if (uncertain && out.failed) {
        out.failed = false;
        out.counted = false;
      }
      break;
    }
  }
  if (rule.params && !out.opaque) {
    out.weights = declared_weights(rule);
    out.counted = true;
  }
  return out;
}

}  // namespace shapelint::config
