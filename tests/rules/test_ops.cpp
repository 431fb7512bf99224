// Keras 3 operations recorded as layers: the masks Embedding(mask_zero=True) and Masking write.
#include <catch2/catch.hpp>

#include "shapelint/diag/catalog.hpp"
#include "support/rule_harness.hpp"

using namespace shapelint;
using shapelint::test::run_rule;
using shapelint::test::shape;
using shapelint::test::shapes;

namespace {

struct Row {
  const char* name;
  const char* cls;
  const char* config;
  std::vector<const char*> inputs;
  const char* expected;  // output shape, or a rule id when the op fails
};

}  // namespace

TEST_CASE("mask operations keep, broadcast or reduce their input's shape") {
  const Row rows[] = {
      {"NotEqual against a constant keeps the shape",
       "NotEqual",
       R"({"name": "not_equal"})",
       {"(None, 7)"},
       "(None, 7)"},
      {"NotEqual broadcasts two tensors",
       "NotEqual",
       "{}",
       {"(None, 7, 1)", "(3,)"},
       "(None, 7, 3)"},
      {"Equal keeps unknown dims unknown",
       "Equal",
       "{}",
       {"(None, None)", "(None, None)"},
       "(None, None)"},
      {"Greater with an unknown rank is unknown", "Greater", "{}", {"?"}, "?"},
      {"Any reduces the last axis",
       "Any",
       R"({"axis": -1, "keepdims": false})",
       {"(None, 7, 3)"},
       "(None, 7)"},
      {"Any keeps a size-1 axis with keepdims",
       "Any",
       R"({"axis": -1, "keepdims": true})",
       {"(None, 7, 3)"},
       "(None, 7, 1)"},
      {"All over a list of axes", "All", R"({"axis": [1, 2]})", {"(None, 7, 3, 2)"}, "(None, 2)"},
      {"Any without an axis reduces everything", "Any", R"({"axis": null})", {"(None, 7)"}, "()"},
      {"Any over an unknown rank is unknown", "Any", R"({"axis": -1})", {"?"}, "?"},
      {"NotEqual of sizes that cannot broadcast fails",
       "NotEqual",
       "{}",
       {"(None, 6)", "(None, 8)"},
       "SL104"},
      {"Any over an axis the input lacks fails", "Any", R"({"axis": 3})", {"(None, 7)"}, "SL108"},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      Shapes in;
      for (const char* s : row.inputs)
        in.push_back(shape(s));
      auto run = run_rule(row.cls, row.config, in);
      INFO(run.describe());
      REQUIRE(run.found);
      std::string expected = row.expected;
      if (expected.rfind("SL", 0) == 0) {
        CHECK(run.failed);
        CHECK(run.has(expected));
      } else {
        CHECK_FALSE(run.failed);
        REQUIRE(run.outputs.size() == 1);
        CHECK(run.outputs[0] == shape(expected));
        CHECK(run.params == 0);
      }
    }
  }
}
