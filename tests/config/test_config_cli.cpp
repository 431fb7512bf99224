// The configuration end to end, through the real binary, as a user's repository has it:
// a pyproject.toml at the top, models with custom layers below, stricter settings in places.
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

/// A repository: the pyproject.toml at its top declares the custom layers.
class Repository {
 public:
  Repository() : tree_("config-cli") {
    tree_.write("pyproject.toml", R"toml([project]
name = "my-models"

[tool.shapelint]
fail-on = "warning"

[tool.shapelint.input-shapes]
"whatif/*.json" = "20"

[tool.shapelint.custom_layers.MyProjection]
like = "Dense"
from-config = { units = "projection_dim" }

[tool.shapelint.custom_layers.MyNorm]
shape = "same"
)toml");
    for (const char* dir : {"models", "whatif", "strict", "quiet", "loud", "broken"})
      tree_.write(fmt::format("{}/custom.json", dir), shapelint::test::kCustomModel);
    // Below the top, a .shapelint.toml replaces the pyproject.toml's settings entirely.
    tree_.write("strict/.shapelint.toml", "fail-on = \"warning\"\n");
    tree_.write("quiet/.shapelint.toml", "ignore = [\"SL010\"]\nfail-on = \"warning\"\n");
    tree_.write("loud/.shapelint.toml", "[severity]\nSL010 = \"error\"\n");
    tree_.write("broken/.shapelint.toml", "[custom-layers.MyNorm]\nshape = \"smae\"\n");
  }

  Run run(const std::string& args) const { return shapelint_in(tree_.path(), args); }

  std::string path(const std::string& relative) const { return tree_.path(relative); }

 private:
  shapelint::test::ConfigTree tree_;
};

}  // namespace

TEST_CASE("custom layers declared in pyproject.toml no longer stop propagation") {
  Repository repo;
  Run run = repo.run("--format json models/custom.json");
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK_FALSE(contains(run.out, "SL010"));
  CHECK(contains(run.out, R"("name": "proj")"));
  CHECK(contains(run.out, R"("output_shapes": [[null, 32]])"));  // MyProjection like Dense(32)
  CHECK(contains(run.out, R"("output_shapes": [[null, 4]])"));   // and the Dense after it

  Run table = repo.run("models/custom.json");
  INFO(table.out);
  CHECK(contains(table.out, "Total params: 676"));  // 544 + 132; MyNorm declares none
}

TEST_CASE(
    "with --no-config no configuration is read; with --config FILE that file for every model") {
  Repository repo;
  Run none = repo.run("--no-config --format compact models/custom.json");
  INFO(none.out);
  CHECK(none.exit_code == 0);  // fail-on is "error" again
  CHECK(contains(none.out, "models/custom.json:3:3: warning:"));
  CHECK(contains(none.out, "[SL010]"));

  Run given = repo.run(fmt::format("--config '{}' --format compact strict/custom.json",
                                   repo.path("pyproject.toml")));
  INFO(given.out);
  CHECK(given.exit_code == 0);
  CHECK_FALSE(contains(given.out, "SL010"));

  CHECK(repo.run("--config pyproject.toml --no-config models/custom.json").exit_code == 2);
}

TEST_CASE("the nearest configuration wins, and the command line wins over it") {
  Repository repo;
  Run strict = repo.run("--format compact strict/custom.json");
  INFO(strict.out);
  CHECK(strict.exit_code == 1);  // its own fail-on = "warning", and no custom layers
  CHECK(contains(strict.out, "strict/custom.json:3:3: warning:"));
  CHECK(repo.run("--fail-on error strict/custom.json").exit_code == 0);

  Run quiet = repo.run("--format compact quiet/custom.json");
  INFO(quiet.out);
  CHECK(quiet.exit_code == 0);
  CHECK_FALSE(contains(quiet.out, "SL010"));

  Run loud = repo.run("--format compact loud/custom.json");
  INFO(loud.out);
  CHECK(loud.exit_code == 1);
  CHECK(contains(loud.out, "loud/custom.json:3:3: error:"));
  CHECK(repo.run("--fail-on never loud/custom.json").exit_code == 0);

  // Several files in one run, each under its own configuration.
  Run both = repo.run("--format compact models/custom.json strict/custom.json");
  INFO(both.out);
  CHECK(both.exit_code == 1);
  CHECK_FALSE(contains(both.out, "models/custom.json:"));
  CHECK(contains(both.out, "strict/custom.json:3:3:"));
}

TEST_CASE("input shapes come from the configuration's globs unless --input-shape is given") {
  Repository repo;
  Run fed = repo.run("--format compact whatif/custom.json");
  INFO(fed.out);
  CHECK(fed.exit_code == 1);  // replayed on 20 features: the projection was built for 16
  CHECK(contains(fed.out, "whatif/custom.json:3:3: error:"));
  CHECK(contains(fed.out, "[SL102]"));
  CHECK(repo.run("--input-shape 16 whatif/custom.json").exit_code == 0);
  CHECK(repo.run("models/custom.json").exit_code == 0);  // the glob does not match there
}

TEST_CASE("budgets and the batch size come from the configuration; the command line wins") {
  // Dense(16 -> 4): 68 parameters, 64 multiply-accumulates per sample.
  const char* model = R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 16], "name": "in"}},
  {"class_name": "Dense", "config": {"name": "d", "units": 4}}
]}, "keras_version": "2.15.0", "backend": "tensorflow"})";
  shapelint::test::ConfigTree tree("config-budgets");
  tree.write("small/.shapelint.toml", "max-params = 50\n");
  tree.write("small/model.json", model);
  tree.write("batched/.shapelint.toml", "max-macs = \"1K\"\nbatch-size = 32\n");
  tree.write("batched/model.json", model);

  Run small = shapelint_in(tree.path(), "--format compact small/model.json");
  INFO(small.out);
  CHECK(small.exit_code == 1);
  CHECK(contains(small.out, "[SL301]"));
  CHECK(shapelint_in(tree.path(), "--max-params 100 small/model.json").exit_code == 0);

  // 64 MACs per sample, 2048 for a batch of 32: over the 1K budget.
  Run batched = shapelint_in(tree.path(), "--format compact batched/model.json");
  INFO(batched.out);
  CHECK(batched.exit_code == 1);
  CHECK(contains(batched.out, "[SL302]"));
  CHECK(shapelint_in(tree.path(), "--batch-size 8 batched/model.json").exit_code == 0);
}

TEST_CASE("a bad configuration stops the run with exit 2, naming the file and the key") {
  Repository repo;
  Run run = repo.run("models/custom.json broken/custom.json");
  CHECK(run.exit_code == 2);
  CHECK(contains(run.out,
                 "shapelint: configuration error: broken/.shapelint.toml:2:9: "
                 "custom-layers.MyNorm.shape: the only shape is \"same\""));
  Run missing = repo.run("--config nowhere.toml models/custom.json");
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.out, "nowhere.toml: no such configuration file"));
}

TEST_CASE("standard input is configured from the current directory") {
  Repository repo;
  Run run = repo.run("--format compact - < models/custom.json");
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK_FALSE(contains(run.out, "SL010"));
}
