// Budgets: --max-params, --max-macs and --max-activation-memory turn a model that grew past
// them into a finding (SL301, SL302, SL303) and a failing exit code.
#include <array>
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cost/model_builder.hpp"
#include "shapelint/analysis/budget.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"
#include <sys/wait.h>

using namespace shapelint;
using shapelint::analysis::parse_bytes;
using shapelint::analysis::parse_count;
using shapelint::test::layer;
using shapelint::test::sequential;

namespace {

/// Conv2D(8, 3) on 28x28x3: 224 params, 26·26·8·27 = 146,016 MACs, activations
/// 28·28·3 + 26·26·8 = 7,760 float32 elements = 31,040 bytes per sample.
std::string small_cnn() {
  return sequential({nullptr, 28, 28, 3},
                    {layer("Conv2D", {{"name", "conv"}, {"filters", 8}, {"kernel_size", 3}})});
}

const Diagnostic* finding(const FileReport& r, std::string_view id) {
  for (const auto& d : r.diagnostics)
    if (d.rule == id)
      return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("counts and sizes are read as people write them") {
  CHECK(parse_count("3538984") == 3538984);
  CHECK(parse_count("3,538,984") == 3538984);
  CHECK(parse_count("25M") == 25000000);
  CHECK(parse_count("3.5m") == 3500000);
  CHECK(parse_count("4.1G") == 4100000000);
  CHECK(parse_count("300K") == 300000);
  CHECK_FALSE(parse_count("12x"));
  CHECK_FALSE(parse_count("-5"));
  CHECK_FALSE(parse_count(""));
  CHECK_FALSE(parse_count("M"));
  CHECK_FALSE(parse_count("99999999999999999999"));
  CHECK(parse_bytes("4096") == 4096);
  CHECK(parse_bytes("512KiB") == 512 * 1024);
  CHECK(parse_bytes("1.5 GiB") == 1536LL * 1024 * 1024);
  CHECK(parse_bytes("100MB") == 100000000);
  CHECK(parse_bytes("2G") == 2LL * 1024 * 1024 * 1024);
  CHECK(parse_bytes("64B") == 64);
  CHECK_FALSE(parse_bytes("12 bananas"));
}

TEST_CASE("each budget is a finding of its own when exceeded, and only then") {
  struct Row {
    std::string name;
    LintOptions options;
    std::string_view rule;
    bool exceeded;
  };

  auto with = [](auto set) {
    LintOptions o;
    set(o);
    return o;
  };
  const std::vector<Row> rows{
      {"params over", with([](LintOptions& o) { o.max_params = 223; }), rule::kParamBudget, true},
      {"params at the budget",
       with([](LintOptions& o) { o.max_params = 224; }),
       rule::kParamBudget,
       false},
      {"MACs over", with([](LintOptions& o) { o.max_macs = 146015; }), rule::kMacBudget, true},
      {"MACs at the budget",
       with([](LintOptions& o) { o.max_macs = 146016; }),
       rule::kMacBudget,
       false},
      {"MACs of a batch of 2 over",
       with([](LintOptions& o) {
         o.max_macs = 200000;
         o.batch_size = 2;
       }),
       rule::kMacBudget,
       true},
      {"activations over",
       with([](LintOptions& o) { o.max_activation_bytes = 31039; }),
       rule::kActivationMemoryBudget,
       true},
      {"activations at the budget",
       with([](LintOptions& o) { o.max_activation_bytes = 31040; }),
       rule::kActivationMemoryBudget,
       false},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      auto report = lint_text(small_cnn(), "model.json", r.options);
      const Diagnostic* d = finding(report, r.rule);
      CHECK((d != nullptr) == r.exceeded);
      CHECK(report.status == (r.exceeded ? "error" : "ok"));
      if (d) {
        CHECK(d->severity == Severity::error);
        CHECK_FALSE(d->layer);
        CHECK(d->hint.find("'conv'") != std::string::npos);
      }
    }
  }
}

TEST_CASE("the budget messages say the total, the budget and the batch") {
  LintOptions options;
  options.max_params = 100;
  options.max_macs = 1000;
  options.max_activation_bytes = 1024;
  auto report = lint_text(small_cnn(), "model.json", options);
  REQUIRE(finding(report, rule::kParamBudget));
  CHECK(finding(report, rule::kParamBudget)->message ==
        "the model has 224 parameters, over the budget of 100 (--max-params)");
  CHECK(finding(report, rule::kMacBudget)->message ==
        "the model costs 146,016 multiply-accumulates (146K) for a batch of 1, over the budget "
        "of 1,000 (--max-macs)");
  CHECK(finding(report, rule::kActivationMemoryBudget)->message ==
        "the model's activations take 30.3 KiB for a batch of 1, over the budget of 1.00 KiB "
        "(--max-activation-memory)");
}

TEST_CASE("unknown sizes make a total a lower bound, held against the budget as such") {
  std::string text =
      sequential({nullptr, nullptr, nullptr, 3},
                 {layer("Conv2D", {{"name", "conv"}, {"filters", 8}, {"kernel_size", 3}})});
  LintOptions options;
  options.max_macs = 1;
  auto report = lint_text(text, "model.json", options);
  // Nothing is known to exceed 1 MAC: the conv's count is unknown, the known total is 0.
  CHECK_FALSE(finding(report, rule::kMacBudget));
}

namespace {

int exit_code_of(const std::string& args) {
  std::string cmd = fmt::format(
      "cd '{}' && '{}' {} > /dev/null 2>&1", SHAPELINT_SOURCE_DIR, SHAPELINT_BINARY, args);
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("on the command line a budget fails the run, a malformed one is a usage error") {
  CHECK(exit_code_of("samples/ok/mnist_cnn.json --max-params 500K") == 1);
  CHECK(exit_code_of("samples/ok/mnist_cnn.json --max-params 1M") == 0);
  CHECK(exit_code_of("samples/ok/mnist_cnn.json --max-macs 900K") == 1);
  CHECK(exit_code_of("samples/ok/mnist_cnn.json --max-activation-memory 1MiB") == 0);
  CHECK(exit_code_of("samples/ok/mnist_cnn.json --max-params 12x") == 2);
  CHECK(exit_code_of("samples/ok/mnist_cnn.json --max-activation-memory lots") == 2);
  CHECK(exit_code_of("samples/ok/mnist_cnn.json --max-params 500K --fail-on never") == 0);
}

TEST_CASE("costs are worked out when asked for or when a budget needs them, and only then") {
  LintOptions options;
  options.cost = false;
  FileReport bare = lint_text(small_cnn(), "m.json", options);
  CHECK_FALSE(bare.cost);
  for (const auto& row : bare.layers) {
    CHECK_FALSE(row.cost.macs);
    CHECK_FALSE(row.cost.receptive_field);
  }
  CHECK(bare.status == "ok");

  for (int budget = 0; budget < 3; ++budget) {
    LintOptions needs = options;
    if (budget == 0)
      needs.cost = true;
    else if (budget == 1)
      needs.max_macs = 1000;
    else
      needs.max_activation_bytes = 1000;
    INFO(budget);
    FileReport report = lint_text(small_cnn(), "m.json", needs);
    REQUIRE(report.cost);
    CHECK(report.cost->macs == 146'016);
    CHECK(report.layers.back().cost.macs == 146'016);
    if (budget == 1)
      CHECK(finding(report, rule::kMacBudget));
    if (budget == 2)
      CHECK(finding(report, rule::kActivationMemoryBudget));
  }
}

TEST_CASE("the table and the JSON report show costs whatever the table leaves out") {
  CHECK(exit_code_of("samples/ok/mnist_cnn.json --max-activation-memory 1KiB") == 1);
  auto output_of = [](const std::string& args) {
    std::string cmd =
        fmt::format("cd '{}' && '{}' {} 2>&1", SHAPELINT_SOURCE_DIR, SHAPELINT_BINARY, args);
    std::string out;
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe);
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
      out.append(buffer.data(), n);
    pclose(pipe);
    return out;
  };
  std::string json = output_of("--format json samples/ok/mnist_cnn.json");
  CHECK(json.find("\"macs\": null") == std::string::npos);
  CHECK(json.find("\"receptive_field\"") != std::string::npos);
  std::string table = output_of("--cost samples/ok/mnist_cnn.json");
  CHECK(table.find("Receptive field") != std::string::npos);
  CHECK(table.find("MACs") != std::string::npos);
}
