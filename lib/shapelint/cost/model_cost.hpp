#pragma once
// A model's cost, layer by layer: fills the `cost` of the rows the linter made and sums them.
#include <cstdint>
#include <vector>

#include "shapelint/cost/layer_figures.hpp"
#include "shapelint/cost/receptive_field.hpp"
#include "shapelint/engine/propagate.hpp"
#include "shapelint/lint/report.hpp"
#include "shapelint/model/graph.hpp"

namespace shapelint::cost {

/// The cost of one layer (not a nested model) whose calls ran in `pass` (`shown` is its
/// result there), with the weights `built` holds (the declared pass's layer; `shown` itself
/// outside a replay), for `batch_size` samples. The engine calls it as the layer's last call
/// is done (PropagateOptions::cost_batch).
LayerFigures layer_figures(const Layer& layer,
                           const LayerResult& shown,
                           const LayerResult& built,
                           const ModelResult& pass,
                           std::int64_t batch_size);

/// A row's cost: the figures the engine worked out for its layer, and its receptive field
/// (attach_receptive_fields; moved out into the row).
LayerCost row_cost(LayerResult& shown);

/// Sums the costs of `rows` (made from `model` in its layer order, implicit inputs left out,
/// nested models' rows inside theirs, each with its row_cost) from `shown`, the pass whose
/// shapes the table shows (the what-if replay, or the declared pass): a nested model's row
/// gets the sum of its own. Numbers are for `batch_size` samples. Returns the totals.
CostTotals annotate_cost(std::vector<LayerRow>& rows,
                         const Model& model,
                         const ModelResult& shown,
                         std::int64_t batch_size);

}  // namespace shapelint::cost
