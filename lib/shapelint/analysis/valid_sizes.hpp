#pragma once
// Which input sizes a model accepts, found by propagating it once per candidate size (a
// propagation takes microseconds to milliseconds) and described in words: "height and width
// must be at least 32 and a multiple of 16". Convolution arithmetic composes floor-divided
// affine maps, so the set of working sizes is eventually periodic (with the product of the
// strides as period); the scan looks for that period and states the set's structure.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/engine/propagate.hpp"
#include "shapelint/lint/report.hpp"
#include "shapelint/model/graph.hpp"

namespace shapelint::analysis {

/// A set of sizes in [1, limit], described.
struct SizeSet {
  std::vector<bool> works;  ///< works[n] for n in [1, limit]; works[0] unused
  std::int64_t limit = 0;
  std::string description;  ///< "at least 32 and a multiple of 16"
  std::optional<std::int64_t> smallest;
  bool unbounded = false;  ///< larger sizes keep working past the scan (periodic tail)
};

/// Describes which sizes n ≥ 1 satisfy `works` ("at least 75", "28 or 29", ...), scanning
/// from 1 up to a limit that grows (to `max_limit` at most) until the set's structure shows.
SizeSet describe_sizes(const std::function<bool(std::int64_t)>& works, std::int64_t max_limit);

/// Tries sizes of one model input's spatial or sequence axes.
class SizeProbe {
 public:
  /// `rebuild`: the model is built anew for every size (its weights follow, as
  /// `Input(shape=...)` with another size would); otherwise the built model is replayed on
  /// data of that size, its weights fixed by the declared shapes.
  SizeProbe(const Model& model,
            const ModelResult& built,
            const PropagateOptions& declared,
            bool rebuild);
  ~SizeProbe();
  SizeProbe(const SizeProbe&) = delete;
  SizeProbe& operator=(const SizeProbe&) = delete;

  /// Does the model take inputs of these shapes (batch axis included; one per model input,
  /// nullopt for "as declared")?
  bool works(const std::vector<std::optional<Shape>>& inputs);

  /// Whether a layer of some probe could not be checked (unknown class, Lambda): the
  /// answer then holds as far as shapelint can see.
  bool saw_unchecked_layers() const { return unchecked_; }

  /// Caps the probes at `count`; later ones answer false and set exhausted().
  void limit_probes(std::size_t count) { probes_left_ = count; }

  bool exhausted() const { return probes_left_ == 0; }

 private:
  struct Rebuilt;
  const Model& model_;
  const ModelResult& built_;
  const PropagateOptions& declared_;
  std::unique_ptr<Rebuilt> rebuilt_;
  bool unchecked_ = false;
  std::size_t probes_left_ = SIZE_MAX;
};

/// The axes of a model input whose size is spatial or a sequence length: all but the batch
/// and channel axes of an image or volume, the steps of a sequence, the length of a rank-2
/// input. Channels are last unless a layer of the model says channels_first.
std::vector<std::size_t> size_axes(const Model& model, const Shape& input);

/// `--valid-sizes`: for every model input, the sizes of its size axes that work.
std::vector<InputSizes> find_valid_sizes(const Model& model,
                                         const ModelResult& built,
                                         const PropagateOptions& declared);

/// For a what-if replay that failed at `failing_layer`: the working sizes nearest to the
/// replayed ones, as a sentence ("25x25 fails at 'dense'; the nearest sizes that work are
/// 24x24 and 28x28"), or "" when none is found nearby.
std::string nearest_working_sizes(const Model& model,
                                  const ModelResult& built,
                                  const PropagateOptions& declared,
                                  const std::vector<std::optional<Shape>>& what_if,
                                  std::string_view failing_layer);

}  // namespace shapelint::analysis
