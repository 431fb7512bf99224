// schemas/keras_layer_classes.txt is the one list of every Keras layer class name with its
// status. These tests keep it honest against the rule registry, the Keras 1 translator and
// the engine: a class marked `rule` has a rule, every registered class is listed, and every
// class without a rule says why.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"
#include "shapelint/model/graph.hpp"
#include "shapelint/model/keras1.hpp"
#include "shapelint/rules/registry.hpp"

using namespace shapelint;

namespace {

enum class Status { rule, engine, keras1, unsupported };

struct Entry {
  std::string name;
  Status status = Status::rule;
  std::string detail;  ///< the reason, the engine's handling, or the Keras 2 class
  int line = 0;
};

struct Catalogue {
  std::vector<Entry> entries;
  std::vector<std::string> problems;  ///< lines that do not parse
};

std::string trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos)
    return {};
  auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

/// "rule", "engine: ...", "keras1: ...", "unsupported: ..."; nullopt when malformed.
std::optional<std::pair<Status, std::string>> parse_status(std::string_view text) {
  if (text == "rule")
    return std::pair{Status::rule, std::string()};
  const std::pair<std::string_view, Status> kinds[] = {
      {"engine:", Status::engine},
      {"keras1:", Status::keras1},
      {"unsupported:", Status::unsupported},
  };
  for (const auto& [prefix, status] : kinds)
    if (text.substr(0, prefix.size()) == prefix)
      return std::pair{status, trim(text.substr(prefix.size()))};
  return std::nullopt;
}

Catalogue read_catalogue() {
  const std::string path = std::string(SHAPELINT_SOURCE_DIR) + "/schemas/keras_layer_classes.txt";
  std::ifstream in(path);
  REQUIRE(in.good());
  Catalogue cat;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string text = trim(line);
    if (text.empty() || text.front() == '#')
      continue;
    auto space = text.find_first_of(" \t");
    auto status =
        space == std::string::npos ? std::nullopt : parse_status(trim(text.substr(space)));
    if (!status) {
      cat.problems.push_back(fmt::format("line {}: '{}' has no valid status", number, text));
      continue;
    }
    cat.entries.push_back(
        Entry{text.substr(0, space), status->first, std::move(status->second), number});
  }
  return cat;
}

const Catalogue& catalogue() {
  static const Catalogue cat = read_catalogue();
  return cat;
}

/// A model that uses `cls` once, for the classes the engine handles itself.
std::string model_using(const std::string& cls) {
  const std::string input =
      R"({"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 4]}})";
  std::string layer;
  if (cls == "InputLayer") {
    layer.clear();
  } else if (cls == "Sequential") {
    layer = R"(, {"class_name": "Sequential", "config": {"name": "inner", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}})";
  } else if (cls == "Functional" || cls == "Model") {
    layer = fmt::format(R"(, {{"class_name": "{}", "config": {{"name": "inner", "layers": [
        {{"class_name": "InputLayer", "name": "i", "config": {{"name": "i",
          "batch_input_shape": [null, 4]}}, "inbound_nodes": []}},
        {{"class_name": "Dense", "name": "d", "config": {{"name": "d", "units": 2}},
          "inbound_nodes": [[["i", 0, 0, {{}}]]]}}],
        "input_layers": [["i", 0, 0]], "output_layers": [["d", 0, 0]]}}}})",
                        cls);
  } else {
    layer = fmt::format(R"(, {{"class_name": "{}", "config": {{"name": "x"}}}})", cls);
  }
  return fmt::format(
      R"({{"class_name": "Sequential", "config": {{"name": "m", "layers": [{}{}]}}}})",
      input,
      layer);
}

}  // namespace

TEST_CASE("every line of the layer catalogue names a class and a status") {
  for (const auto& problem : catalogue().problems)
    FAIL_CHECK(problem);
  CHECK(catalogue().entries.size() > 150);
}

TEST_CASE("no class is listed twice in the layer catalogue") {
  std::map<std::string, int> seen;
  for (const auto& e : catalogue().entries) {
    auto [it, inserted] = seen.emplace(e.name, e.line);
    if (!inserted)
      FAIL_CHECK(fmt::format("{} is listed on lines {} and {}", e.name, it->second, e.line));
  }
}

TEST_CASE("a class listed as having a rule has a registered rule") {
  for (const auto& e : catalogue().entries) {
    if (e.status != Status::rule)
      continue;
    INFO(fmt::format("line {}: {}", e.line, e.name));
    CHECK(RuleRegistry::builtin().find(e.name) != nullptr);
  }
}

TEST_CASE("every registered rule is listed in the layer catalogue as a rule") {
  std::map<std::string, const Entry*> by_name;
  for (const auto& e : catalogue().entries)
    by_name.emplace(e.name, &e);
  for (auto cls : RuleRegistry::builtin().classes()) {
    INFO(cls);
    auto it = by_name.find(std::string(cls));
    REQUIRE(it != by_name.end());
    CHECK(it->second->status == Status::rule);
  }
}

TEST_CASE("a class without a rule says why") {
  for (const auto& e : catalogue().entries) {
    if (e.status == Status::rule)
      continue;
    INFO(fmt::format("line {}: {}", e.line, e.name));
    CHECK(RuleRegistry::builtin().find(e.name) == nullptr);
    if (e.status != Status::keras1)
      CHECK(e.detail.size() >= 10);
  }
}

TEST_CASE("a Keras 1 name translates to the listed class, which has a rule") {
  for (const auto& e : catalogue().entries) {
    if (e.status != Status::keras1)
      continue;
    INFO(fmt::format("line {}: {}", e.line, e.name));
    auto translated = translate_keras1_layer(e.name, nlohmann::json::object());
    REQUIRE(translated);
    CHECK(translated->class_name == e.detail);
    CHECK(RuleRegistry::builtin().find(translated->class_name) != nullptr);
  }
}

TEST_CASE("the engine handles the classes listed as engine without an unknown-class finding") {
  for (const auto& e : catalogue().entries) {
    if (e.status != Status::engine)
      continue;
    INFO(fmt::format("line {}: {}", e.line, e.name));
    FileReport report = lint_text(model_using(e.name), "m.json", {});
    for (const auto& d : report.diagnostics) {
      INFO(d.message);
      CHECK(d.rule != rule::kUnknownLayerClass);
      CHECK(d.severity != Severity::error);
    }
  }
}

TEST_CASE("the registry finds each registered class's own rule, and nothing for other names") {
  const auto& registry = RuleRegistry::builtin();
  auto classes = registry.classes();
  REQUIRE(classes.size() > 150);
  CHECK(std::adjacent_find(classes.begin(), classes.end()) == classes.end());
  for (std::string_view cls : classes) {
    INFO(cls);
    const LayerRule* rule = registry.find(cls);
    REQUIRE(rule);
    CHECK(rule->keras_class == cls);
    // Near misses: a prefix, a longer name, another case.
    CHECK_FALSE(registry.find(cls.substr(0, cls.size() - 1)));
    CHECK_FALSE(registry.find(std::string(cls) + "X"));
    std::string lower(cls);
    for (char& c : lower)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != cls)
      CHECK(registry.find(lower) == nullptr);
  }
  CHECK_FALSE(registry.find(""));
}

TEST_CASE("a layer's built-in rule is its rule class's, or none") {
  for (std::string_view cls : {"Conv2D", "Dense", "InputLayer", "MyCustomLayer", ""}) {
    INFO(cls);
    Layer layer;
    layer.class_name = std::string(cls);
    CHECK(layer.builtin_rule() == RuleRegistry::builtin().find(cls));
    CHECK(layer.builtin_rule() == RuleRegistry::builtin().find(cls));  // asked again
  }
}
