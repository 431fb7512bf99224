#include "cli_options.hpp"

#include <iostream>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/limits.hpp"
#include "shapelint/render/render.hpp"
#include "shapelint/render/rule_docs.hpp"

namespace shapelint::cli {

namespace {

/// `--explain SL104`: prints the rule's page (compiled in from docs/rules) and ends the
/// parse, as --version does, so no PATH is needed.
void explain_rule(const std::string& id) {
  auto doc = find_rule_doc(id);
  if (!doc) {
    std::vector<std::string_view> ids;
    for (const auto& info : rule_catalog())
      ids.push_back(info.id);
    throw CLI::ValidationError(
        "--explain", fmt::format("no rule '{}'; the rules are {}", id, fmt::join(ids, ", ")));
  }
  std::cout << doc->page;
  if (!doc->page.empty() && doc->page.back() != '\n')
    std::cout << '\n';
  throw CLI::Success();
}

/// `--limit NAME=VALUE`: the name and the value checked while parsing, so that a bad one is
/// a usage error that lists the limits (or says what the value should look like).
CLI::Validator limit_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::string error;
        return parse_limit_assignment(text, error) ? std::string{} : error;
      },
      "");
}

/// "max-config-size (128MiB), ...": each limit with its default, for --help.
std::string limits_with_defaults() {
  const LintOptions defaults;
  std::vector<std::string> items;
  for (const auto& limit : all_limits())
    items.push_back(
        fmt::format("{} ({})", limit.name, format_limit_value(limit, limit.get(defaults))));
  return fmt::format("{}", fmt::join(items, ", "));
}

}  // namespace

void bind_options(CLI::App& app, CliOptions& o) {
  std::vector<std::string> formats;
  for (const auto& r : renderers())
    formats.emplace_back(r.name);
  app.add_option("paths",
                 o.paths,
                 "model files (Keras 2/3 to_json, .keras config.json, TensorFlow.js model.json), "
                 "directories to search, or - for standard input")
      ->required();
  app.add_option("-f,--format", o.format, "output format")
      ->check(CLI::IsMember(formats))
      ->default_str("table");
  app.add_option("-i,--input-shape",
                 o.input_shapes,
                 "what-if: replay the built model on data of this shape, [INPUT=]DIMS without "
                 "the batch axis, e.g. 25x25x1 or image=64,64,3; repeat once per input")
      ->take_all();
  app.add_option("-b,--batch-size", o.batch_size, "batch dimension used in shapes (default None)")
      ->check(CLI::PositiveNumber);
  app.add_option("--color", o.color, "color output: auto colors only a terminal")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_str("auto");
  app.add_flag("-q,--quiet", o.quiet, "print only diagnostics, no table");
  app.add_option("--fail-on",
                 o.fail_on,
                 "which findings make the exit code 1 (over the configuration's fail-on)")
      ->check(CLI::IsMember({"error", "warning", "never"}))
      ->default_str("error");
  app.add_option_function<std::string>(
         "--explain", explain_rule, "print the documentation of a rule id (e.g. SL104) and exit")
      ->type_name("RULE");
  app.add_flag("--skip-non-models",
               o.skip_non_models,
               "pass over files that are not Keras models instead of failing on them");
  auto* config = app.add_option("--config",
                                o.config_file,
                                "read settings from this file (a pyproject.toml's "
                                "[tool.shapelint], or a .shapelint.toml) for every model, "
                                "instead of looking for one above each model")
                     ->type_name("FILE");
  app.add_flag("--no-config", o.no_config, "read no configuration file")->excludes(config);
  app.add_option("--target",
                 o.target,
                 "report what this target cannot load: tf.keras 2 (keras2), Keras 3 (keras3) "
                 "or TensorFlow.js (tfjs) (SL401-SL404; over the configuration's target)")
      ->check(CLI::IsMember({"keras2", "keras3", "tfjs"}))
      ->type_name("TARGET");
  bind_limit_option(app, o.limits, "; over the configuration's limits");
}

bool read_paths_only(int argc, const char* const* argv, CliOptions& options) {
  if (argc < 2)
    return false;  // no path: CLI11 says one is required
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      return false;
  options.paths.assign(argv + 1, argv + argc);
  return true;
}

void bind_limit_option(CLI::App& app, std::vector<std::string>& texts, std::string_view more) {
  app.add_option("--limit",
                 texts,
                 fmt::format("raise (or lower) a safety limit, e.g. max-layers=2M, "
                             "max-config-size=512MiB, hdf5-timeout=2min; repeatable{}. The "
                             "limits (defaults): {}",
                             more,
                             limits_with_defaults()))
      ->check(limit_validator())
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name("NAME=VALUE");
}

std::vector<LimitSetting> parse_limit_options(const std::vector<std::string>& texts) {
  std::vector<LimitSetting> out;
  std::string error;
  for (const auto& text : texts)
    out.push_back(*parse_limit_assignment(text, error));  // the validator accepted each
  return out;
}

}  // namespace shapelint::cli
