#pragma once
// Well-known architectures, generated layer by layer the way keras.applications builds them
// (keras/src/applications/{resnet,mobilenet_v2,vgg16}.py, include_top=True, 1000 classes),
// so their parameter totals can be compared with Keras's and their MACs with published ones.
#include <string>

#include "cost/model_builder.hpp"

namespace shapelint::test::architectures {

using nlohmann::json;

inline std::string conv(ModelBuilder& m,
                        const std::string& x,
                        const std::string& name,
                        int filters,
                        int kernel,
                        int stride = 1,
                        const std::string& padding = "valid",
                        bool use_bias = true) {
  return m.add("Conv2D",
               {{"name", name},
                {"filters", filters},
                {"kernel_size", {kernel, kernel}},
                {"strides", {stride, stride}},
                {"padding", padding},
                {"use_bias", use_bias}},
               x);
}

inline std::string batch_norm(ModelBuilder& m, const std::string& x, const std::string& name) {
  return m.add("BatchNormalization", {{"name", name}, {"axis", 3}}, x);
}

inline std::string activation(ModelBuilder& m,
                              const std::string& x,
                              const std::string& name,
                              const std::string& fn = "relu") {
  return m.add("Activation", {{"name", name}, {"activation", fn}}, x);
}

/// ResNet's bottleneck block (`block1` of resnet.py). Keras puts the stride on the first 1x1
/// convolution (ResNet v1 as published); `stride_on_3x3` moves it to the 3x3 convolution as
/// torchvision's ResNet50 ("v1.5") does.
inline std::string bottleneck(ModelBuilder& m,
                              const std::string& x,
                              int filters,
                              int stride,
                              bool conv_shortcut,
                              const std::string& name,
                              bool stride_on_3x3) {
  std::string shortcut = x;
  if (conv_shortcut) {
    shortcut = conv(m, x, name + "_0_conv", 4 * filters, 1, stride);
    shortcut = batch_norm(m, shortcut, name + "_0_bn");
  }
  std::string y = conv(m, x, name + "_1_conv", filters, 1, stride_on_3x3 ? 1 : stride);
  y = activation(m, batch_norm(m, y, name + "_1_bn"), name + "_1_relu");
  y = conv(m, y, name + "_2_conv", filters, 3, stride_on_3x3 ? stride : 1, "same");
  y = activation(m, batch_norm(m, y, name + "_2_bn"), name + "_2_relu");
  y = conv(m, y, name + "_3_conv", 4 * filters, 1);
  y = batch_norm(m, y, name + "_3_bn");
  std::string sum = m.add("Add", {{"name", name + "_add"}}, std::vector<std::string>{shortcut, y});
  return activation(m, sum, name + "_out");
}

/// keras.applications.ResNet50: 25,636,712 parameters at 224x224x3.
inline std::string resnet50(bool stride_on_3x3 = false, int size = 224) {
  ModelBuilder m("resnet50");
  std::string x = m.input({size, size, 3});
  x = m.add("ZeroPadding2D", {{"name", "conv1_pad"}, {"padding", {{3, 3}, {3, 3}}}}, x);
  x = conv(m, x, "conv1_conv", 64, 7, 2);
  x = activation(m, batch_norm(m, x, "conv1_bn"), "conv1_relu");
  x = m.add("ZeroPadding2D", {{"name", "pool1_pad"}, {"padding", {{1, 1}, {1, 1}}}}, x);
  x = m.add(
      "MaxPooling2D", {{"name", "pool1_pool"}, {"pool_size", {3, 3}}, {"strides", {2, 2}}}, x);

  struct Stage {
    int filters, blocks, stride;
  };

  int stage_number = 2;
  for (Stage s : {Stage{64, 3, 1}, Stage{128, 4, 2}, Stage{256, 6, 2}, Stage{512, 3, 2}}) {
    for (int b = 1; b <= s.blocks; ++b)
      x = bottleneck(m,
                     x,
                     s.filters,
                     b == 1 ? s.stride : 1,
                     b == 1,
                     "conv" + std::to_string(stage_number) + "_block" + std::to_string(b),
                     stride_on_3x3);
    ++stage_number;
  }
  x = m.add("GlobalAveragePooling2D", {{"name", "avg_pool"}}, x);
  x = m.add("Dense", {{"name", "predictions"}, {"units", 1000}, {"activation", "softmax"}}, x);
  m.output(x);
  return m.json_text();
}

/// `_make_divisible` of mobilenet_v2.py: the nearest multiple of 8, never 10% below.
inline int make_divisible(double v, int divisor = 8) {
  int rounded = std::max(divisor, static_cast<int>(v + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * v)
    rounded += divisor;
  return rounded;
}

inline std::string relu6(ModelBuilder& m, const std::string& x, const std::string& name) {
  return m.add("ReLU", {{"name", name}, {"max_value", 6.0}}, x);
}

inline std::string mobilenet_bn(ModelBuilder& m, const std::string& x, const std::string& name) {
  return m.add("BatchNormalization",
               {{"name", name}, {"axis", -1}, {"epsilon", 1e-3}, {"momentum", 0.999}},
               x);
}

/// `_inverted_res_block` of mobilenet_v2.py at alpha 1.0 on an input of even size.
inline std::string inverted_residual(ModelBuilder& m,
                                     const std::string& x,
                                     int in_channels,
                                     int expansion,
                                     int stride,
                                     int filters,
                                     int block_id) {
  int pointwise_filters = make_divisible(filters);
  std::string prefix = block_id ? "block_" + std::to_string(block_id) + "_" : "expanded_conv_";
  std::string y = x;
  if (block_id) {
    y = conv(m, y, prefix + "expand", expansion * in_channels, 1, 1, "same", false);
    y = relu6(m, mobilenet_bn(m, y, prefix + "expand_BN"), prefix + "expand_relu");
  }
  if (stride == 2)  // correct_pad for an even size: nothing before, one after
    y = m.add("ZeroPadding2D", {{"name", prefix + "pad"}, {"padding", {{0, 1}, {0, 1}}}}, y);
  y = m.add("DepthwiseConv2D",
            {{"name", prefix + "depthwise"},
             {"kernel_size", {3, 3}},
             {"strides", {stride, stride}},
             {"use_bias", false},
             {"padding", stride == 1 ? "same" : "valid"}},
            y);
  y = relu6(m, mobilenet_bn(m, y, prefix + "depthwise_BN"), prefix + "depthwise_relu");
  y = conv(m, y, prefix + "project", pointwise_filters, 1, 1, "same", false);
  y = mobilenet_bn(m, y, prefix + "project_BN");
  if (in_channels == pointwise_filters && stride == 1)
    return m.add("Add", {{"name", prefix + "add"}}, std::vector<std::string>{x, y});
  return y;
}

/// keras.applications.MobileNetV2 (alpha 1.0): 3,538,984 parameters at 224x224x3.
inline std::string mobilenet_v2(int size = 224) {
  ModelBuilder m("mobilenetv2_1.00_224");
  std::string x = m.input({size, size, 3});
  x = conv(m, x, "Conv1", 32, 3, 2, "same", false);
  x = relu6(m, mobilenet_bn(m, x, "bn_Conv1"), "Conv1_relu");

  struct Block {
    int filters, stride, expansion;
  };

  const Block blocks[] = {{16, 1, 1},
                          {24, 2, 6},
                          {24, 1, 6},
                          {32, 2, 6},
                          {32, 1, 6},
                          {32, 1, 6},
                          {64, 2, 6},
                          {64, 1, 6},
                          {64, 1, 6},
                          {64, 1, 6},
                          {96, 1, 6},
                          {96, 1, 6},
                          {96, 1, 6},
                          {160, 2, 6},
                          {160, 1, 6},
                          {160, 1, 6},
                          {320, 1, 6}};
  int channels = 32, id = 0;
  for (const auto& b : blocks) {
    x = inverted_residual(m, x, channels, b.expansion, b.stride, b.filters, id++);
    channels = make_divisible(b.filters);
  }
  x = conv(m, x, "Conv_1", 1280, 1, 1, "valid", false);
  x = relu6(m, mobilenet_bn(m, x, "Conv_1_bn"), "out_relu");
  x = m.add("GlobalAveragePooling2D", {{"name", "global_average_pooling2d"}}, x);
  x = m.add("Dense", {{"name", "predictions"}, {"units", 1000}, {"activation", "softmax"}}, x);
  m.output(x);
  return m.json_text();
}

/// keras.applications.VGG16: 138,357,544 parameters at 224x224x3.
inline std::string vgg16(int size = 224) {
  ModelBuilder m("vgg16");
  std::string x = m.input({size, size, 3});
  const int convs[] = {2, 2, 3, 3, 3};
  const int filters[] = {64, 128, 256, 512, 512};
  for (int block = 0; block < 5; ++block) {
    std::string prefix = "block" + std::to_string(block + 1);
    for (int i = 1; i <= convs[block]; ++i)
      x = m.add("Conv2D",
                {{"name", prefix + "_conv" + std::to_string(i)},
                 {"filters", filters[block]},
                 {"kernel_size", {3, 3}},
                 {"activation", "relu"},
                 {"padding", "same"}},
                x);
    x = m.add("MaxPooling2D",
              {{"name", prefix + "_pool"}, {"pool_size", {2, 2}}, {"strides", {2, 2}}},
              x);
  }
  x = m.add("Flatten", {{"name", "flatten"}}, x);
  x = m.add("Dense", {{"name", "fc1"}, {"units", 4096}, {"activation", "relu"}}, x);
  x = m.add("Dense", {{"name", "fc2"}, {"units", 4096}, {"activation", "relu"}}, x);
  x = m.add("Dense", {{"name", "predictions"}, {"units", 1000}, {"activation", "softmax"}}, x);
  m.output(x);
  return m.json_text();
}

}  // namespace shapelint::test::architectures
