// Google Benchmark: linting versus parsing the same JSON with nlohmann_json alone, on
// generated inputs (no files needed). `cmake --build build --target bench` runs it with the
// memory and multi-file measurements of run_bench.sh.
#include <nlohmann/json.hpp>

#include "model_gen.hpp"
#include "shapelint/lint/lint.hpp"
#include <benchmark/benchmark.h>

namespace {

using shapelint::bench::Generation;

const std::string& cached(int which) {
  static const std::string k2 = shapelint::bench::long_functional(100000, Generation::keras2);
  static const std::string k3 = shapelint::bench::long_functional(100000, Generation::keras3);
  static const std::string inception = shapelint::bench::inception_like(30, Generation::keras2);
  static const std::string small = shapelint::bench::small_cnn(1, Generation::keras3);
  switch (which) {
    case 0:
      return k2;
    case 1:
      return k3;
    case 2:
      return inception;
    default:
      return small;
  }
}

void parse_only(benchmark::State& state) {
  const std::string& text = cached(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto doc = nlohmann::json::parse(text);
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void lint(benchmark::State& state) {
  const std::string& text = cached(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto report = shapelint::lint_text(text, "model.json", {});
    benchmark::DoNotOptimize(report);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

// 0: 100,000-layer tf.keras 2 Functional; 1: the same in Keras 3 form;
// 2: Inception-sized graph; 3: a small CNN.
BENCHMARK(parse_only)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);
BENCHMARK(lint)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
