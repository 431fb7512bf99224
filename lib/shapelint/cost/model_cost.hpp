#pragma once
// A model's cost, layer by layer: fills the `cost` of the rows the linter made and sums them.
#include <cstdint>
#include <vector>

#include "shapelint/engine/propagate.hpp"
#include "shapelint/lint/report.hpp"
#include "shapelint/model/graph.hpp"

namespace shapelint::cost {

/// Fills `rows` (made from `model` in its layer order, implicit inputs left out, nested
/// models' rows inside theirs) from `shown`, the pass whose shapes the table shows (the
/// what-if replay, or the declared pass), and `built`, the declared pass whose weights the
/// layers hold. Numbers are for `batch_size` samples. Returns the totals.
CostTotals annotate_cost(std::vector<LayerRow>& rows,
                         const Model& model,
                         const ModelResult& shown,
                         const ModelResult& built,
                         std::int64_t batch_size);

}  // namespace shapelint::cost
