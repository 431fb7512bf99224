#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/json/document.hpp"
#include "shapelint/model/layer_config.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint {

/// Which Keras wrote the file: where tf.keras 2 and Keras 3 differ, rules follow the
/// generation that wrote the file.
enum class Semantics { keras2, keras3 };

/// One weight a built layer holds, as Keras creates it in `build()`.
struct WeightSpec {
  std::string name;  ///< "kernel", "bias", "moving_mean", ...
  Shape shape;       ///< fully known once the layer is built; unknown dims mean "not built"
  bool trainable = true;
};

/// What a built layer demands of every later call (Keras's `self.input_spec` after build).
struct InputSpec {
  std::optional<std::size_t> ndim;
  std::optional<std::size_t> min_ndim;
  std::optional<std::size_t> max_ndim;
  std::vector<std::pair<std::ptrdiff_t, std::int64_t>> axes;  ///< axis → required size
};

/// A tensor passed as a keyword argument (MultiHeadAttention's `value`, RNN `initial_state`).
struct KwargTensors {
  std::string name;
  Shapes shapes;
};

class LayerCall;
using InferFn = void (*)(LayerCall&);

/// One row of a family's rule table.
struct LayerRule {
  std::string_view keras_class;
  InferFn infer;
  /// How many positional input tensors the layer takes; checked before `infer` runs.
  std::size_t min_inputs = 1;
  std::size_t max_inputs = 1;
};

/// The view a rule has of one call of one layer. A rule reads the config and the input
/// shapes, and fills `outputs`, `weights` and `input_specs`; problems go through
/// `error()` / `warning()` and are never thrown. After an error the engine treats the
/// outputs as unknown.
class LayerCall {
 public:
  LayerCall(const LayerConfig& config,
            const Shapes& inputs,
            std::span<const KwargTensors> kwargs,
            Semantics semantics,
            Diagnostics* sink);
  virtual ~LayerCall() = default;
  LayerCall(const LayerCall&) = delete;
  LayerCall& operator=(const LayerCall&) = delete;

  const LayerConfig& config() const { return config_; }

  const std::string& layer_name() const { return config_.layer_name(); }

  const Shapes& inputs() const { return inputs_; }

  const Shape& input(std::size_t i = 0) const { return inputs_[i]; }

  std::size_t input_count() const { return inputs_.size(); }

  /// Shapes passed as keyword tensor `name`, or nullptr.
  const Shapes* kwarg(std::string_view name) const;

  Semantics semantics() const { return semantics_; }

  bool keras3() const { return semantics_ == Semantics::keras3; }

  /// True on the call that builds the layer (creates its weights). Later calls (a shared
  /// layer's second call, a what-if replay) reuse the built weights, so errors that only
  /// weight creation raises (an unknown dim a weight needs) must not fire there.
  bool building() const { return building_; }

  /// A keyword argument of this call that is not a tensor (`return_attention_scores=True`);
  /// absent when the call did not pass it.
  JsonValue call_argument(std::string_view name) const;

  void set_call_arguments(JsonValue kwargs) { call_kwargs_ = kwargs; }

  void set_building(bool building) { building_ = building; }

  Shapes outputs;
  std::vector<WeightSpec> weights;
  /// Per positional input: what every later call of this built layer must match.
  std::vector<InputSpec> input_specs;

  void add_weight(std::string name, Shape shape, bool trainable = true) {
    weights.push_back(WeightSpec{std::move(name), std::move(shape), trainable});
  }

  void error(std::string_view rule_id, std::string message, std::string hint = {});
  void warning(std::string_view rule_id, std::string message, std::string hint = {});
  void note(std::string_view rule_id, std::string message, std::string hint = {});

  bool failed() const { return failed_; }

  /// Whether the rule ran another layer's rule (call_sublayer): its result then also spent
  /// that rule's runs, which a copy of it would not.
  bool called_sublayer() const { return called_sublayer_; }

  /// Reports SL110 when an output dim or a weight's size overflowed int64 in a rule's checked
  /// arithmetic (hostile sizes): the engine's net under every rule. True when it did.
  bool report_overflow();

  /// JSON path of the layer object this call belongs to.
  std::string layer_path() const;

  /// Runs the rule of another layer on `inputs` (the layer inside Bidirectional,
  /// TimeDistributed, RNN cells). `layer_object` is the `{"class_name", "config"}` object;
  /// `path_key` is where it sits in this layer's config. Its diagnostics are reported as
  /// this layer's. Returns nullopt when the class has no rule (then reports SL010).
  struct SubResult {
    Shapes outputs;
    std::vector<WeightSpec> weights;
    bool failed = false;
  };

  virtual std::optional<SubResult> call_sublayer(JsonValue layer_object,
                                                 std::string_view path_key,
                                                 const Shapes& inputs);

  // Keras's input-compatibility checks, with Keras's own wording. Each returns false
  // (after reporting) when the input does not qualify.
  bool require_rank(std::size_t input_index, std::size_t ndim);
  bool require_min_rank(std::size_t input_index, std::size_t min_ndim);
  bool require_max_rank(std::size_t input_index, std::size_t max_ndim);

  /// Reports SL103 when a computed size (past the batch axis) is known and below 1, with the
  /// message and hint `messages()` returns: made only then, since formatting them for every
  /// layer of a large model cost more than the check.
  template <class Messages>
  bool require_positive(const Shape& out, Messages messages) {
    if (sizes_positive(out))
      return true;
    auto [message, hint] = messages();
    report_non_positive(std::move(message), std::move(hint));
    return false;
  }

 private:
  static bool sizes_positive(const Shape& out);
  void report_non_positive(std::string message, std::string hint);
  void report(Severity severity, std::string_view rule_id, std::string message, std::string hint);

  const LayerConfig& config_;
  const Shapes& inputs_;
  std::span<const KwargTensors> kwargs_;
  Semantics semantics_;
  Diagnostics* sink_;
  bool failed_ = false;
  bool building_ = true;
  JsonValue call_kwargs_;
  int wrapper_depth_ = 0;  ///< how many layers this one is wrapped in
  bool called_sublayer_ = false;
};

/// Rule runs one file's lint may make by default (`max-layer-runs`): every layer call, every
/// call of a wrapped layer (Bidirectional runs its layer twice) and every what-if probe spends
/// one. Wrappers inside wrappers inside nested models called many times would otherwise
/// multiply without bound.
inline constexpr std::uint64_t kDefaultMaxRuleRuns = 10'000'000;
/// Layers wrapped inside layers (TimeDistributed(Bidirectional(RNN(StackedRNNCells))) is 4)
/// by default (`max-wrapper-depth`): deeper is refused, as each level may run the one inside
/// it more than once, and each level is a level of recursion.
inline constexpr int kDefaultMaxWrapperDepth = 8;
/// The highest value `max-wrapper-depth` may be raised to: a wrapped layer's rule recurses
/// once per level, and each Bidirectional level doubles the weights of what it wraps (which
/// the run budget does not count), so 12 levels may hold 4096 copies of the innermost layer's.
inline constexpr int kWrapperDepthCeiling = 12;

/// This thread's budget of rule runs and its wrapper depth limit; the pipeline sets both for
/// each file (files are linted on several threads, each file on one).
struct RuleRunBudget {
  std::uint64_t left = kDefaultMaxRuleRuns;
  std::uint64_t limit = kDefaultMaxRuleRuns;  ///< what `left` started at, for the finding
  int max_wrapper_depth = kDefaultMaxWrapperDepth;
  bool reported = false;  ///< the finding that it ran out was given
};

RuleRunBudget& rule_run_budget();

/// Spends one rule run; false once the budget is spent, after reporting that (once per file)
/// as an SL004 finding at `json_path()` into `sink` (the path is spelled out only then).
bool spend_rule_run(Diagnostics* sink, const std::function<std::string()>& json_path);

/// Keras's wording for an input that violates a spec; shared by rules and the engine.
std::string incompatible_input_message(std::string_view layer,
                                       std::size_t input_index,
                                       std::string_view expectation,
                                       const Shape& received);

/// Total elements of the weights, or nullopt when a weight shape is not fully known.
std::optional<std::int64_t> count_params(std::span<const WeightSpec> weights,
                                         bool trainable_only,
                                         bool non_trainable_only = false);

}  // namespace shapelint
