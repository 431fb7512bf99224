// What a configuration does to one model's lint: its options before, its findings after.
#include <algorithm>
#include <system_error>

#include "shapelint/config/config.hpp"

namespace shapelint::config {

const InputShapeRule* input_shapes_for(const Config& config, const std::string& model_path) {
  if (model_path == "-" || config.input_shapes.empty())
    return nullptr;
  std::error_code ec;
  auto absolute = std::filesystem::absolute(model_path, ec).lexically_normal();
  if (ec)
    return nullptr;
  std::string relative = absolute.lexically_relative(config.directory).generic_string();
  const InputShapeRule* last = nullptr;
  for (const auto& rule : config.input_shapes)
    if (glob_match(rule.pattern, relative))
      last = &rule;
  return last;
}

void configure_lint_options(const Config& config,
                            const std::string& model_path,
                            LintOptions& options) {
  if (!config.custom_layers.empty())
    options.custom_layers = &config.custom_layers;
  // What the command line set wins over the file.
  auto keep_or_take = [](std::optional<std::int64_t>& option,
                         const std::optional<std::int64_t>& configured) {
    if (!option)
      option = configured;
  };
  keep_or_take(options.max_params, config.max_params);
  keep_or_take(options.max_macs, config.max_macs);
  keep_or_take(options.max_activation_bytes, config.max_activation_bytes);
  keep_or_take(options.batch_size, config.batch_size);
  apply_limits(config.limits, options);
  if (!options.target && config.target)
    options.target = analysis::parse_target(*config.target);  // --target wins
  if (!options.input_shapes.empty())
    return;  // --input-shape wins over the file
  if (const InputShapeRule* rule = input_shapes_for(config, model_path)) {
    options.input_shapes = rule->shapes;
    options.input_shapes_origin = rule->origin;
  }
}

void apply_severity_policy(const SeverityPolicy& policy, FileReport& report) {
  if (policy.empty() || report.skipped)
    return;
  std::erase_if(report.diagnostics,
                [&](const Diagnostic& d) { return policy.ignored.count(d.rule) > 0; });
  bool error = false;
  for (auto& d : report.diagnostics) {
    if (auto it = policy.overrides.find(d.rule); it != policy.overrides.end())
      d.severity = it->second;
    error = error || d.severity == Severity::error;
  }
  // The rules that make a file invalid cannot be configured, so an invalid file stays so.
  if (report.status != "invalid")
    report.status = error ? "error" : "ok";
}

}  // namespace shapelint::config
