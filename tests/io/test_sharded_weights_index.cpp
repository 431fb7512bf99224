// A Keras sharded weights index (keras/src/saving/saving_lib.py ShardedH5IOStore writes
// {"metadata": {"total_size": ...}, "weight_map": {...}} beside its .weights.h5 shards) holds
// only weights: it is named as such, as a weights-only .h5 is.
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/lint/lint.hpp"

using namespace shapelint;
using json = nlohmann::json;

namespace {

std::string describe(const FileReport& r) {
  std::string out = fmt::format("status {}", r.status);
  for (const auto& d : r.diagnostics)
    out += fmt::format("\n  [{}] {}", d.rule, d.message);
  return out;
}

}  // namespace

TEST_CASE("a Keras sharded weights index is named as weights only, not a model") {
  json index = {{"metadata", {{"total_size", 1234}}},
                {"weight_map",
                 {{"/layers/dense/vars", "model_00000.weights.h5"},
                  {"/layers/dense_1/vars", {"model_00000.weights.h5", "model_00001.weights.h5"}}}}};
  FileReport r = lint_text(index.dump(), "model.weights.json", {});
  INFO(describe(r));
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].rule == "SL003");
  CHECK(r.status == "invalid");
  CHECK(r.diagnostics[0].message.find("sharded weights index") != std::string::npos);
  CHECK(r.diagnostics[0].message.find("2 weight group(s)") != std::string::npos);
  // Another JSON that is no model keeps the general message.
  FileReport other = lint_text(R"({"weight_map": 3})", "x.json", {});
  REQUIRE(other.diagnostics.size() == 1);
  CHECK(other.diagnostics[0].message.find("sharded") == std::string::npos);
}
