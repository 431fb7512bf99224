#pragma once
// What one layer costs, as the engine works it out when the layer's last call is done: then
// its config and the weights it built are at hand, and a large model need not keep either
// for the cost table (lib/shapelint/cost/model_cost.cpp sums these into the report).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shapelint::cost {

struct ReceptiveField {
  std::vector<std::int64_t> size;    ///< input positions seen, per spatial axis
  std::vector<std::int64_t> stride;  ///< input positions between neighbouring outputs

  friend bool operator==(const ReceptiveField&, const ReceptiveField&) = default;
};

/// A count that may be unknown, in 8 bytes (a cost is never negative): every layer of a
/// large model holds a few.
class Count {
 public:
  Count() = default;

  Count(std::optional<std::int64_t> v) : value_(v && *v >= 0 ? *v : kUnknown) {}

  std::optional<std::int64_t> get() const {
    return value_ == kUnknown ? std::nullopt : std::optional<std::int64_t>(value_);
  }

 private:
  static constexpr std::int64_t kUnknown = -1;
  std::int64_t value_ = kUnknown;
};

/// One layer's (not a nested model's) cost over all its calls, for the pass's batch size.
struct LayerFigures {
  Count macs;                            ///< multiply-accumulates, every call
  Count weight_bytes;                    ///< its weights in their variable dtype
  Count activation_bytes;                ///< its outputs in its compute dtype
  std::string weight_dtype = "float32";  ///< the dtype its weights are stored in
  /// Its first call's receptive field (see receptive_field.hpp), once attached; null where
  /// it has none.
  std::unique_ptr<ReceptiveField> receptive_field;
};

}  // namespace shapelint::cost
