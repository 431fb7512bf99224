// Reading `[tool.shapelint]` with toml++: every key is checked, and the first problem
// becomes a ConfigError that names the file, the line and the full key.
#include "shapelint/config/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "shapelint/analysis/budget.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

// toml++ 3.3 checks some of its own invariants with assert() and then handles the failing
// case anyway: a table header such as `[!x]` trips an assertion in parse_key right before
// the parser reports "expected bare key starting character". In a build without NDEBUG (the
// fuzz build) a user's malformed pyproject.toml would abort shapelint there; with the checks
// off (their documented customization point) it gets the parser's own error, as a release
// build of toml++ gives it.
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>

namespace shapelint::config {

std::string ConfigError::describe() const {
  std::string where = file;
  if (line > 0)
    where += fmt::format(":{}:{}", line, column);
  return key.empty() ? fmt::format("{}: {}", where, message)
                     : fmt::format("{}: {}: {}", where, key, message);
}

bool is_pyproject(const std::filesystem::path& path) {
  return path.filename() == "pyproject.toml";
}

namespace {

/// Unwinds the reader to parse_config, which turns it into a ConfigError.
struct Problem {
  toml::source_position at;
  std::string key;
  std::string message;
};

/// shapelint's own keys may be written with `_` or `-`: `fail_on` is `fail-on`.
std::string canonical(std::string_view key) {
  std::string out(key);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

/// `parent.key`, quoting a key that is not a bare TOML key (a glob, say).
std::string join_key(std::string_view parent, std::string_view key) {
  bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  std::string part = bare ? std::string(key) : fmt::format("\"{}\"", key);
  return parent.empty() ? part : fmt::format("{}.{}", parent, part);
}

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

/// Rule ids in the catalogue order, for messages.
std::string rule_ids() {
  std::vector<std::string_view> ids;
  for (const auto& info : rule_catalog())
    ids.push_back(info.id);
  return fmt::format("{}", fmt::join(ids, ", "));
}

/// The members of a table in the order the file writes them (toml++ keeps tables sorted
/// by key; the order matters where the last matching glob wins).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> members;
  for (const auto& [k, v] : t)
    members.emplace_back(&k, &v);
  std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return members;
}

class Reader {
 public:
  Reader(std::string prefix, std::string shown)
      : prefix_(std::move(prefix)), shown_(std::move(shown)) {}

  Config read(const toml::table& settings) {
    Config config;
    const toml::node* ignore = nullptr;
    for (const auto& [k, v] : in_file_order(settings)) {
      std::string key = join_key(prefix_, k->str());
      std::string name = canonical(k->str());
      if (name == "fail-on")
        config.fail_on = read_choice(*v, key, {"error", "warning", "never"});
      else if (name == "target")
        config.target = read_choice(*v, key, {"keras2", "keras3", "tfjs"});
      else if (name == "ignore")
        read_ignored(*(ignore = v), key, config.severity);
      else if (name == "severity")
        read_severities(*v, key, config.severity);
      else if (name == "input-shapes")
        read_input_shapes(*v, key, config.input_shapes);
      else if (name == "custom-layers")
        read_custom_layers(*v, key, config.custom_layers);
      else if (name == "max-params")
        config.max_params =
            read_budget(*v, key, analysis::parse_count, "a count (25000000, \"25M\")");
      else if (name == "max-macs")
        config.max_macs =
            read_budget(*v, key, analysis::parse_count, "a count (600000000, \"4.1G\")");
      else if (name == "max-activation-memory")
        config.max_activation_bytes =
            read_budget(*v, key, analysis::parse_bytes, "a size in bytes (\"512MiB\", \"2GB\")");
      else if (name == "batch-size")
        config.batch_size = read_batch_size(*v, key);
      else if (name == "limits")
        read_limits(*v, key, config.limits);
      else
        fail(k->source().begin,
             key,
             "unknown key; shapelint reads fail-on, target, ignore, severity, input-shapes, "
             "custom-layers, max-params, max-macs, max-activation-memory, batch-size and "
             "limits");
    }
    for (const auto& id : config.severity.ignored)
      if (config.severity.overrides.count(id))
        fail(ignore->source().begin,
             join_key(prefix_, "ignore"),
             fmt::format("{} is both ignored and given a severity: keep one", id));
    return config;
  }

 private:
  [[noreturn]] static void fail(toml::source_position at, std::string key, std::string message) {
    throw Problem{at, std::move(key), std::move(message)};
  }

  static const toml::table& table(const toml::node& v, const std::string& key) {
    if (!v.is_table())
      fail(v.source().begin, key, fmt::format("must be a table, not {}", type_name(v)));
    return *v.as_table();
  }

  static std::string string(const toml::node& v, const std::string& key) {
    if (!v.is_string())
      fail(v.source().begin, key, fmt::format("must be a string, not {}", type_name(v)));
    return v.as_string()->get();
  }

  static std::string read_choice(const toml::node& v,
                                 const std::string& key,
                                 std::initializer_list<std::string_view> choices) {
    std::string value = string(v, key);
    if (std::find(choices.begin(), choices.end(), value) == choices.end())
      fail(v.source().begin,
           key,
           fmt::format("'{}' is not one of {}", value, fmt::join(choices, ", ")));
    return value;
  }

  /// A budget: an integer, or a string as the command line takes it ("25M", "512MiB").
  static std::int64_t read_budget(const toml::node& v,
                                  const std::string& key,
                                  std::optional<std::int64_t> (*parse)(std::string_view),
                                  std::string_view what) {
    std::optional<std::int64_t> value;
    if (const auto* n = v.as_integer())
      value = n->get() >= 0 ? std::optional<std::int64_t>(n->get()) : std::nullopt;
    else if (v.is_string())
      value = parse(v.as_string()->get());
    else
      fail(v.source().begin,
           key,
           fmt::format("must be {} (an integer or a string), not {}", what, type_name(v)));
    if (!value)
      fail(v.source().begin, key, fmt::format("must be {}", what));
    return *value;
  }

  /// `[limits]`: each a string as `--limit` takes it ("256MiB", "2M", "60s"), or an integer
  /// (a count, bytes, seconds).
  static void read_limits(const toml::node& v,
                          const std::string& key,
                          std::vector<LimitSetting>& limits) {
    for (const auto& [k, value] : in_file_order(table(v, key))) {
      std::string item_key = join_key(key, k->str());
      std::string error;
      std::optional<LimitSetting> setting;
      if (const auto* n = value->as_integer())
        setting = limit_from_integer(k->str(), n->get(), error);
      else if (value->is_string())
        setting = parse_limit(k->str(), value->as_string()->get(), error);
      else
        error = fmt::format("must be an integer or a string, not {}", type_name(*value));
      if (!setting)
        fail((find_limit(k->str()) ? value->source() : k->source()).begin, item_key, error);
      limits.push_back(*setting);
    }
  }

  static std::int64_t read_batch_size(const toml::node& v, const std::string& key) {
    const auto* n = v.as_integer();
    if (!n)
      fail(v.source().begin, key, fmt::format("must be an integer, not {}", type_name(v)));
    if (n->get() < 1)
      fail(v.source().begin, key, "must be at least 1");
    return n->get();
  }

  /// A rule id findings may be ignored or re-graded for.
  static std::string rule_id(const toml::node& at_node,
                             std::string_view id,
                             const std::string& key) {
    const RuleInfo* info = find_rule_info(id);
    if (!info)
      fail(at_node.source().begin,
           key,
           fmt::format("no rule '{}'; the rule ids are {}", id, rule_ids()));
    if (info->makes_invalid)
      fail(at_node.source().begin,
           key,
           fmt::format("{} ({}) cannot be ignored or re-graded: a file shapelint cannot read "
                       "as a model always fails; --skip-non-models passes over files that are "
                       "not models",
                       id,
                       info->title));
    return std::string(id);
  }

  static void read_ignored(const toml::node& v, const std::string& key, SeverityPolicy& policy) {
    if (!v.is_array())
      fail(v.source().begin,
           key,
           fmt::format("must be an array of rule ids such as [\"SL202\"], not {}", type_name(v)));
    for (const auto& item : *v.as_array())
      policy.ignored.insert(rule_id(item, string(item, key), key));
  }

  static void read_severities(const toml::node& v, const std::string& key, SeverityPolicy& policy) {
    for (const auto& [k, level] : in_file_order(table(v, key))) {
      std::string item_key = join_key(key, k->str());
      std::string id = rule_id(*level, k->str(), item_key);
      std::string name = read_choice(*level, item_key, {"error", "warning", "note"});
      policy.overrides[id] = name == "error"     ? Severity::error
                             : name == "warning" ? Severity::warning
                                                 : Severity::note;
    }
  }

  void read_input_shapes(const toml::node& v,
                         const std::string& key,
                         std::vector<InputShapeRule>& rules) const {
    for (const auto& [k, shapes] : in_file_order(table(v, key))) {
      std::string item_key = join_key(key, k->str());
      InputShapeRule rule;
      rule.pattern = std::string(k->str());
      std::string why;
      if (!glob_is_valid(rule.pattern, why))
        fail(k->source().begin, item_key, why);
      rule.origin = fmt::format("{}: {}", shown_, item_key);
      std::vector<const toml::node*> texts;
      if (shapes->is_array()) {
        for (const auto& item : *shapes->as_array())
          texts.push_back(&item);
        if (texts.empty())
          fail(shapes->source().begin, item_key, "lists no input shape");
      } else {
        texts.push_back(shapes);
      }
      for (const auto* text : texts) {
        std::string error;
        auto parsed = parse_input_shape_option(string(*text, item_key), error);
        if (!parsed)
          fail(text->source().begin, item_key, error);
        rule.shapes.push_back(std::move(*parsed));
      }
      rules.push_back(std::move(rule));
    }
  }

  void read_custom_layers(const toml::node& v,
                          const std::string& key,
                          CustomLayerRules& rules) const {
    for (const auto& [k, body] : in_file_order(table(v, key))) {
      std::string item_key = join_key(key, k->str());
      if (k->str().empty())
        fail(k->source().begin, item_key, "a layer class name cannot be empty");
      CustomLayerRule rule = read_custom_layer(table(*body, item_key), item_key);
      rule.class_name = std::string(k->str());
      rule.origin = fmt::format("{}:{}", shown_, k->source().begin.line);
      rules.by_class[rule.class_name] = std::move(rule);
    }
  }

  CustomLayerRule read_custom_layer(const toml::table& t, const std::string& key) const {
    CustomLayerRule rule;
    int kinds = 0;
    const toml::node* from_config = nullptr;
    const toml::node* set = nullptr;
    const toml::node* non_trainable = nullptr;
    for (const auto& [k, v] : in_file_order(t)) {
      std::string item_key = join_key(key, k->str());
      std::string name = canonical(k->str());
      if (name == "shape") {
        ++kinds;
        rule.kind = CustomLayerRule::Kind::same;
        if (string(*v, item_key) != "same")
          fail(v->source().begin,
               item_key,
               "the only shape is \"same\" (the output is the input); use output_shape for a "
               "fixed shape");
      } else if (name == "like") {
        ++kinds;
        rule.kind = CustomLayerRule::Kind::like;
        rule.like = read_builtin_class(*v, item_key);
      } else if (name == "output-shape") {
        ++kinds;
        rule.kind = CustomLayerRule::Kind::fixed;
        rule.output_shapes = read_output_shapes(*v, item_key);
      } else if (name == "from-config") {
        from_config = v;
      } else if (name == "set") {
        set = v;
      } else if (name == "params") {
        rule.params = count(*v, item_key);
      } else if (name == "non-trainable-params") {
        non_trainable = v;
        rule.non_trainable_params = count(*v, item_key);
      } else {
        fail(k->source().begin,
             item_key,
             "unknown key; a custom layer takes one of shape = \"same\", like = \"<built-in "
             "class>\" (with from-config and set) or output_shape, and optionally params and "
             "non-trainable-params");
      }
    }
    if (kinds != 1)
      fail(t.source().begin,
           key,
           kinds == 0 ? "says nothing about the output: give shape = \"same\", like = "
                        "\"<built-in class>\" or output_shape"
                      : "give only one of shape, like and output_shape");
    if ((from_config || set) && rule.kind != CustomLayerRule::Kind::like)
      fail((from_config ? from_config : set)->source().begin,
           join_key(key, from_config ? "from-config" : "set"),
           "only a rule with like = \"<built-in class>\" reads arguments");
    if (from_config)
      for (const auto& [k, v] : in_file_order(table(*from_config, join_key(key, "from-config"))))
        rule.from_config.emplace_back(std::string(k->str()),
                                      string(*v, join_key(join_key(key, "from-config"), k->str())));
    if (set)
      rule.set = to_json(table(*set, join_key(key, "set")), join_key(key, "set"));
    if (non_trainable && !rule.params)
      fail(non_trainable->source().begin,
           join_key(key, "non-trainable-params"),
           "needs params, the total count it is part of");
    if (non_trainable && rule.non_trainable_params > *rule.params)
      fail(non_trainable->source().begin,
           join_key(key, "non-trainable-params"),
           fmt::format("{} is more than params = {}", rule.non_trainable_params, *rule.params));
    return rule;
  }

  static std::string read_builtin_class(const toml::node& v, const std::string& key) {
    std::string cls = string(v, key);
    if (RuleRegistry::builtin().find(cls))
      return cls;
    std::string suggestion = RuleRegistry::builtin().suggest(cls);
    fail(v.source().begin,
         key,
         suggestion.empty() ? fmt::format("shapelint has no rule for a layer class '{}'", cls)
                            : fmt::format("shapelint has no rule for a layer class '{}'; did you "
                                          "mean '{}'?",
                                          cls,
                                          suggestion));
  }

  static std::int64_t count(const toml::node& v, const std::string& key) {
    if (!v.is_integer() || v.as_integer()->get() < 0)
      fail(v.source().begin, key, "must be a whole number of parameters, 0 or more");
    return v.as_integer()->get();
  }

  /// One dim of a shape written as an array: a size, or "None" / "?" for unknown (TOML has
  /// no null).
  static Dim dim(const toml::node& v, const std::string& key) {
    if (v.is_integer() && v.as_integer()->get() >= 0)
      return Dim::of(v.as_integer()->get());
    if (v.is_string() && (v.as_string()->get() == "None" || v.as_string()->get() == "?"))
      return Dim::unknown();
    fail(v.source().begin,
         key,
         "a dimension is a size (0 or more), or \"None\" or \"?\" for unknown");
  }

  static Shape shape(const toml::node& v, const std::string& key) {
    if (v.is_string()) {
      auto parsed = parse_shape(v.as_string()->get());
      if (!parsed || parsed->rank() == 0)
        fail(v.source().begin,
             key,
             fmt::format("'{}' is not a shape; write it with the batch axis, as model.summary() "
                         "prints it: \"(None, 64)\"",
                         v.as_string()->get()));
      return *parsed;
    }
    if (!v.is_array() || v.as_array()->empty())
      fail(v.source().begin,
           key,
           "must be a shape with the batch axis: \"(None, 64)\" or [\"None\", 64]");
    DimVector dims;
    for (const auto& d : *v.as_array())
      dims.push_back(dim(d, key));
    return Shape(std::move(dims));
  }

  /// One shape (a string, or an array of dims), or one per output: an array whose items
  /// are themselves shapes (arrays, or strings in parentheses).
  static Shapes read_output_shapes(const toml::node& v, const std::string& key) {
    const toml::array* list = v.as_array();
    auto is_shape = [](const toml::node& item) {
      if (item.is_array())
        return true;
      const auto* text = item.as_string();
      return text && !text->get().empty() &&
             (text->get().front() == '(' || text->get().front() == '[');
    };
    if (!list || list->empty() || !is_shape((*list)[0]))
      return {shape(v, key)};
    Shapes shapes;
    for (const auto& item : *list)
      shapes.push_back(shape(item, key));
    return shapes;
  }

  static nlohmann::json to_json(const toml::node& v, const std::string& key) {
    if (const auto* t = v.as_table()) {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, item] : *t)
        out[std::string(k.str())] = to_json(item, join_key(key, k.str()));
      return out;
    }
    if (const auto* a = v.as_array()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : *a)
        out.push_back(to_json(item, key));
      return out;
    }
    if (v.is_string())
      return v.as_string()->get();
    if (v.is_integer())
      return v.as_integer()->get();
    if (v.is_floating_point())
      return v.as_floating_point()->get();
    if (v.is_boolean())
      return v.as_boolean()->get();
    fail(v.source().begin, key, "a layer argument cannot be a date or time");
  }

  std::string prefix_;
  std::string shown_;
};

/// Where a byte beyond ASCII stands outside a string and a comment, where TOML allows none
/// (keys, numbers, dates and punctuation are ASCII): toml++ 3.3 classifies such a character
/// as whitespace or not through a table that reaches `__builtin_unreachable` for most of
/// U+00A1..U+0499 and more (undefined behaviour, found by the config fuzz target), so such a
/// file gets this error before toml++ sees it. 1-based line and column (in bytes).
std::optional<toml::source_position> non_ascii_outside_strings(std::string_view text) {
  enum class In { code, comment, basic, literal, multiline_basic, multiline_literal };
  In in = In::code;
  std::uint32_t line = 1, column = 1;
  for (std::size_t i = 0; i < text.size(); ++i, ++column) {
    char c = text[i];
    std::string_view rest = text.substr(i);
    if (c == '\n') {
      ++line;
      column = 0;
      if (in == In::comment || in == In::basic || in == In::literal)
        in = In::code;  // ends a comment; a one-line string left open is toml++'s error
      continue;
    }
    switch (in) {
      case In::code:
        if (static_cast<unsigned char>(c) >= 0x80)
          return toml::source_position{line, column};
        if (c == '#') {
          in = In::comment;
        } else if (rest.starts_with("\"\"\"")) {
          in = In::multiline_basic;
          i += 2, column += 2;
        } else if (rest.starts_with("\'\'\'")) {
          in = In::multiline_literal;
          i += 2, column += 2;
        } else if (c == '"') {
          in = In::basic;
        } else if (c == '\'') {
          in = In::literal;
        }
        break;
      case In::basic:
      case In::multiline_basic:
        if (c == '\\') {
          ++i, ++column;  // the escaped character
        } else if (in == In::basic && c == '"') {
          in = In::code;
        } else if (in == In::multiline_basic && rest.starts_with("\"\"\"")) {
          in = In::code;
          i += 2, column += 2;
        }
        break;
      case In::literal:
        if (c == '\'')
          in = In::code;
        break;
      case In::multiline_literal:
        if (rest.starts_with("\'\'\'")) {
          in = In::code;
          i += 2, column += 2;
        }
        break;
      case In::comment:
        break;
    }
  }
  return std::nullopt;
}

/// Whether the byte at 1-based `at` (line, column counted in bytes) is beyond ASCII.
bool byte_beyond_ascii_at(std::string_view text, toml::source_position at) {
  std::size_t offset = 0;
  for (std::uint32_t line = 1; line < at.line; ++line) {
    offset = text.find('\n', offset);
    if (offset == std::string_view::npos)
      return false;
    ++offset;
  }
  offset += at.column - 1;
  return offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0x80);
}

}  // namespace

std::optional<Config> parse_config(std::string_view text,
                                   const std::string& shown_name,
                                   bool pyproject,
                                   ConfigError& error) {
  error = ConfigError{};
  error.file = shown_name;
  try {
    // toml++ meets a character beyond ASCII only after the same text in ASCII parsed: then
    // the lexer below agrees with toml++ on where strings and comments are (on malformed
    // text the two may not), and such characters stand only inside them.
    if (std::any_of(text.begin(), text.end(), [](char c) { return c & 0x80; })) {
      std::string ascii(text);
      std::replace_if(
          ascii.begin(), ascii.end(), [](char c) { return c & 0x80; }, 'x');
      std::optional<toml::source_position> at;
      try {
        (void)toml::parse(ascii, shown_name);
        at = non_ascii_outside_strings(text);
      } catch (const toml::parse_error& e) {
        // An error at a character we replaced is about that character.
        if (!byte_beyond_ascii_at(text, e.source().begin))
          throw;
        at = e.source().begin;
      }
      if (at) {
        error.line = static_cast<int>(at->line);
        error.column = static_cast<int>(at->column);
        error.message =
            "not valid TOML: a character beyond ASCII outside a string or a comment (TOML "
            "keys, numbers and punctuation are ASCII)";
        return std::nullopt;
      }
    }
    toml::table root = toml::parse(text, shown_name);
    const toml::table* settings = &root;
    std::string prefix;
    if (pyproject) {
      const toml::table* tool = root["tool"].as_table();
      const toml::node* ours = tool ? tool->get("shapelint") : nullptr;
      if (!ours)
        return std::nullopt;  // another tool's pyproject.toml
      if (!ours->is_table())
        throw Problem{ours->source().begin,
                      "tool.shapelint",
                      fmt::format("must be a table, not {}", type_name(*ours))};
      settings = ours->as_table();
      prefix = "tool.shapelint";
    }
    Config config = Reader(prefix, shown_name).read(*settings);
    config.shown = shown_name;
    return config;
  } catch (const toml::parse_error& e) {
    error.line = static_cast<int>(e.source().begin.line);
    error.column = static_cast<int>(e.source().begin.column);
    error.message = fmt::format("not valid TOML: {}", e.description());
  } catch (const Problem& p) {
    error.line = static_cast<int>(p.at.line);
    error.column = static_cast<int>(p.at.column);
    error.key = p.key;
    error.message = p.message;
  }
  return std::nullopt;
}

std::optional<Config> load_config_file(const std::filesystem::path& path, ConfigError& error) {
  error = ConfigError{};
  std::string shown = shown_path(path);
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!in || !std::filesystem::is_regular_file(path, ec)) {
    error.file = shown;
    error.message = !std::filesystem::exists(path, ec) ? "no such configuration file"
                    : std::filesystem::is_directory(path, ec)
                        ? "is a directory, not a file"
                        : "cannot be read (permission denied?)";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto config = parse_config(text.str(), shown, is_pyproject(path), error);
  if (!config)
    return std::nullopt;
  config->file = path;
  config->directory = std::filesystem::absolute(path, ec).lexically_normal().parent_path();
  return config;
}

}  // namespace shapelint::config
