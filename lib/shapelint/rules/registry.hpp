#pragma once

#include <span>
#include <string>
#include <string_view>
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

  const LayerRule* find(std::string_view keras_class) const {
    return rule_at(slot_of(keras_class));
  }

  /// Where `keras_class`'s rule is in the table, or an empty place when it has none (rule_at
  /// gives null there): a layer keeps this, two bytes, rather than the rule's pointer, eight.
  std::size_t slot_of(std::string_view keras_class) const;

  const LayerRule* rule_at(std::size_t slot) const noexcept { return slots_[slot]; }

  /// The registered class closest to `name` (case-insensitive edit distance), or "".
  std::string suggest(std::string_view name) const;
  std::vector<std::string_view> classes() const;

 private:
  void add(std::span<const LayerRule> family);
  void insert(const LayerRule* rule);
  static std::size_t hash(std::string_view keras_class) noexcept;

  /// An open-addressing table, at most a quarter full: built once per run and asked for
  /// every layer, it costs a sixth of what std::unordered_map cost (one allocation in all).
  std::vector<const LayerRule*> slots_ = std::vector<const LayerRule*>(1024, nullptr);
  std::size_t size_ = 0;
};

}  // namespace shapelint
