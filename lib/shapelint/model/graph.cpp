#include "shapelint/model/graph.hpp"

#include "shapelint/rules/registry.hpp"

namespace shapelint {

const TensorKwargs Node::kNoKwargs;
const std::vector<JsonValue> Node::kNoRecordedInputs;

Layer::Layer() = default;
Layer::~Layer() = default;
Layer::Layer(Layer&&) noexcept = default;
Layer& Layer::operator=(Layer&&) noexcept = default;

void Layer::set_rule_class(std::string keras_class) {
  if (keras_class == class_name)
    mapped_class_.reset();
  else
    mapped_class_ = std::move(keras_class);
  builtin_rule_known_ = false;  // looked up again, for the class now set
}

const LayerRule* Layer::builtin_rule() const {
  if (!builtin_rule_known_) {
    builtin_rule_ = RuleRegistry::builtin().find(rule_class());
    builtin_rule_known_ = true;
  }
  return builtin_rule_;
}

}  // namespace shapelint
