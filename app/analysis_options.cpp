#include "analysis_options.hpp"

#include "shapelint/analysis/budget.hpp"

namespace shapelint::cli {

namespace {

CLI::Validator count_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return analysis::parse_count(text)
                   ? std::string{}
                   : "'" + text + "' is not a count (e.g. 25000000, 25M, 4.1G)";
      },
      "COUNT");
}

CLI::Validator bytes_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return analysis::parse_bytes(text) ? std::string{}
                                           : "'" + text + "' is not a size (e.g. 512MiB, 2GB, 1G)";
      },
      "SIZE");
}

}  // namespace

void bind_analysis_options(CLI::App& app, AnalysisOptions& o) {
  app.add_flag("--cost",
               o.cost,
               "table: add each layer's MACs, weight and activation memory and receptive field "
               "(always in the JSON report)");
  app.add_flag("--valid-sizes",
               o.valid_sizes,
               "find which sizes of each input's spatial or sequence axes the model accepts");
  app.add_option("--max-params", o.max_params, "budget: fail (SL301) above this many parameters")
      ->check(count_validator())
      ->type_name("COUNT");
  app.add_option("--max-macs",
                 o.max_macs,
                 "budget: fail (SL302) above this many multiply-accumulates for the batch size "
                 "(default 1)")
      ->check(count_validator())
      ->type_name("COUNT");
  app.add_option("--max-activation-memory",
                 o.max_activation_memory,
                 "budget: fail (SL303) above this much activation memory for the batch size "
                 "(default 1), e.g. 512MiB")
      ->check(bytes_validator())
      ->type_name("SIZE");
  app.footer("shapelint diff OLD NEW compares two versions of a model: see shapelint diff --help");
}

void apply_analysis_options(const AnalysisOptions& o, LintOptions& lint) {
  lint.valid_sizes = o.valid_sizes;
  if (o.max_params)
    lint.max_params = analysis::parse_count(*o.max_params);
  if (o.max_macs)
    lint.max_macs = analysis::parse_count(*o.max_macs);
  if (o.max_activation_memory)
    lint.max_activation_bytes = analysis::parse_bytes(*o.max_activation_memory);
}

}  // namespace shapelint::cli
