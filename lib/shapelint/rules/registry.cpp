#include "shapelint/rules/registry.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstdint>

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
  for (const auto& rule : family)
    insert(&rule);
}

std::size_t RuleRegistry::hash(std::string_view keras_class) noexcept {
  // FNV-1a: class names are short, and this runs for every layer.
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (char c : keras_class)
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

void RuleRegistry::insert(const LayerRule* rule) {
  if ((size_ + 1) * 4 > slots_.size()) {  // keep probes short: at most a quarter full
    std::vector<const LayerRule*> old(slots_.size() * 2, nullptr);
    old.swap(slots_);
    size_ = 0;
    for (const LayerRule* r : old)
      if (r)
        insert(r);
  }
  // A layer keeps its rule's place in two bytes (Layer::builtin_rule): a few hundred rules
  // stay far below that.
  assert(slots_.size() < 0xFFFF && "the table outgrew the places a layer can keep");
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(rule->keras_class) & mask;; i = (i + 1) & mask) {
    if (!slots_[i]) {
      slots_[i] = rule;
      ++size_;
      return;
    }
    assert(slots_[i]->keras_class != rule->keras_class && "a Keras class is registered twice");
  }
}

std::size_t RuleRegistry::slot_of(std::string_view keras_class) const {
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(keras_class) & mask;; i = (i + 1) & mask) {
    const LayerRule* rule = slots_[i];
    if (!rule || rule->keras_class == keras_class)
      return i;
  }
}

std::vector<std::string_view> RuleRegistry::classes() const {
  std::vector<std::string_view> out;
  out.reserve(size_);
  for (const LayerRule* rule : slots_)
    if (rule)
      out.push_back(rule->keras_class);
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
  for (const LayerRule* rule : slots_) {
    if (!rule)
      continue;
    // Any order gives the same answer (the closest, the first in sorting among equals). The
    // distance is at least the difference in length: most classes need no distance at all,
    // which matters when a what-if search propagates a model with a custom layer many times.
    std::string_view cls = rule->keras_class;
    if (std::max(cls.size(), name.size()) - std::min(cls.size(), name.size()) > best_distance)
      continue;
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
