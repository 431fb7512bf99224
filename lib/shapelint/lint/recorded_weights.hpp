#pragma once

#include <vector>

#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/engine/propagate.hpp"
#include "shapelint/io/model_file.hpp"
#include "shapelint/json/document.hpp"
#include "shapelint/model/graph.hpp"

namespace shapelint {

/// Compares the weight shapes a file stores (a `.keras` archive's `model.weights.h5`, a legacy
/// `.h5`'s `model_weights` group) with the weights the engine built for each top-level layer
/// of `model`. A stored weight that fits none of the layer's weights is an SL112 error naming
/// the layer, the weight and both shapes: Keras fails to load such a file. Layers whose weights
/// the engine cannot fully know (custom classes, unbuilt layers) are not compared.
/// `class_keyed_groups`: the file is a Keras 3 archive, whose groups are keyed by the layers'
/// classes in model order ("dense", "dense_1"): weights that do not name their layer are
/// matched to layers that way. Otherwise such weights are not compared.
/// `keras2_archive`: with `class_keyed_groups`, the archive was written by tf.keras 2.13-2.15,
/// which numbers the groups of layers with weights in steps of two ("conv2d", "conv2d_2").
void check_recorded_weights(const Model& model,
                            const ModelResult& built,
                            const std::vector<io::RecordedWeight>& recorded,
                            bool class_keyed_groups,
                            Diagnostics& sink,
                            bool keras2_archive = false);

/// The weights a TensorFlow.js `model.json` lists in its `weightsManifest` ("dense/kernel",
/// Keras 3 exports "sequential/dense/kernel"), each given to the top-level layer (or nested
/// model) that owns the layer it names; names no layer or several layers could own are left
/// out.
std::vector<io::RecordedWeight> tfjs_manifest_weights(JsonValue document, const Model& model);

}  // namespace shapelint
