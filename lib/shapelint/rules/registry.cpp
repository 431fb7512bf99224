#include "shapelint/rules/registry.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>

namespace shapelint {

const RuleRegistry& RuleRegistry::builtin() {
  static const RuleRegistry registry = [] {
    RuleRegistry r;
    for (auto family : {core_rules(),
                        activation_rules(),
                        convolutional_rules(),
                        pooling_rules(),
                        reshaping_rules(),
                        merging_rules(),
                        normalization_rules(),
                        regularization_rules(),
                        rnn_rules(),
                        attention_rules(),
                        preprocessing_rules(),
                        einsum_dense_rules(),
                        legacy_rules(),
                        ops_rules(),
                        adaptive_pooling_rules(),
                        audio_preprocessing_rules(),
                        categorical_preprocessing_rules()})
      r.add(family);
    return r;
  }();
  return registry;
}

void RuleRegistry::add(std::span<const LayerRule> family) {
  for (const auto& rule : family) {
    [[maybe_unused]] bool inserted = by_class_.emplace(rule.keras_class, &rule).second;
    assert(inserted && "a Keras class is registered twice");
  }
}

const LayerRule* RuleRegistry::find(std::string_view keras_class) const {
  auto it = by_class_.find(keras_class);
  return it == by_class_.end() ? nullptr : it->second;
}

std::vector<std::string_view> RuleRegistry::classes() const {
  std::vector<std::string_view> out;
  out.reserve(by_class_.size());
  for (const auto& [name, rule] : by_class_)
    out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

std::size_t edit_distance_ci(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string RuleRegistry::suggest(std::string_view name) const {
  if (name.size() > 64)
    return {};
  std::string_view best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 4) + 1;
  for (const auto& [cls, rule] : by_class_) {
    std::size_t d = edit_distance_ci(name, cls);
    if (d < best_distance || (d == best_distance && !best.empty() && cls < best)) {
      if (d < best_distance)
        best_distance = d;
      best = cls;
    }
  }
  return std::string(best);
}

}  // namespace shapelint
