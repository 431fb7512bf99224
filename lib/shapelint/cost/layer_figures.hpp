#pragma once
// What one layer costs, as the engine works it out when the layer's last call is done: then
// its config and the weights it built are at hand, and a large model need not keep either
// for the cost table (lib/shapelint/cost/model_cost.cpp sums these into the report).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shapelint/memory/optional_count.hpp"

namespace shapelint::cost {

struct ReceptiveField {
  std::vector<std::int64_t> size;    ///< input positions seen, per spatial axis
  std::vector<std::int64_t> stride;  ///< input positions between neighbouring outputs

  friend bool operator==(const ReceptiveField&, const ReceptiveField&) = default;
};

/// One layer's (not a nested model's) cost over all its calls, for the pass's batch size.
struct LayerFigures {
  OptionalCount macs;              ///< multiply-accumulates, every call
  OptionalCount weight_bytes;      ///< its weights in their variable dtype
  OptionalCount activation_bytes;  ///< its outputs in its compute dtype
  /// The dtype its weights are stored in, as dtype_bytes (macs.hpp) names it: static text
  /// (known_dtype_name), "" for a dtype of unknown size, whose weights have no byte count.
  /// A pointer where a std::string took 32 bytes: every layer of a large model has figures
  /// (a 48-byte block each, where they took 80).
  const char* weight_dtype = "float32";
};

}  // namespace shapelint::cost
