// The engine's memo of rule outcomes: found again only for the same rule, a config written
// alike but for its name, the same input shapes and the same building state.
#include <string>

#include <catch2/catch.hpp>

#include "shapelint/engine/rule_memo.hpp"
#include "shapelint/rules/registry.hpp"
#include "support/rule_harness.hpp"

using namespace shapelint;
using shapelint::test::parse_config;

namespace {

/// Arguments every config of these tests has besides its own: a layer config's usual
/// initializers and regularizers, enough for the memo to look the config up.
const std::string kUsualArguments =
    R"("kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
       "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
       "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
       "bias_constraint": null, "use_bias": true)";

/// A config object of `members` (`"name": "a", "units": 8`) and the usual arguments.
std::string config(const std::string& members) {
  return "{" + members + ", " + kUsualArguments + "}";
}

RuleOutcome outcome_of(std::int64_t units) {
  RuleOutcome o;
  o.outputs = {Shape{Dim::unknown(), Dim::of(units)}};
  o.weights.push_back(WeightSpec{"kernel", Shape{Dim::of(4), Dim::of(units)}, true});
  return o;
}

}  // namespace

TEST_CASE("a rule outcome is found again only for a run alike but for the layer's name") {
  auto doc = parse_config(
      "[" + config(R"("name": "a", "units": 8)") + ", " + config(R"("name": "b", "units": 8)") +
      ", " + config(R"("name": "c", "units": 9)") + ", " + config(R"("units": 8)") + "]");
  const JsonValue layers = doc->root();
  const LayerRule& dense = *RuleRegistry::builtin().find("Dense");
  const LayerRule& relu = *RuleRegistry::builtin().find("ReLU");
  const Shapes inputs{Shape{Dim::unknown(), Dim::of(4)}};
  const Shapes other_inputs{Shape{Dim::unknown(), Dim::of(5)}};
  const Shapes unknown_rank{Shape::unknown_rank()};
  const Shapes overflowed{Shape{Dim::unknown(), Dim::overflow()}};
  const Shapes unknown_dim{Shape{Dim::unknown(), Dim::unknown()}};

  RuleMemo memo;
  CHECK_FALSE(memo.find(memo.run(dense, layers[0], inputs, true)));
  memo.keep(memo.run(dense, layers[0], inputs, true), outcome_of(8));

  const RuleOutcome* found = memo.find(memo.run(dense, layers[1], inputs, true));
  REQUIRE(found);
  CHECK(found->outputs[0] == Shape{Dim::unknown(), Dim::of(8)});
  REQUIRE(found->weights.size() == 1);
  CHECK(found->weights[0].name == "kernel");
  CHECK(memo.find(memo.run(dense, layers[0], inputs, true)));

  CHECK_FALSE(memo.find(memo.run(dense, layers[2], inputs, true)));   // other units
  CHECK_FALSE(memo.find(memo.run(dense, layers[3], inputs, true)));   // no name member
  CHECK_FALSE(memo.find(memo.run(relu, layers[1], inputs, true)));    // another rule
  CHECK_FALSE(memo.find(memo.run(dense, layers[1], inputs, false)));  // not building
  CHECK_FALSE(memo.find(memo.run(dense, layers[1], other_inputs, true)));
  CHECK_FALSE(memo.find(memo.run(dense, layers[1], unknown_rank, true)));
  CHECK_FALSE(memo.find(memo.run(dense, layers[1], Shapes{}, true)));

  // An overflowed dim is not an unknown one (the rule reports the overflow).
  memo.keep(memo.run(dense, layers[0], unknown_dim, true), outcome_of(8));
  CHECK(memo.find(memo.run(dense, layers[1], unknown_dim, true)));
  CHECK_FALSE(memo.find(memo.run(dense, layers[1], overflowed, true)));

  // A config of another document is another config.
  auto other = parse_config("[" + config(R"("name": "a", "units": 8)") + "]");
  CHECK_FALSE(memo.find(memo.run(dense, other->root()[0], inputs, true)));
  CHECK(memo.find(memo.run(dense, layers[1], inputs, true)));
}

TEST_CASE("a config holding many values is not looked up") {
  // An Embedding's config may hold its initial weights: comparing them would cost their size.
  std::string weights = "[0.5";
  for (std::size_t i = 0; i < RuleMemo::kMaxConfigValues; ++i)
    weights += ", 0.5";
  auto doc = parse_config("[" + config(R"("name": "a", "w": )" + weights + "]") + ", " +
                          config(R"("name": "b", "w": )" + weights + "]") + ", " +
                          config(R"("name": "c", "w": [0.5, 0.5])") + ", " +
                          config(R"("name": "d", "w": [0.5, 0.5])") + ", " +
                          R"({"name": "e", "units": 3}, {"name": "f", "units": 3}])");
  const LayerRule& dense = *RuleRegistry::builtin().find("Dense");
  const Shapes inputs{Shape{Dim::unknown(), Dim::of(4)}};
  RuleMemo memo;
  auto large = memo.run(dense, doc->root()[0], inputs, true);
  CHECK_FALSE(large.memoized);
  memo.keep(large, outcome_of(8));
  CHECK_FALSE(memo.find(memo.run(dense, doc->root()[1], inputs, true)));
  auto small = memo.run(dense, doc->root()[2], inputs, true);
  CHECK(small.memoized);
  memo.keep(small, outcome_of(8));
  CHECK(memo.find(memo.run(dense, doc->root()[3], inputs, true)));
  // Nor is a config of a few values: its rule costs less than the lookup.
  auto tiny = memo.run(dense, doc->root()[4], inputs, true);
  CHECK_FALSE(tiny.memoized);
  memo.keep(tiny, outcome_of(3));
  CHECK_FALSE(memo.find(memo.run(dense, doc->root()[5], inputs, true)));
  CHECK(doc->root()[4].held_count() == 2);
  CHECK(doc->root()[2].held_count() == 17);  // "name", "w" and its two, 13 usual ones
  CHECK(doc->root()[0].held_count() == RuleMemo::kMaxConfigValues + 16);
}

TEST_CASE("the rule memo keeps a bounded number of outcomes") {
  std::string text = "[";
  for (std::size_t i = 0; i < RuleMemo::kMaxEntries + 10; ++i)
    text += (i ? ", " : "") + config(R"("units": )" + std::to_string(i + 1));
  auto doc = parse_config(text + "]");
  const LayerRule& dense = *RuleRegistry::builtin().find("Dense");
  const Shapes inputs{Shape{Dim::unknown(), Dim::of(4)}};
  RuleMemo memo;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < RuleMemo::kMaxEntries + 10; ++i) {
    auto run = memo.run(dense, doc->root()[i], inputs, true);
    memo.keep(run, outcome_of(static_cast<std::int64_t>(i + 1)));
    if (const RuleOutcome* found = memo.find(run)) {
      ++kept;
      CHECK(found->outputs[0].dims()[1] == Dim::of(static_cast<std::int64_t>(i + 1)));
    }
  }
  // At most kMaxEntries of the kMaxEntries + 10; a few may have found their slots taken.
  CHECK(kept <= RuleMemo::kMaxEntries);
  CHECK(kept >= RuleMemo::kMaxEntries / 2);
}
