// --target through the real binary, and `target` in the configuration file.
#include <array>
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "config/config_fixtures.hpp"
#include "support/run_command.hpp"
#include <sys/wait.h>

namespace {

using Run = shapelint::test::CommandRun;

using shapelint::test::shapelint_in;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// A Keras 3 model (batch_shape): TensorFlow.js 4.22 refuses it, Keras 3 loads it.
const char* kKeras3Model = R"({
  "module": "keras", "class_name": "Sequential", "registered_name": null,
  "config": {"name": "mlp", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "registered_name": null,
     "config": {"name": "features", "batch_shape": [null, 8]}},
    {"module": "keras.layers", "class_name": "Dense", "registered_name": null,
     "config": {"name": "dense", "units": 2}, "build_config": {"input_shape": [null, 8]}}
  ]}
})";

}  // namespace

TEST_CASE("the target option: reports what the target cannot load, and fails the run") {
  shapelint::test::ConfigTree tree("target-cli");
  tree.write("m/model.json", kKeras3Model);
  Run tfjs = shapelint_in(tree.path(), "--no-config --target tfjs --format compact m/model.json");
  INFO(tfjs.out);
  CHECK(tfjs.exit_code == 1);
  CHECK(contains(tfjs.out, "[SL403]"));
  CHECK(contains(tfjs.out, "m/model.json:5:"));
  Run keras3 = shapelint_in(tree.path(), "--no-config --target keras3 m/model.json");
  INFO(keras3.out);
  CHECK(keras3.exit_code == 0);
  CHECK_FALSE(contains(keras3.out, "SL4"));
  Run none = shapelint_in(tree.path(), "--no-config m/model.json");
  CHECK(none.exit_code == 0);
  CHECK_FALSE(contains(none.out, "SL4"));
}

TEST_CASE("the target option: takes keras2, keras3 or tfjs; anything else is a usage error") {
  shapelint::test::ConfigTree tree("target-cli-usage");
  tree.write("model.json", kKeras3Model);
  Run bad = shapelint_in(tree.path(), "--no-config --target keras4 model.json");
  INFO(bad.out);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.out, "--target"));
  Run help = shapelint_in(tree.path(), "--help");
  CHECK(contains(help.out, "--target"));
}

TEST_CASE("target in the configuration file applies; --target wins over it") {
  shapelint::test::ConfigTree tree("target-config");
  tree.write("pyproject.toml", "[tool.shapelint]\ntarget = \"tfjs\"\n");
  tree.write("model.json", kKeras3Model);
  Run configured = shapelint_in(tree.path(), "--format compact model.json");
  INFO(configured.out);
  CHECK(configured.exit_code == 1);
  CHECK(contains(configured.out, "[SL403]"));
  Run overridden = shapelint_in(tree.path(), "--target keras3 --format compact model.json");
  INFO(overridden.out);
  CHECK(overridden.exit_code == 0);
  CHECK_FALSE(contains(overridden.out, "SL403"));
  // An ignored rule id of the family is dropped like any other.
  tree.write("pyproject.toml", "[tool.shapelint]\ntarget = \"tfjs\"\nignore = [\"SL403\"]\n");
  Run ignored = shapelint_in(tree.path(), "--format compact model.json");
  INFO(ignored.out);
  CHECK(ignored.exit_code == 0);
}

TEST_CASE("a bad target in the configuration stops the run, naming the key") {
  shapelint::test::ConfigTree tree("target-config-bad");
  tree.write(".shapelint.toml", "target = \"tensorflowjs\"\n");
  tree.write("model.json", kKeras3Model);
  Run run = shapelint_in(tree.path(), "model.json");
  INFO(run.out);
  CHECK(run.exit_code == 2);
  CHECK(contains(run.out, ".shapelint.toml:1:"));
  CHECK(contains(run.out, "target"));
}
