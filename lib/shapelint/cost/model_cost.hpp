#pragma once
// A model's cost, layer by layer: each layer's figures, the rows' share of them, their sums.
#include <cstdint>
#include <memory>
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

/// A row's cost: the figures the engine worked out for its layer (none: unknown), and its
/// receptive field (`field`, from attach_receptive_fields; null when it has none).
LayerCost row_cost(const LayerFigures* figures, std::unique_ptr<ReceptiveField> field);

/// Sums the costs the engine worked out for `model`'s layers in `shown`, the pass whose
/// shapes the table shows (the what-if replay, or the declared pass), for `batch_size`
/// samples, and returns the totals. A nested model's layer gets the sum of its own layers as
/// its figures, which its row then takes (row_cost): called before the rows are made.
CostTotals annotate_cost(const Model& model, ModelResult& shown, std::int64_t batch_size);

}  // namespace shapelint::cost
