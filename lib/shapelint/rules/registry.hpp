#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shapelint/rules/rule.hpp"

namespace shapelint {

// One table per Keras layer family; each lives in rules/<family>.cpp.
std::span<const LayerRule> core_rules();
std::span<const LayerRule> activation_rules();
std::span<const LayerRule> convolutional_rules();
std::span<const LayerRule> pooling_rules();
std::span<const LayerRule> reshaping_rules();
std::span<const LayerRule> merging_rules();
std::span<const LayerRule> normalization_rules();
std::span<const LayerRule> regularization_rules();
std::span<const LayerRule> rnn_rules();
std::span<const LayerRule> attention_rules();
std::span<const LayerRule> preprocessing_rules();
std::span<const LayerRule> einsum_dense_rules();
std::span<const LayerRule> legacy_rules();
std::span<const LayerRule> adaptive_pooling_rules();
std::span<const LayerRule> audio_preprocessing_rules();
std::span<const LayerRule> categorical_preprocessing_rules();
/// Keras 3 operations that files record as layers (the masks of Embedding and Masking).
std::span<const LayerRule> ops_rules();

/// Every built-in rule, looked up by Keras class name.
class RuleRegistry {
 public:
  static const RuleRegistry& builtin();
  const LayerRule* find(std::string_view keras_class) const;
  /// The registered class closest to `name` (case-insensitive edit distance), or "".
  std::string suggest(std::string_view name) const;
  std::vector<std::string_view> classes() const;

 private:
  void add(std::span<const LayerRule> family);
  std::unordered_map<std::string_view, const LayerRule*> by_class_;
};

}  // namespace shapelint
