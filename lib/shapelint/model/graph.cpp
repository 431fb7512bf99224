#include "shapelint/model/graph.hpp"

#include "shapelint/rules/registry.hpp"

namespace shapelint {

const TensorKwargs Node::kNoKwargs;
const std::vector<JsonValue> Node::kNoRecordedInputs;

Layer::Layer() = default;
Layer::~Layer() = default;
Layer::Layer(Layer&&) noexcept = default;
Layer& Layer::operator=(Layer&&) noexcept = default;

Layer::Rare& Layer::rare() {
  if (!rare_)
    rare_ = std::make_unique<Rare>();
  return *rare_;
}

void Layer::set_nested(std::unique_ptr<Model> model) {
  if (model || rare_)
    rare().nested = std::move(model);
}

void Layer::set_batch_shape(std::optional<Shape> shape) {
  if (shape || rare_)
    rare().batch_shape = std::move(shape);
}

void Layer::set_build_input_shapes(std::optional<Shapes> shapes) {
  if (shapes || rare_)
    rare().build_input_shapes = std::move(shapes);
}

void Layer::own_config(std::shared_ptr<const JsonDocument> document) {
  config_index_ = JsonValue::kNoIndex;  // config() is the document's root, or none
  if (document || rare_)
    rare().owned_config = std::move(document);
}

void Layer::set_rule_class(std::string keras_class) {
  if (keras_class != class_name)
    rare().mapped_class = std::move(keras_class);
  else if (rare_)
    rare_->mapped_class.reset();
  builtin_rule_slot_ = kRuleUnknown;  // looked up again, for the class now set
}

const LayerRule* Layer::builtin_rule() const {
  const RuleRegistry& rules = RuleRegistry::builtin();
  if (builtin_rule_slot_ == kRuleUnknown)
    builtin_rule_slot_ = static_cast<std::uint16_t>(rules.slot_of(rule_class()));
  return rules.rule_at(builtin_rule_slot_);
}

}  // namespace shapelint
