#include "shapelint/rules/rule.hpp"

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/diag/limit_hint.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

LayerCall::LayerCall(const LayerConfig& config,
                     const Shapes& inputs,
                     std::span<const KwargTensors> kwargs,
                     Semantics semantics,
                     Diagnostics* sink)
    : config_(config), inputs_(inputs), kwargs_(kwargs), semantics_(semantics), sink_(sink) {}

JsonValue LayerCall::call_argument(std::string_view name) const {
  return call_kwargs_.find(name);
}

const Shapes* LayerCall::kwarg(std::string_view name) const {
  for (const auto& k : kwargs_)
    if (k.name == name)
      return &k.shapes;
  return nullptr;
}

void LayerCall::report(Severity severity,
                       std::string_view rule_id,
                       std::string message,
                       std::string hint) {
  if (severity == Severity::error)
    failed_ = true;
  if (!sink_)
    return;
  sink_->push_back(Diagnostic{
      .rule = std::string(rule_id),
      .severity = severity,
      .layer = layer_name(),
      .message = std::move(message),
      .hint = std::move(hint),
      .json_path = layer_path(),
  });
}

bool LayerCall::report_overflow() {
  for (const auto& out : outputs)
    if (out.overflowed()) {
      error(rule::kDimOverflow,
            fmt::format("the output shape of layer \"{}\" overflows int64: a dimension is larger "
                        "than 9223372036854775807 (inputs {})",
                        layer_name(),
                        to_string(inputs_)),
            "check the input shape and the layer's size arguments");
      return true;
    }
  for (const auto& w : weights)
    if (w.shape.overflowed() || w.shape.product().overflowed()) {
      error(rule::kDimOverflow,
            fmt::format("the weight '{}' of layer \"{}\" would hold more than "
                        "9223372036854775807 values (inputs {})",
                        w.name,
                        layer_name(),
                        to_string(inputs_)),
            "check the input shape and the layer's size arguments");
      return true;
    }
  return false;
}

std::string LayerCall::layer_path() const {
  // Findings point at the layer object, not at its `config` member.
  const std::string p = config_.path();
  constexpr std::string_view kSuffix = ".config";
  if (p.size() > kSuffix.size() &&
      p.compare(p.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0)
    return p.substr(0, p.size() - kSuffix.size());
  return p;
}

void LayerCall::error(std::string_view rule_id, std::string message, std::string hint) {
  report(Severity::error, rule_id, std::move(message), std::move(hint));
}

void LayerCall::warning(std::string_view rule_id, std::string message, std::string hint) {
  report(Severity::warning, rule_id, std::move(message), std::move(hint));
}

void LayerCall::note(std::string_view rule_id, std::string message, std::string hint) {
  report(Severity::note, rule_id, std::move(message), std::move(hint));
}

std::string incompatible_input_message(std::string_view layer,
                                       std::size_t input_index,
                                       std::string_view expectation,
                                       const Shape& received) {
  return fmt::format("Input {} of layer \"{}\" is incompatible with the layer: {}",
                     input_index,
                     layer,
                     fmt::format(fmt::runtime(expectation), to_string(received)));
}

bool LayerCall::require_rank(std::size_t i, std::size_t ndim) {
  const Shape& s = inputs_[i];
  if (!s.has_rank() || s.rank() == ndim)
    return true;
  error(
      rule::kInputRank,
      incompatible_input_message(
          layer_name(),
          i,
          fmt::format("expected ndim={}, found ndim={}. Full shape received: {{}}", ndim, s.rank()),
          s));
  return false;
}

bool LayerCall::require_min_rank(std::size_t i, std::size_t min_ndim) {
  const Shape& s = inputs_[i];
  if (!s.has_rank() || s.rank() >= min_ndim)
    return true;
  error(
      rule::kInputRank,
      incompatible_input_message(
          layer_name(),
          i,
          fmt::format(
              "expected min_ndim={}, found ndim={}. Full shape received: {{}}", min_ndim, s.rank()),
          s));
  return false;
}

bool LayerCall::require_max_rank(std::size_t i, std::size_t max_ndim) {
  const Shape& s = inputs_[i];
  if (!s.has_rank() || s.rank() <= max_ndim)
    return true;
  error(
      rule::kInputRank,
      incompatible_input_message(
          layer_name(),
          i,
          fmt::format(
              "expected max_ndim={}, found ndim={}. Full shape received: {{}}", max_ndim, s.rank()),
          s));
  return false;
}

bool LayerCall::sizes_positive(const Shape& out) {
  if (!out.has_rank())
    return true;
  for (std::size_t k = 1; k < out.rank(); ++k) {
    Dim d = out.dims()[k];
    if (d.is_known() && d.value() < 1)
      return false;
  }
  return true;
}

void LayerCall::report_non_positive(std::string message, std::string hint) {
  error(rule::kNonPositiveDim, std::move(message), std::move(hint));
}

namespace {

/// A LayerCall for a layer held inside another layer's config: reports as its parent.
class SubLayerCall final : public LayerCall {
 public:
  using LayerCall::LayerCall;
};

}  // namespace

RuleRunBudget& rule_run_budget() {
  thread_local RuleRunBudget budget;  // files are linted on several threads, each on one
  return budget;
}

bool spend_rule_run(Diagnostics* sink, const std::function<std::string()>& json_path) {
  RuleRunBudget& budget = rule_run_budget();
  if (budget.left > 0) {
    --budget.left;
    return true;
  }
  if (!budget.reported && sink)
    sink->push_back(Diagnostic{
        .rule = std::string(rule::kBadConfigValue),
        .severity = Severity::error,
        .layer = std::nullopt,
        .message = fmt::format("checking this model takes more than {} layer runs, shapelint's "
                               "limit (max-layer-runs): layers wrapped in layers, in nested "
                               "models called many times",
                               budget.limit),
        .hint = raise_limit_hint(
            "no Keras model is this large: check that the file was written by Keras",
            "max-layer-runs"),
        .json_path = json_path()});
  budget.reported = budget.reported || sink != nullptr;
  return false;
}

std::optional<LayerCall::SubResult> LayerCall::call_sublayer(JsonValue layer_object,
                                                             std::string_view path_key,
                                                             const Shapes& inputs) {
  called_sublayer_ = true;
  if (int limit = rule_run_budget().max_wrapper_depth; wrapper_depth_ >= limit) {
    error(rule::kBadConfigValue,
          fmt::format("layers wrapped in layers more than {} levels deep, shapelint's limit "
                      "(max-wrapper-depth)",
                      limit),
          raise_limit_hint(
              "no Keras model wraps layers this deep: check that the file was written by Keras",
              "max-wrapper-depth"));
    return std::nullopt;
  }
  if (!spend_rule_run(sink_, [&] { return config_.path_of(path_key); })) {
    failed_ = true;
    return std::nullopt;
  }
  std::string cls(layer_object.find("class_name").as_string());
  const LayerRule* r = RuleRegistry::builtin().find(cls);
  if (!r) {
    warning(rule::kUnknownLayerClass,
            fmt::format("no shape rule for the wrapped layer class '{}'", cls),
            "shapes after this layer are unknown");
    return std::nullopt;
  }
  JsonValue sub_config = layer_object.find("config");
  LayerConfig cfg(sub_config, config_.path_of(path_key) + ".config", sink_, layer_name());
  SubLayerCall sub(cfg, inputs, {}, semantics_, sink_);
  sub.set_building(building_);
  sub.wrapper_depth_ = wrapper_depth_ + 1;
  r->infer(sub);
  if (sub.failed())
    failed_ = true;
  return SubResult{std::move(sub.outputs), std::move(sub.weights), sub.failed()};
}

std::optional<std::int64_t> count_params(std::span<const WeightSpec> weights,
                                         bool trainable_only,
                                         bool non_trainable_only) {
  Dim total = Dim::of(0);
  for (const auto& w : weights) {
    if (trainable_only && !w.trainable)
      continue;
    if (non_trainable_only && w.trainable)
      continue;
    total = total + w.shape.product();
  }
  if (!total.is_known())
    return std::nullopt;
  return total.value();
}

}  // namespace shapelint
