#pragma once
// What a layer's shape rule gave, kept for the next layer of the same kind.
//
// Real models repeat themselves: a ResNet's or a NASNet's BatchNormalization layers differ
// only in their names, and its convolutions come in a few sizes, called on feature maps of a
// few shapes. A rule run reads its config key by key and builds its weights one by one (a
// SeparableConv2D's took some 7,000 instructions); finding the same run again and copying
// what it gave takes a tenth of that. A rule's outcome depends only on its config, its
// input shapes and whether the call builds the layer (what a call passes besides its input
// tensors is left out: such calls always run); a layer's name only enters its messages, and
// only outcomes without a finding are kept.
#include <cstdint>
#include <optional>
#include <vector>

#include "shapelint/json/document.hpp"
#include "shapelint/rules/rule.hpp"

namespace shapelint {

/// What one run of a layer's shape rule gave.
struct RuleOutcome {
  Shapes outputs;
  std::vector<WeightSpec> weights;
  std::vector<InputSpec> input_specs;
};

/// Outcomes of rule runs without findings, by rule, config (as written, less its name),
/// input shapes and whether the call built the layer. One per propagation of a model.
class RuleMemo {
 public:
  /// A run to look up or keep: a view of its config and inputs, and their hash. Not
  /// `memoized` when its config is no object, a small one, or a large one.
  struct Run {
    const LayerRule* rule;
    JsonValue config;
    const Shapes* inputs;
    bool building;
    bool memoized;
    std::uint64_t hash;
  };

  /// Whether a run on `config` is worth looking up at all: a config of a few members (an
  /// Activation's, an Add's, a Flatten's: name, trainable, dtype and one more or none) is
  /// not, its rule costing less than the lookup. Asked before run(), it costs next to
  /// nothing; run() then weighs all the config holds.
  static bool worth_looking_up(JsonValue config);

  /// The run of `rule` on `config` and `inputs`; they must outlive it.
  Run run(const LayerRule& rule, JsonValue config, const Shapes& inputs, bool building);

  /// The outcome kept for `run`, or null.
  const RuleOutcome* find(const Run& run) const;

  /// Keeps `outcome` for `run`, while there is room: a model of all-different layers gains
  /// nothing, so it holds kMaxEntries outcomes at most.
  void keep(const Run& run, const RuleOutcome& outcome);

  static constexpr std::size_t kMaxEntries = 256;
  /// Values a config may hold to be looked up: layers' own arguments take a few dozen, and
  /// a config holding weights (an Embedding's initial matrix) would cost its size each time.
  static constexpr std::size_t kMaxConfigValues = 1024;
  /// Values a config must hold to be looked up: the rules of layers of a few arguments
  /// (Activation, Add, Dropout, Flatten) cost less than finding their outcome again.
  static constexpr std::size_t kMinConfigValues = 13;
  /// Members a config must have itself to be worth looking up (worth_looking_up).
  static constexpr std::size_t kMinConfigMembers = 5;

 private:
  struct Entry {
    const LayerRule* rule;
    JsonValue config;
    Shapes inputs;
    bool building;
    RuleOutcome outcome;
  };

  static constexpr std::size_t kSlots = 512;  ///< a power of two, twice kMaxEntries
  /// Slots looked at for one run: a run whose hash collides more often is not kept (a
  /// hostile file's crafted configs cost at most this many comparisons a layer).
  static constexpr std::size_t kMaxProbes = 8;

  bool matches(const Entry& entry, const Run& run) const;
  const JsonKey& name_key(const JsonDocument* document);

  std::vector<Entry> entries_;
  std::vector<std::uint64_t> hashes_;  ///< of entries_, in the same order
  std::vector<std::uint32_t> slots_;   ///< 1 + an index into entries_; 0 when empty
  const JsonDocument* name_document_ = nullptr;
  std::optional<JsonKey> name_;  ///< "name", looked up in name_document_
};

}  // namespace shapelint
