// Valid input sizes: the sets of working sizes described in words, the scans that find them
// on real architectures (checked against the size arithmetic worked out by hand), and the
// nearest working sizes in the hint of a failing what-if.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cost/architectures.hpp"
#include "cost/model_builder.hpp"
#include "shapelint/analysis/valid_sizes.hpp"
#include "shapelint/lint/lint.hpp"

using namespace shapelint;
using nlohmann::json;
using shapelint::analysis::describe_sizes;
using shapelint::test::layer;
using shapelint::test::ModelBuilder;
using shapelint::test::sequential;

namespace {

std::string describe(const FileReport& r) {
  std::string out = fmt::format("status {}\n", r.status);
  for (const auto& d : r.diagnostics)
    out += fmt::format("  {} {} | hint: {}\n", d.rule, d.message, d.hint);
  for (const auto& s : r.valid_sizes)
    out +=
        fmt::format("  sizes of {}{}: {}\n", s.input, s.rebuilt ? " (rebuilt)" : "", s.description);
  return out;
}

FileReport lint_sizes(const std::string& text) {
  LintOptions options;
  options.valid_sizes = true;
  return lint_text(text, "model.json", options);
}

FileReport lint_what_if(const std::string& text, const std::string& shape) {
  LintOptions options;
  std::string error;
  auto parsed = parse_input_shape_option(shape, error);
  REQUIRE(parsed);
  options.input_shapes.push_back(*parsed);
  return lint_text(text, "model.json", options);
}

json conv(int filters, int kernel, int stride, const std::string& padding) {
  return layer(
      "Conv2D",
      {{"filters", filters}, {"kernel_size", kernel}, {"strides", stride}, {"padding", padding}});
}

json pool(int size, int stride) {
  return layer("MaxPooling2D", {{"pool_size", size}, {"strides", stride}});
}

/// InceptionV3's size arithmetic without its branches: the stem (conv 3/2, conv 3, conv 3
/// same, pool 3/2, conv 1, conv 3, pool 3/2) and the two reduction blocks (conv 3/2 each).
/// By hand, backwards from the last output (≥ 1): 3, 7, 15, 17, 17, 35, 35, 37, 75.
std::string strided_valid_stack(const json& batch_shape) {
  std::vector<json> layers{conv(8, 3, 2, "valid"),
                           conv(8, 3, 1, "valid"),
                           conv(8, 3, 1, "same"),
                           pool(3, 2),
                           conv(8, 1, 1, "valid"),
                           conv(8, 3, 1, "valid"),
                           pool(3, 2),
                           conv(8, 3, 2, "valid"),
                           conv(8, 3, 2, "valid"),
                           layer("GlobalAveragePooling2D", json::object()),
                           layer("Dense", {{"units", 10}})};
  for (std::size_t i = 0; i < layers.size(); ++i)
    layers[i]["config"]["name"] = fmt::format("layer_{}", i);
  return sequential(batch_shape, layers);
}

/// A U-Net with `levels` poolings, 'same' convolutions and Concatenate skips: each skip
/// joins a feature map with an upsampled one, so the size must halve exactly `levels` times.
std::string unet(int levels, const std::vector<std::optional<std::int64_t>>& size) {
  ModelBuilder m("unet");
  std::string x = m.input(size, "image");
  std::vector<std::string> skips;
  int filters = 8;
  auto conv_same = [&](const std::string& in, int f) {
    return m.add("Conv2D", {{"filters", f}, {"kernel_size", 3}, {"padding", "same"}}, in);
  };
  for (int l = 0; l < levels; ++l) {
    x = conv_same(x, filters);
    skips.push_back(x);
    x = m.add("MaxPooling2D", {{"pool_size", 2}}, x);
    filters *= 2;
  }
  x = conv_same(x, filters);
  for (int l = levels - 1; l >= 0; --l) {
    filters /= 2;
    x = m.add("Conv2DTranspose", {{"filters", filters}, {"kernel_size", 2}, {"strides", 2}}, x);
    x = m.add("Concatenate",
              json{{"axis", -1}},
              std::vector<std::string>{skips[static_cast<std::size_t>(l)], x});
    x = conv_same(x, filters);
  }
  x = m.add("Conv2D", {{"name", "mask"}, {"filters", 1}, {"kernel_size", 1}}, x);
  m.output(x);
  return m.json_text();
}

}  // namespace

TEST_CASE("sets of sizes are described by their structure") {
  struct Row {
    std::string name;
    std::function<bool(std::int64_t)> works;
    std::string description;
    std::optional<std::int64_t> smallest;
  };

  const std::vector<Row> rows{
      {"every size from a minimum on", [](auto n) { return n >= 75; }, "at least 75", 75},
      {"every size", [](auto) { return true; }, "at least 1", 1},
      {"multiples from a minimum on",
       [](auto n) { return n >= 32 && n % 16 == 0; },
       "at least 32 and a multiple of 16",
       32},
      {"one residue that is not 0",
       [](auto n) { return n >= 33 && n % 16 == 1; },
       "33, 49, 65, … (at least 33, in steps of 16)",
       33},
      {"several residues",
       [](auto n) { return n >= 8 && (n % 4 == 0 || n % 4 == 1); },
       "at least 8, with a remainder of 0 or 1 when divided by 4",
       8},
      {"two sizes", [](auto n) { return n == 28 || n == 29; }, "28 or 29", 28},
      {"one size", [](auto n) { return n == 64; }, "exactly 64", 64},
      {"a range", [](auto n) { return n >= 224 && n <= 255; }, "from 224 to 255", 224},
      {"a small exception below the pattern",
       [](auto n) { return n == 5 || (n >= 40 && n % 8 == 0); },
       "at least 40 and a multiple of 8 (or exactly 5)",
       5},
      {"nothing", [](auto) { return false; }, "no size from 1 to 2048 works", std::nullopt},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      auto set = describe_sizes(r.works, 2048);
      CHECK(set.description == r.description);
      CHECK(set.smallest == r.smallest);
    }
  }
}

TEST_CASE("a stack of strided valid convolutions needs at least 75x75, as InceptionV3 does") {
  auto report = lint_sizes(strided_valid_stack({nullptr, nullptr, nullptr, 3}));
  INFO(describe(report));
  REQUIRE(report.valid_sizes.size() == 1);
  CHECK(report.valid_sizes[0].description == "height and width must each be at least 75");
  CHECK(report.valid_sizes[0].smallest == "75x75");
  CHECK_FALSE(report.valid_sizes[0].rebuilt);
  CHECK(report.valid_sizes[0].axes == std::vector<std::size_t>{1, 2});
}

TEST_CASE("a U-Net's skip connections need a multiple of 2^levels") {
  SECTION("four poolings: a multiple of 16") {
    auto report = lint_sizes(unet(4, {std::nullopt, std::nullopt, 1}));
    INFO(describe(report));
    REQUIRE(report.valid_sizes.size() == 1);
    CHECK(report.valid_sizes[0].description ==
          "height and width must each be at least 16 and a multiple of 16");
    CHECK(report.valid_sizes[0].smallest == "16x16");
  }
  SECTION("built for 128x128: the built model takes other multiples of 8 as well") {
    auto report = lint_sizes(unet(3, {128, 128, 1}));
    INFO(describe(report));
    REQUIRE_FALSE(report.valid_sizes.empty());
    CHECK(report.valid_sizes[0].description ==
          "height and width must each be at least 8 and a multiple of 8");
  }
  SECTION("what-if 100x100 fails at the first skip; 96x96 and 104x104 work") {
    auto report = lint_what_if(unet(3, {std::nullopt, std::nullopt, 1}), "100x100x1");
    INFO(describe(report));
    REQUIRE(report.status == "error");
    bool hinted = false;
    for (const auto& d : report.diagnostics)
      hinted = hinted || d.hint.find(
                             "100x100 fails at 'Concatenate_1'; the nearest sizes that "
                             "work are 96x96 and 104x104") != std::string::npos;
    CHECK(hinted);
  }
}

TEST_CASE("a Flatten before Dense fixes the size the built model takes") {
  // conv 3 valid then pool 2: 28 → 26 → 13 and 29 → 27 → 13; Dense was built for 13·13·8.
  std::string text =
      sequential({nullptr, 28, 28, 1},
                 {layer("Conv2D", {{"name", "conv"}, {"filters", 8}, {"kernel_size", 3}}),
                  layer("MaxPooling2D", {{"name", "pool"}, {"pool_size", 2}}),
                  layer("Flatten", {{"name", "flatten"}}),
                  layer("Dense", {{"name", "dense"}, {"units", 10}})});
  SECTION("--valid-sizes: 28 or 29 as built, at least 4 when rebuilt") {
    auto report = lint_sizes(text);
    INFO(describe(report));
    REQUIRE(report.valid_sizes.size() == 2);
    CHECK(report.valid_sizes[0].description == "height and width must each be 28 or 29");
    CHECK(report.valid_sizes[1].rebuilt);
    // rebuilt: conv needs 3, the pooling needs 2 after it: 4 → 2 → 1
    CHECK(report.valid_sizes[1].description == "height and width must each be at least 4");
  }
  SECTION("what-if 25x25: the nearest size that works is 28x28") {
    auto report = lint_what_if(text, "25x25x1");
    INFO(describe(report));
    REQUIRE(report.status == "error");
    bool hinted = false;
    for (const auto& d : report.diagnostics)
      hinted = hinted || d.hint.find(
                             "25x25 fails at 'dense'; the nearest size that works is "
                             "28x28") != std::string::npos;
    CHECK(hinted);
  }
  SECTION("what-if 30x30: 29x29 below, nothing larger") {
    auto report = lint_what_if(text, "30x30x1");
    INFO(describe(report));
    bool hinted = false;
    for (const auto& d : report.diagnostics)
      hinted = hinted || d.hint.find("the nearest size that works is 29x29") != std::string::npos;
    CHECK(hinted);
  }
}

TEST_CASE("sequence models: the length a strided Conv1D stack needs") {
  // kernel 5, stride 2, valid twice: n → (n − 5) / 2 + 1 ≥ 5 → n ≥ 13
  std::string text = sequential(
      {nullptr, nullptr, 4},
      {layer("Conv1D", {{"name", "c1"}, {"filters", 8}, {"kernel_size", 5}, {"strides", 2}}),
       layer("Conv1D", {{"name", "c2"}, {"filters", 8}, {"kernel_size", 5}, {"strides", 2}}),
       layer("GlobalMaxPooling1D", {{"name", "gmp"}})});
  auto report = lint_sizes(text);
  INFO(describe(report));
  REQUIRE(report.valid_sizes.size() == 1);
  CHECK(report.valid_sizes[0].description == "the sequence length must be at least 13");
  CHECK(report.valid_sizes[0].axes == std::vector<std::size_t>{1});
}

TEST_CASE("published architectures: the smallest sizes they work at") {
  SECTION("VGG16 as built takes 224 to 255 (Flatten before fc1); rebuilt, at least 32") {
    auto report = lint_sizes(shapelint::test::architectures::vgg16());
    INFO(describe(report));
    REQUIRE(report.valid_sizes.size() == 2);
    // five 2x2 poolings must leave 7: 7·32 = 224 to 8·32 − 1 = 255
    CHECK(report.valid_sizes[0].description == "height and width must each be from 224 to 255");
    // rebuilt, each pooling needs 2 at its input: 2^5 = 32 (Keras's own minimum for VGG16)
    CHECK(report.valid_sizes[1].description == "height and width must each be at least 32");
  }
}

TEST_CASE("a Keras 3 Functional model refusing another size hints at its own size") {
  LintOptions options;
  std::string error;
  options.input_shapes.push_back(*parse_input_shape_option("image=48x48x3", error));
  options.input_shapes.push_back(*parse_input_shape_option("metadata=12", error));
  auto report = lint_file(
      std::string(SHAPELINT_SOURCE_DIR) + "/samples/ok/multi_input_functional.json", options);
  INFO(describe(report));
  REQUIRE(report.status == "error");
  REQUIRE_FALSE(report.diagnostics.empty());
  CHECK(report.diagnostics[0].rule == "SL109");
  CHECK(report.diagnostics[0].hint.find(
            "48x48 fails at 'image'; the nearest size that works is 64x64") != std::string::npos);
}

TEST_CASE("data with the wrong channels gets no size hint: no size would fix it") {
  std::string text =
      sequential({nullptr, 28, 28, 1},
                 {layer("Conv2D", {{"name", "conv"}, {"filters", 8}, {"kernel_size", 3}})});
  auto report = lint_what_if(text, "28x28x3");
  INFO(describe(report));
  REQUIRE(report.status == "error");
  for (const auto& d : report.diagnostics)
    CHECK(d.hint.find("nearest") == std::string::npos);
}
