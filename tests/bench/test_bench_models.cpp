// The benchmark's generated models (bench/model_gen.cpp) stand for real ones: each must lint
// clean, so that the benchmark times the lint of a valid model, not the reporting of findings
// a generator bug would raise.
#include <string>

#include <catch2/catch.hpp>

#include "model_gen.hpp"
#include "shapelint/lint/lint.hpp"

namespace {

using shapelint::bench::Generation;

void check_clean(const std::string& text, std::size_t layers) {
  shapelint::FileReport report = shapelint::lint_text(text, "generated.json", {});
  CHECK(report.status == "ok");
  for (const auto& d : report.diagnostics)
    FAIL_CHECK(d.rule << " " << d.layer.value_or("") << ": " << d.message);
  CHECK(report.layers.size() == layers);
}

}  // namespace

TEST_CASE("the benchmark's generated models lint clean in both generations") {
  for (Generation generation : {Generation::keras2, Generation::keras3}) {
    INFO("generation " << (generation == Generation::keras2 ? "tf.keras 2" : "Keras 3"));
    SECTION("a long residual chain") {
      check_clean(shapelint::bench::long_functional(200, generation), 201);
    }
    SECTION("a chain of Activation layers") {
      check_clean(shapelint::bench::activation_chain(300, generation), 301);
    }
    SECTION("a Sequential chain of Activation layers") {
      check_clean(shapelint::bench::sequential_activation_chain(300, generation), 301);
    }
    SECTION("an Inception-like graph") {
      // input, stem, 30 blocks of 4 x (conv, batch norm, relu) and a concatenation, pool, logits
      check_clean(shapelint::bench::inception_like(30, generation), 2 + 30 * 13 + 2);
    }
    SECTION("small CNNs") {
      for (std::size_t seed = 0; seed < 4; ++seed)
        check_clean(shapelint::bench::small_cnn(seed, generation), 6);
    }
  }
}
