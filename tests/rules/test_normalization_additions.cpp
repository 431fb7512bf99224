// SpectralNormalization, which wraps another layer. Expected values come from Keras 3.16
// itself (functional calls, count_params()).
#include <vector>

#include "layer_rows.hpp"

namespace shapelint::test {
namespace {

const std::vector<Row> kSpectralNormalizationRows = {
    {.name = "SpectralNormalization of a Dense adds vector_u (1, units)",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "Dense", "config": {"units": 4}, "module": "keras.layers", "registered_name": null}})",
     .inputs = {"(None, 5)"},
     .outputs = {"(None, 4)"},
     .params = 28},
    {.name = "SpectralNormalization of a Dense on a sequence",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "Dense", "config": {"units": 4}, "module": "keras.layers", "registered_name": null}})",
     .inputs = {"(None, 3, 5)"},
     .outputs = {"(None, 3, 4)"},
     .params = 28},
    {.name = "SpectralNormalization of a Conv2D adds vector_u (1, filters)",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": 3}, "module": "keras.layers", "registered_name": null}})",
     .inputs = {"(None, 8, 8, 3)"},
     .outputs = {"(None, 6, 6, 4)"},
     .params = 116},
    {.name = "SpectralNormalization of an Embedding normalizes its table",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "Embedding", "config": {"input_dim": 10, "output_dim": 3}, "module": "keras.layers", "registered_name": null}})",
     .inputs = {"(None, 5)"},
     .outputs = {"(None, 5, 3)"},
     .params = 33},
    {.name = "SpectralNormalization of a DepthwiseConv2D",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "DepthwiseConv2D", "config": {"kernel_size": 3}, "module": "keras.layers", "registered_name": null}})",
     .inputs = {"(None, 8, 8, 3)"},
     .outputs = {"(None, 6, 6, 3)"},
     .params = 31},
    {.name = "SpectralNormalization of an EinsumDense",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "EinsumDense", "config": {"equation": "ab,bc->ac", "output_shape": 4}, "module": "keras.layers", "registered_name": null}})",
     .inputs = {"(None, 5)"},
     .outputs = {"(None, 4)"},
     .params = 24},
    {.name = "SpectralNormalization fails on a layer without a kernel",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "BatchNormalization", "config": {}, "module": "keras.layers", "registered_name": null}})",
     .inputs = {"(None, 5)"},
     .error = rule::kInvalidArgument,
     .message = "BatchNormalization object has no attribute 'kernel' nor 'embeddings'"},
    {.name = "SpectralNormalization fails on a SeparableConv2D, which has two kernels",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "SeparableConv2D", "config": {"filters": 4, "kernel_size": 3}, "module": "keras.layers", "registered_name": null}})",
     .inputs = {"(None, 8, 8, 3)"},
     .error = rule::kInvalidArgument,
     .message = "SeparableConv2D object has no attribute 'kernel' nor 'embeddings'"},
    {.name = "SpectralNormalization reports the wrapped layer's own error",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": 3}, "module": "keras.layers", "registered_name": null}})",
     .inputs = {"(None, 2, 2, 3)"},
     .error = rule::kNonPositiveDim,
     .message =
         "Computed output size would be zero or negative. Received `inputs shape=(None, 2, 2, 3)`, "
         "`kernel shape=(3, 3, 3, 4)`, `dilation_rate=[1 1]`, `strides=(1, 1)`, `padding=valid`."},
    {.name = "SpectralNormalization fails on power_iterations 0",
     .cls = "SpectralNormalization",
     .config =
         R"({"layer": {"class_name": "Dense", "config": {"units": 4}, "module": "keras.layers", "registered_name": null}, "power_iterations": 0})",
     .inputs = {"(None, 5)"},
     .error = rule::kInvalidArgument,
     .message = "`power_iterations` should be greater than zero. Received: `power_iterations=0`"},
};

}  // namespace

TEST_CASE("SpectralNormalization matches Keras 3") {
  check_rows(kSpectralNormalizationRows);
}

}  // namespace shapelint::test
