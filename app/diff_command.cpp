#include "diff_command.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli_options.hpp"
#include "shapelint/diff/diff.hpp"
#include "shapelint/lint/lint.hpp"
#include "shapelint/render/render.hpp"
#include <unistd.h>

namespace shapelint::cli {

namespace {

constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;

bool color_wanted(const std::string& mode) {
  if (mode != "auto")
    return mode == "always";
  if (const char* no = std::getenv("NO_COLOR"); no && *no)
    return false;
  if (const char* force = std::getenv("FORCE_COLOR"); force && *force && std::strcmp(force, "0"))
    return true;
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

bool fails(const RunReport& run, const std::string& fail_on) {
  if (fail_on == "never")
    return false;
  for (const auto& f : run.files)
    for (const auto& d : f.diagnostics)
      if (d.severity == Severity::error ||
          (fail_on == "warning" && d.severity == Severity::warning))
        return true;
  return false;
}

}  // namespace

int run_diff(int argc, char** argv) {
  CLI::App app{
      "shapelint diff: what changed between two versions of a model; a changed input "
      "or output signature is an error (SL304)",
      "shapelint diff"};
  std::string old_path, new_path, format = "table", color = "auto", fail_on = "error";
  std::vector<std::string> formats;
  for (const auto& r : renderers())
    formats.emplace_back(r.name);
  app.add_option("OLD", old_path, "the model as it was")->required();
  app.add_option("NEW", new_path, "the model as it is now")->required();
  app.add_option("-f,--format", format, "output format")
      ->check(CLI::IsMember(formats))
      ->default_str("table");
  app.add_option("--color", color, "color output: auto colors only a terminal")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_str("auto");
  app.add_option("--fail-on", fail_on, "which findings make the exit code 1")
      ->check(CLI::IsMember({"error", "warning", "never"}))
      ->default_str("error");
  std::vector<std::string> limits;
  bind_limit_option(app, limits);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitClean : kExitUsage;
  }

  RenderOptions render_options;
  render_options.color = color_wanted(color);
  LintOptions lint_options;
  apply_limits(parse_limit_options(limits), lint_options);
  FileReport before = lint_file(old_path, lint_options);
  FileReport after = lint_file(new_path, lint_options);
  if (before.status == "invalid" || after.status == "invalid") {
    // Nothing to compare: say why, in the format asked for.
    RunReport run;
    run.tool_version = SHAPELINT_VERSION;
    run.files = {std::move(before), std::move(after)};
    tally(run);
    render_options.quiet = true;
    find_renderer(format)->render(run, render_options, std::cout);
    return kExitUsage;
  }
  diff::ModelDiff result = diff::compare(before, after);
  RunReport run = diff::as_run_report(result, SHAPELINT_VERSION);
  if (format == "table")
    diff::render_diff_table(result, render_options, std::cout);
  else
    find_renderer(format)->render(run, render_options, std::cout);
  std::cout.flush();
  return fails(run, fail_on) ? kExitFindings : kExitClean;
}

}  // namespace shapelint::cli
