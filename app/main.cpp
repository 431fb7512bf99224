// shapelint: thin wiring from the command line to the library; exit codes per CONTRACT.md.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "analysis_options.hpp"
#include "cli_options.hpp"
#include "diff_command.hpp"
#include "shapelint/config/config.hpp"
#include "shapelint/lint/lint.hpp"
#include "shapelint/memory/phase_marks.hpp"
#include "shapelint/memory/small_blocks.hpp"
#include "shapelint/render/render.hpp"
#include "standard_output.hpp"
#include <malloc.h>
#include <unistd.h>

namespace {

constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::strcmp(v, "0") != 0;
}

/// ninja's rule: color a terminal unless NO_COLOR; FORCE_COLOR / CLICOLOR_FORCE force it.
bool use_color(const std::string& mode) {
  if (mode == "always")
    return true;
  if (mode == "never")
    return false;
  if (std::getenv("NO_COLOR") && *std::getenv("NO_COLOR"))
    return false;
  if (env_set("FORCE_COLOR") || env_set("CLICOLOR_FORCE"))
    return true;
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

std::size_t terminal_width() {
  if (const char* cols = std::getenv("COLUMNS")) {
    char* end = nullptr;
    long v = std::strtol(cols, &end, 10);
    if (end && *end == '\0' && v >= 40 && v <= 1000)
      return static_cast<std::size_t>(v);
  }
  return 80;
}

using ConfigPtr = std::shared_ptr<const shapelint::config::Config>;

/// The configuration file of each path (null where there is none), each directory looked
/// at once; false after printing the error of a bad file.
bool find_configs(const shapelint::cli::CliOptions& cli,
                  const std::vector<shapelint::ExpandedPath>& paths,
                  std::vector<ConfigPtr>& configs) {
  namespace config = shapelint::config;
  config::ConfigError error;
  std::optional<config::ConfigFinder> finder;
  if (cli.no_config)
    finder = config::ConfigFinder::none();
  else if (cli.config_file)
    finder = config::ConfigFinder::from_file(*cli.config_file, error);
  else
    finder = config::ConfigFinder::discover();
  bool ok = finder.has_value();
  configs.resize(paths.size());
  for (std::size_t i = 0; ok && i < paths.size(); ++i)
    ok = finder->find(paths[i].path, configs[i], error);
  if (!ok)
    std::cerr << "shapelint: configuration error: " << error.describe() << '\n';
  return ok;
}

/// Lints every path, several files at once on a multi-core machine, reports in input order.
/// `limits` (`--limit`) win over each file's configuration.
std::vector<shapelint::FileReport> lint_all(const std::vector<shapelint::ExpandedPath>& paths,
                                            const std::vector<ConfigPtr>& configs,
                                            const shapelint::LintOptions& options,
                                            const std::vector<shapelint::LimitSetting>& limits) {
  std::vector<shapelint::FileReport> reports(paths.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < paths.size(); i = next++) {
      shapelint::LintOptions per_file = options;
      per_file.skip_non_models = options.skip_non_models || paths[i].from_directory;
      if (configs[i]) {
        shapelint::config::configure_lint_options(*configs[i], paths[i].path, per_file);
        shapelint::apply_limits(limits, per_file);
      }
      reports[i] = shapelint::lint_file(paths[i].path, per_file);
      if (configs[i])
        shapelint::config::apply_severity_policy(configs[i]->severity, reports[i]);
      // A directory walk passes over files that are not models at all.
      if (paths[i].from_directory && reports[i].status == "invalid" &&
          reports[i].format == "unknown")
        reports[i].skipped = true;
    }
  };
  // (One file needs no count of the cores: reading it from /sys took three system calls.)
  std::size_t threads =
      paths.size() <= 1
          ? 1
          : std::min<std::size_t>(paths.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t)
    pool.emplace_back(worker);
  worker();
  for (auto& t : pool)
    t.join();
  return reports;
}

/// `--fail-on` when given, else the file's configuration's `fail-on`, else "error".
std::string fail_on_for(const shapelint::cli::CliOptions& cli, const ConfigPtr& config) {
  if (cli.fail_on)
    return *cli.fail_on;
  if (config && config->fail_on)
    return *config->fail_on;
  return "error";
}

int exit_code(const shapelint::RunReport& run,
              const shapelint::cli::CliOptions& cli,
              const std::vector<ConfigPtr>& configs) {
  bool unreadable = false, failing = false;
  for (std::size_t i = 0; i < run.files.size(); ++i) {
    const auto& f = run.files[i];
    if (f.skipped)
      continue;
    unreadable = unreadable || f.status == "invalid";
    std::string fail_on = fail_on_for(cli, i < configs.size() ? configs[i] : nullptr);
    for (const auto& d : f.diagnostics)
      failing = failing || (fail_on != "never" &&
                            (d.severity == shapelint::Severity::error ||
                             (fail_on == "warning" && d.severity == shapelint::Severity::warning)));
  }
  if (unreadable)
    return kExitUsage;
  return failing ? kExitFindings : kExitClean;
}

/// Keeps large buffers in the heap instead of fresh mappings of their own, and freed memory
/// there for the next buffer instead of handing it back; and the main thread's memory in
/// 2 MiB pages (memory/small_blocks.hpp). Every new page costs a fault: on the virtual
/// machines CI runs on, faults were a tenth to a third of the time a model of a few hundred
/// layers takes. The peak stays the same.
void keep_memory_close() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  shapelint::memory::use_huge_pages();
}

/// "help" or "version" when the command line asks for either (CLI11's -h/--help and
/// -V/--version, wherever they stand, help first), before anything after "--".
std::optional<std::string_view> help_or_version(int argc, char** argv) {
  bool version = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--")
      break;
    if (arg == "-h" || arg == "--help")
      return "help";
    version = version || arg == "-V" || arg == "--version";
  }
  if (version)
    return "version";
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  shapelint::memory::mark_phase("start");
  keep_memory_close();
  // A report of a large model is tens of megabytes, written in many small pieces.
  shapelint::cli::buffer_standard_output();
  // `shapelint diff OLD NEW`; a file named "diff" is still a PATH, as the contract says.
  std::error_code no_diff_file;
  if (argc > 1 && std::strcmp(argv[1], "diff") == 0 &&
      !std::filesystem::exists("diff", no_diff_file))
    return shapelint::cli::run_diff(argc - 1, argv + 1);
  shapelint::cli::CliOptions options;
  shapelint::cli::AnalysisOptions analysis_options;
  if (!shapelint::cli::read_paths_only(argc, argv, options)) {
    CLI::App app{"shapelint: find Keras shape errors before anything runs", "shapelint"};
    app.set_version_flag("-V,--version", std::string("shapelint ") + SHAPELINT_VERSION);
    shapelint::cli::bind_options(app, options);
    shapelint::cli::bind_analysis_options(app, analysis_options);
    // CLI11 answers --help and --version by throwing, and a static program's first exception
    // sorts the unwind tables of the whole program (1.7 ms, four times a small model's lint).
    if (auto early = help_or_version(argc, argv)) {
      if (*early == "help")
        std::cout << app.help();
      else  // app.version() throws too
        std::cout << "shapelint " << SHAPELINT_VERSION << '\n';
      return kExitClean;
    }
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // CLI11 has its own exit codes (105 for a bad --format); the contract says 2.
      return app.exit(e) == 0 ? kExitClean : kExitUsage;
    }
  }

  shapelint::LintOptions lint_options;
  lint_options.skip_non_models = options.skip_non_models;
  if (options.batch_size)
    lint_options.batch_size = *options.batch_size;
  for (const auto& text : options.input_shapes) {
    std::string error;
    auto parsed = shapelint::parse_input_shape_option(text, error);
    if (!parsed) {
      std::cerr << "shapelint: --input-shape " << error << '\n';
      return kExitUsage;
    }
    lint_options.input_shapes.push_back(std::move(*parsed));
  }

  shapelint::cli::apply_analysis_options(analysis_options, lint_options);
  auto limits = shapelint::cli::parse_limit_options(options.limits);
  shapelint::apply_limits(limits, lint_options);
  if (options.target)
    lint_options.target = shapelint::analysis::parse_target(*options.target);

  shapelint::RenderOptions render_options;
  render_options.color = use_color(options.color);
  render_options.quiet = options.quiet;
  render_options.width = terminal_width();
  render_options.cost = analysis_options.cost;
  const shapelint::Renderer* renderer = shapelint::find_renderer(options.format);
  lint_options.cost = renderer->needs_cost(render_options);
  lint_options.nested_rows = renderer->shows_nested_rows;

  shapelint::RunReport run;
  run.tool_version = SHAPELINT_VERSION;
  auto paths = shapelint::expand_paths(options.paths);
  std::vector<ConfigPtr> configs;
  if (!find_configs(options, paths, configs))
    return kExitUsage;
  // The process ends once the reports are out: a few files' models are left to the exit.
  constexpr std::size_t kFilesLeftToExit = 16;
  lint_options.leave_memory_to_exit = paths.size() <= kFilesLeftToExit;
  run.files = lint_all(paths, configs, lint_options, limits);
  shapelint::tally(run);

  renderer->render(run, render_options, std::cout);
  std::cout.flush();
  shapelint::memory::mark_phase("rendered");
  // The reports of a large model hold millions of small allocations; the process is done,
  // so leave without freeing them one by one (ninja does the same).
  std::_Exit(exit_code(run, options, configs));
}
