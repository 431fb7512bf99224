#pragma once

// The configuration file: `[tool.shapelint]` in a pyproject.toml, or a .shapelint.toml
// holding the same keys at its top level. Parsed into plain structs; nothing here reads a
// model.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/lint/limits.hpp"
#include "shapelint/lint/lint.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint::config {

/// A configuration file shapelint will not guess about: where, which key, what is wrong.
struct ConfigError {
  std::string file;
  int line = 0;  ///< 1-based; 0 when the problem is the file as a whole
  int column = 0;
  std::string key;  ///< the full dotted key, "tool.shapelint.severity.SL999"; may be empty
  std::string message;

  /// `pyproject.toml:12:1: tool.shapelint.fail-on: must be one of ...`
  std::string describe() const;
};

/// Severity overrides and ignored rule ids (hadolint's `override` and `ignored`).
struct SeverityPolicy {
  std::map<std::string, Severity, std::less<>> overrides;
  std::set<std::string, std::less<>> ignored;

  bool empty() const { return overrides.empty() && ignored.empty(); }
};

/// Input shapes for the model files a glob matches, as `--input-shape` would give them.
struct InputShapeRule {
  std::string pattern;  ///< relative to the configuration file's directory
  std::vector<InputShapeOption> shapes;
  std::string origin;  ///< `pyproject.toml: tool.shapelint.input-shapes."*.json"`, for messages
};

/// A shape rule the user declares for a layer class of their own, so that propagation goes
/// on through it instead of stopping.
struct CustomLayerRule {
  enum class Kind {
    same,   ///< `shape = "same"`: the output is the first input, unchanged
    like,   ///< `like = "Dense"`: a built-in layer's rule on (a mapping of) the config
    fixed,  ///< `output_shape = ...`: fixed output shape(s), batch axis included
  };

  std::string class_name;
  Kind kind = Kind::same;
  std::string like;  ///< the built-in class, for Kind::like
  /// Kind::like: built-in argument → the custom layer's config key it is read from.
  std::vector<std::pair<std::string, std::string>> from_config;
  /// Kind::like: built-in arguments with fixed values.
  nlohmann::json set = nlohmann::json::object();
  /// Kind::fixed: one shape per output; an unknown batch dim takes the first input's.
  Shapes output_shapes;
  /// Declared weights, in place of (or, for `like`, over) the ones a rule builds.
  std::optional<std::int64_t> params;
  std::int64_t non_trainable_params = 0;
  std::string origin;  ///< "pyproject.toml:14", where it was declared, for messages
};

struct CustomLayerRules {
  std::map<std::string, CustomLayerRule, std::less<>> by_class;

  /// The rule for a class as the file writes it; `Package>Name` (a registered class in
  /// tf.keras 2) also finds the rule declared for `Name`.
  const CustomLayerRule* find(std::string_view class_name) const;

  bool empty() const { return by_class.empty(); }
};

/// Everything one configuration file says.
struct Config {
  std::filesystem::path file;       ///< as found or given
  std::filesystem::path directory;  ///< the file's directory, absolute: globs start there
  std::string shown;                ///< the file as messages name it
  std::optional<std::string> fail_on;
  /// `target = "tfjs"`: as --target, which wins.
  std::optional<std::string> target;
  SeverityPolicy severity;
  std::vector<InputShapeRule> input_shapes;  ///< in file order; the last match wins
  CustomLayerRules custom_layers;
  /// Budgets (`max-params`, `max-macs`, `max-activation-memory`), as the options of the same
  /// names give them; the command line wins.
  std::optional<std::int64_t> max_params;
  std::optional<std::int64_t> max_macs;
  std::optional<std::int64_t> max_activation_bytes;
  /// `batch-size`: the batch the shapes, MACs and activation memory are for.
  std::optional<std::int64_t> batch_size;
  /// The `limits` table (`max-layers = 2000000`), in file order; `--limit` wins.
  std::vector<LimitSetting> limits;
};

/// Which kind of file `path` is by its name: a pyproject.toml keeps the settings under
/// `[tool.shapelint]`, any other file at its top level.
bool is_pyproject(const std::filesystem::path& path);

/// Parses configuration text. `shown_name` names the file in errors. A pyproject.toml with
/// no `[tool.shapelint]` table gives nullopt without an error; so does any error, which
/// is then set in `error` (check `error.message`).
std::optional<Config> parse_config(std::string_view text,
                                   const std::string& shown_name,
                                   bool pyproject,
                                   ConfigError& error);

/// Reads and parses one file; a file that cannot be read is an error too.
std::optional<Config> load_config_file(const std::filesystem::path& path, ConfigError& error);

/// Finds the configuration of each linted file by walking up from its directory: in each
/// directory a `.shapelint.toml` wins over a `pyproject.toml`, and a pyproject.toml without
/// `[tool.shapelint]` does not count (the walk goes on above it). Each directory is looked
/// at once per run.
class ConfigFinder {
 public:
  enum class Mode { discover, explicit_file, none };

  /// `--no-config`: no configuration at all.
  static ConfigFinder none();
  /// Walks up from each model file.
  static ConfigFinder discover();
  /// `--config FILE`: that file for every model; read at once.
  static std::optional<ConfigFinder> from_file(const std::filesystem::path& file,
                                               ConfigError& error);

  /// The configuration for a model file ("-" is standard input: the current directory),
  /// or null when there is none. Returns false with `error` set on a bad file.
  bool find(const std::string& model_path,
            std::shared_ptr<const Config>& config,
            ConfigError& error);

 private:
  explicit ConfigFinder(Mode mode) : mode_(mode) {}

  bool config_of_directory(const std::filesystem::path& directory,
                           std::shared_ptr<const Config>& config,
                           ConfigError& error);

  Mode mode_;
  std::shared_ptr<const Config> explicit_;
  /// Directory → what it resolves to (null: no configuration there or above).
  std::map<std::filesystem::path, std::shared_ptr<const Config>> cache_;
};

/// Whether `relative_path` (with `/` separators) matches `pattern`: `*` and `?` within one
/// path segment, `[abc]` / `[!abc]` classes, `**` across segments (`models/**/*.json`). A
/// pattern without `/` matches the file name in any directory, as in .gitignore.
bool glob_match(std::string_view pattern, std::string_view relative_path);

/// Whether `pattern` is a glob glob_match understands; `why` says what is wrong if not.
bool glob_is_valid(std::string_view pattern, std::string& why);

/// A path as messages show it: relative to the current directory when it lies below it.
std::string shown_path(const std::filesystem::path& path);

/// The input shapes configured for `model_path`: those of the last pattern that matches its
/// path relative to the configuration file's directory, or nullptr.
const InputShapeRule* input_shapes_for(const Config& config, const std::string& model_path);

/// Puts what the configuration says about one model into its lint options; what the command
/// line already set (input shapes, budgets) is kept, except the limits: the caller applies
/// `--limit` again afterwards.
void configure_lint_options(const Config& config,
                            const std::string& model_path,
                            LintOptions& options);

/// Drops the ignored findings and re-grades the overridden ones; the file's status follows
/// (a file that could not be read stays invalid).
void apply_severity_policy(const SeverityPolicy& policy, FileReport& report);

}  // namespace shapelint::config
