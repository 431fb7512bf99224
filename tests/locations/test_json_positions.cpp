// JsonPositions: where values stand in a JSON text, checked against hand-counted lines and
// columns.
#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/json/document.hpp"
#include "shapelint/model/json_positions.hpp"
#include "support/exact_copy.hpp"

using shapelint::JsonDocument;
using shapelint::JsonParseError;
using shapelint::JsonPathStep;
using shapelint::JsonPositions;
using shapelint::TextPosition;
using shapelint::WantedPath;
using shapelint::testing::ExactCopy;

namespace {

// Line numbers are written beside each line; columns count from 1.
const std::string kModel =
    "{\n"                                                                        // 1
    "  \"class_name\": \"Functional\",\n"                                        // 2
    "  \"config\": {\n"                                                          // 3
    "    \"name\": \"m\",\n"                                                     // 4
    "    \"layers\": [\n"                                                        // 5
    "      {\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\"}},\n"  // 6
    "      {\n"                                                                  // 7
    "        \"class_name\": \"Conv2D\",\n"                                      // 8
    "        \"config\": {\n"                                                    // 9
    "          \"name\": \"c\",\n"                                               // 10
    "          \"kernel_size\": [3, 3],\n"                                       // 11
    "          \"note\": \"a } and a ] and a \\\" in a string\"\n"               // 12
    "        },\n"                                                               // 13
    "        \"inbound_nodes\": [[[\"in\", 0, 0, {}]]]\n"                        // 14
    "      }\n"                                                                  // 15
    "    ]\n"                                                                    // 16
    "  }\n"                                                                      // 17
    "}\n";                                                                       // 18

struct Row {
  std::string path;
  int line;
  int column;
};

}  // namespace

TEST_CASE("positions of values along dotted JSON paths match hand-counted lines and columns") {
  const std::vector<Row> rows{
      {"", 1, 1},
      {"config", 3, 13},
      {"config.layers", 5, 15},
      {"config.layers[0]", 6, 7},
      {"config.layers[0].config.name", 6, 55},
      {"config.layers[1]", 7, 7},
      {"config.layers[1].config", 9, 19},
      {"config.layers[1].config.kernel_size", 11, 26},
      {"config.layers[1].config.kernel_size[1]", 11, 30},
      {"config.layers[1].inbound_nodes", 14, 26},
      {"config.layers[1].inbound_nodes[0][0]", 14, 28},
      {"config.layers[1].inbound_nodes[0][0][3]", 14, 41},
  };
  std::vector<std::string> wanted;
  for (const auto& r : rows)
    wanted.push_back(r.path);
  JsonPositions positions(kModel, wanted);
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.path) {
      auto at = positions.find(r.path);
      REQUIRE(at);
      CHECK(at->line == r.line);
      CHECK(at->column == r.column);
    }
  }
}

TEST_CASE("a path found on its own gives the same position as among many") {
  JsonPositions alone(kModel, {"config.layers[1].config.kernel_size"});
  auto at = alone.find("config.layers[1].config.kernel_size");
  REQUIRE(at);
  CHECK(at->line == 11);
  CHECK(at->column == 26);
}

TEST_CASE("a path the text does not hold falls back to its deepest ancestor that it holds") {
  // A Keras 1 key the loader translated (`nb_filter` → `filters`) is not in the text: the
  // finding lands on the layer's config object.
  JsonPositions positions(kModel, {"config.layers[1].config.filters", "config.layers[7]"});
  auto translated = positions.find("config.layers[1].config.filters");
  REQUIRE(translated);
  CHECK(translated->line == 9);
  CHECK(translated->column == 19);
  auto missing_layer = positions.find("config.layers[7]");
  REQUIRE(missing_layer);
  CHECK(missing_layer->line == 5);
}

TEST_CASE("paths that were not asked for, or that lead nowhere, have no position") {
  JsonPositions positions(kModel, {"config.layers[0]", "modelTopology.model_config"});
  CHECK_FALSE(positions.find("config.layers[1]"));
  CHECK_FALSE(positions.find("modelTopology.model_config"));
}

TEST_CASE("columns count code points, and a one-line file gets its columns right") {
  // "é" is two bytes in UTF-8 but one column.
  std::string text = R"({"name": "é", "layers": [1, {"x": 2}]})";
  JsonPositions positions(text, {"layers[1].x", "layers"});
  auto x = positions.find("layers[1].x");
  REQUIRE(x);
  CHECK(x->line == 1);
  CHECK(x->column == 35);
  auto layers = positions.find("layers");
  REQUIRE(layers);
  CHECK(layers->column == 25);
}

TEST_CASE("Windows line endings, tabs and empty containers do not throw positions off") {
  std::string text = "{\r\n\t\"a\": {},\r\n\t\"b\": [],\r\n\t\"c\": [[], {\"d\": true}]\r\n}";
  JsonPositions positions(text, {"c[1].d", "b"});
  auto d = positions.find("c[1].d");
  REQUIRE(d);
  CHECK(d->line == 4);
  CHECK(d->column == 18);
  auto b = positions.find("b");
  REQUIRE(b);
  CHECK(b->line == 3);
  CHECK(b->column == 7);
}

TEST_CASE("malformed or truncated text ends the scan without reading past the end") {
  const std::vector<std::string> texts{
      "",
      "{",
      "{\"a\": [1, 2",
      "{\"a\" 1}",
      "[\"unterminated",
      "{\"a\": {\"b\": }}",
      "]]]]",
  };
  for (const auto& text : texts) {
    DYNAMIC_SECTION(text) {
      JsonPositions positions(text, {"a.b", "a[1]", "[0]"});
      CHECK_NOTHROW(positions.find("a.b"));
    }
  }
  JsonPositions truncated("{\"a\": [1, 2", {"a[1]"});
  auto at = truncated.find("a[1]");
  REQUIRE(at);
  CHECK(at->column == 11);
}

TEST_CASE("dotted paths split into keys and indices; malformed ones are refused") {
  std::vector<JsonPathStep> steps;
  REQUIRE(shapelint::split_json_path("config.layers[3].inbound_nodes[0][1]", steps));
  REQUIRE(steps.size() == 6);
  CHECK(steps[0].key == "config");
  CHECK(steps[2].index == 3);
  CHECK(steps[3].key == "inbound_nodes");
  CHECK(steps[4].index == 0);
  CHECK(steps[5].index == 1);
  REQUIRE(shapelint::split_json_path("", steps));
  CHECK(steps.empty());
  for (const char* bad : {"a..b", ".a", "a.", "a[x]", "a[]", "a[1", "a[-1]", "a[0]."})
    CHECK_FALSE(shapelint::split_json_path(bad, steps));
}

namespace {

std::optional<TextPosition> find_in(std::string_view text, const std::string& path) {
  ExactCopy copy(text);
  return JsonPositions(copy.view(), {path}).find(path);
}

/// The obviously correct position of byte `offset`: walk from the start, one byte at a time.
TextPosition slow_position(std::string_view text, std::size_t offset) {
  TextPosition at{1, 1};
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n')
      at = TextPosition{at.line + 1, 1};
    else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
      ++at.column;
  }
  return at;
}

/// A hand-picked text, a path in it, and where the path's value is expected (no line: not
/// found at all).
struct Case {
  std::string name;
  std::string text;
  std::string path;
  int line;
  int column;
};

}  // namespace

TEST_CASE("positions survive escapes, brackets in strings, line endings and truncation") {
  const std::string long_line = "[" + std::string(100000, ' ') + "\"é\", 7]";
  std::string many_lines = "{";
  for (int i = 0; i < 1000; ++i)
    many_lines += "\"k" + std::to_string(i) + "\": [\"x\",\n  {}],\n";
  many_lines += "\"last\": 1}";
  const std::vector<Case> cases{
      {"many lines", many_lines, "last", 2001, 9},
      {"CRLF", "{\r\n\"a\": [1,\r\n\r\n  2]}", "a[1]", 4, 3},
      {"CR alone is no line break", "{\"a\":\r[1,\r2]}", "a[1]", 1, 11},
      {"multi-byte UTF-8 before the value", "{\"é😀中\": \"ü\", \"b\": 1}", "b", 1, 19},
      {"multi-byte UTF-8 on an earlier line only", "{\"é😀中\": \"ü\",\n \"b\": 1}", "b", 2, 7},
      {"escaped backslash ends a skipped string", R"({"s": "a\\", "b": 1})", "b", 1, 19},
      {"escaped quote does not end a skipped string",
       R"({"s": "a\", \"b\": 2", "b": 1})",
       "b",
       1,
       29},
      {"escapes in a string inside a skipped container",
       R"({"s": ["\\", "\"]", "\\\""], "b": 1})",
       "b",
       1,
       35},
      {"brackets inside strings of a skipped container",
       R"({"s": ["]]]", {"x": "}{"}, "[["], "b": 1})",
       "b",
       1,
       40},
      {"a kind of closer that does not match still closes", R"({"s": [}, "b": 2})", "b", 1, 16},
      {"a value that is the last byte", "[0,7", "[1]", 1, 4},
      {"a string that is the last bytes", "{\"a\": \"x\"", "a", 1, 7},
      {"a container that is the last bytes", "{\"a\": {}}", "a", 1, 7},
      {"an unterminated string stops the scan", "{\"s\": [\"ab\\\", \"b\": 1}", "b", 0, 0},
      {"a backslash as the last byte stops the scan", "{\"s\": \"ab\\", "b", 0, 0},
      {"an unclosed container stops the scan", "{\"s\": [[1, 2], \"b\": 1", "b", 0, 0},
      {"an unbalanced closer stops the scan", "{\"s\": [1]], \"b\": 1}", "b", 0, 0},
      {"closers beyond the end of a skipped object", "{\"s\": {}}}}, \"b\": 1}", "b", 0, 0},
      {"a lone closer as the document", "]]]]", "[0]", 0, 0},
      {"a long single line", long_line, "[1]", 1, 100007},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto at = find_in(c.text, c.path);
    if (c.line == 0) {
      CHECK_FALSE(at);
      continue;
    }
    REQUIRE(at);
    CHECK(at->line == c.line);
    CHECK(at->column == c.column);
  }
}

TEST_CASE("values before, on and after block boundaries are found alike") {
  // Skipped strings and containers of every length around the 16- and 32-byte blocks, so
  // the scans end in their vector loop and in their byte-by-byte tail; the text's own
  // length varies with them.
  for (std::size_t pad = 0; pad <= 72; ++pad) {
    const std::string xs(pad, 'x');
    std::string utf8;
    for (std::size_t i = 0; i < pad; ++i)
      utf8 += i % 3 == 0 ? "é" : "x";
    const std::vector<std::string> texts{
        "{\"s\": \"" + xs + "\", \"b\": 1}",
        "{\"s\": [" + std::string(pad, ' ') + "], \"b\": 1}",
        "{\"s\": [\"" + xs + "\\\\\", \"\\\"" + xs + "\"], \"b\": 1",
        "{\"s\": \"" + utf8 + "\", \"b\": 1}",
        "{\"s\": {\"t\": \"" + xs + "\"},\n \"" + utf8 + "\": 0, \"b\": 1}",
        "{\"" + xs + "\": 0, \"b\": 1",
    };
    for (const auto& text : texts) {
      INFO(text);
      auto at = find_in(text, "b");
      REQUIRE(at);
      TextPosition expected = slow_position(text, text.rfind('1'));
      CHECK(at->line == expected.line);
      CHECK(at->column == expected.column);
    }
  }
}

namespace {

/// A value of a reference parse: its path in the loader's dotted form, where it begins,
/// and the value it lies in (-1 for the document).
struct ReferenceValue {
  std::string path;
  std::size_t offset;
  int parent;
};

/// An obviously correct, slow reading of valid JSON text: every path, with where its value
/// begins. Keys are taken raw, as JsonPositions takes them. A path repeated (a key repeated
/// in one object) keeps its first value, and the values under the later ones count as
/// children of that first one, as in JsonPositions' trie of paths.
class ReferenceParser {
 public:
  explicit ReferenceParser(std::string_view text) : text_(text) {
    skip_whitespace();
    value("", -1);
  }

  const std::vector<ReferenceValue>& values() const { return values_; }

 private:
  void skip_whitespace() {
    while (i_ < text_.size() &&
           std::string_view(" \t\r\n").find(text_[i_]) != std::string_view::npos)
      ++i_;
  }

  std::string raw_string() {
    ++i_;
    std::size_t start = i_;
    while (text_[i_] != '"')
      i_ += text_[i_] == '\\' ? 2 : 1;
    return std::string(text_.substr(start, i_++ - start));
  }

  void value(const std::string& path, int parent) {
    int self = static_cast<int>(values_.size());
    if (auto seen = first_.find(path); seen != first_.end())
      self = seen->second;
    else
      values_.push_back(ReferenceValue{path, i_, parent});
    first_.emplace(path, self);
    if (text_[i_] == '{') {
      ++i_;
      skip_whitespace();
      while (text_[i_] != '}') {
        std::string key = raw_string();
        skip_whitespace();
        ++i_;  // ':'
        skip_whitespace();
        value(path.empty() ? key : path + "." + key, self);
        skip_whitespace();
        if (text_[i_] == ',') {
          ++i_;
          skip_whitespace();
        }
      }
      ++i_;
    } else if (text_[i_] == '[') {
      ++i_;
      skip_whitespace();
      for (int index = 0; text_[i_] != ']'; ++index) {
        value(path + "[" + std::to_string(index) + "]", self);
        skip_whitespace();
        if (text_[i_] == ',') {
          ++i_;
          skip_whitespace();
        }
      }
      ++i_;
    } else if (text_[i_] == '"') {
      raw_string();
    } else {
      while (i_ < text_.size() &&
             std::string_view(",}] \t\r\n").find(text_[i_]) == std::string_view::npos)
        ++i_;
    }
  }

  std::string_view text_;
  std::size_t i_ = 0;
  std::vector<ReferenceValue> values_;
  std::map<std::string, int> first_;
};

/// Random valid JSON in the shape of Keras configs, with what makes scanning hard: every
/// kind of line break and indentation, escapes, brackets inside strings, multi-byte UTF-8,
/// strings and containers of every length.
class JsonGenerator {
 public:
  /// With `model_like`, no object repeats a key (its paths then name one value each) and the
  /// document is an object whose "layers" and "config" are often arrays of objects.
  explicit JsonGenerator(unsigned seed, bool model_like = false)
      : random_(seed), model_like_(model_like) {}

  std::string document() {
    std::string text = pick(kSpace);
    value(text, 0, model_like_ ? kObject : -1);
    return text + pick(kSpace);
  }

 private:
  static constexpr const char* kSpace[] = {"", "", " ", "\n", "\r\n", "\t", "\n    ", "  "};
  // Keys must make paths split_json_path accepts: no '.', no '[', not empty.
  static constexpr const char* kKeys[] = {"a",
                                          "config",
                                          "class_name",
                                          "k}",
                                          "q\\\"x",
                                          "b\\\\",
                                          "é",
                                          "中文",
                                          "]",
                                          "inbound_nodes",
                                          "😀",
                                          "layers"};
  static constexpr const char* kStringPieces[] = {"x",
                                                  "plain text",
                                                  "é",
                                                  "中",
                                                  "😀",
                                                  "\\\"",
                                                  "\\\\",
                                                  "{",
                                                  "}",
                                                  "[",
                                                  "]",
                                                  "\\n",
                                                  "\\u00e9",
                                                  ",",
                                                  ":",
                                                  "xxxxxxxxxxxxxxxxxxxxxxxxx"};
  static constexpr const char* kScalars[] = {"1", "-2.5e3", "true", "false", "null", "0"};

  template <std::size_t N>
  const char* pick(const char* const (&choices)[N]) {
    return choices[std::uniform_int_distribution<std::size_t>(0, N - 1)(random_)];
  }

  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

  void string(std::string& text) {
    text += '"';
    for (int n = below(5); n > 0; --n)
      text += pick(kStringPieces);
    text += '"';
  }

  static constexpr int kArray = 2;
  static constexpr int kObject = 3;

  /// A value of kind `kind` (random when negative); an array's elements of `element_kind`.
  void value(std::string& text, int depth, int kind = -1, int element_kind = -1) {
    if (kind < 0)
      kind = depth >= 5 ? below(2) : below(4);
    if (kind == 0) {
      text += pick(kScalars);
    } else if (kind == 1) {
      string(text);
    } else if (kind == kArray) {
      text += '[';
      text += pick(kSpace);
      for (int n = below(5), i = 0; i < n; ++i) {
        if (i > 0)
          text += std::string(",") + pick(kSpace);
        value(text, depth + 1, element_kind);
        text += pick(kSpace);
      }
      text += ']';
    } else {
      object(text, depth);
    }
  }

  void object(std::string& text, int depth) {
    text += '{';
    text += pick(kSpace);
    std::vector<std::string_view> used;
    for (int n = below(5), i = 0; i < n; ++i) {
      if (i > 0)
        text += std::string(",") + pick(kSpace);
      std::string_view key = pick(kKeys);
      while (model_like_ && std::find(used.begin(), used.end(), key) != used.end())
        key = pick(kKeys);
      used.push_back(key);
      text += '"';
      text += key;
      text += '"';
      text += pick(kSpace);
      text += ':';
      text += pick(kSpace);
      // A model's list of layers, often: the objects the parser records the starts of.
      if (model_like_ && (key == "layers" || key == "config") && depth < 4 && below(2) == 0)
        value(text, depth + 1, kArray, kObject);
      else
        value(text, depth + 1);
      text += pick(kSpace);
    }
    text += '}';
  }

  std::mt19937 random_;
  bool model_like_;
};

/// What JsonPositions::find should answer for value `index` when the text is cut to its
/// first `length` bytes: its own position if it begins there, else its deepest ancestor's
/// that does, never the document's for another path.
std::optional<TextPosition> expected_position(std::string_view text,
                                              const std::vector<ReferenceValue>& values,
                                              int index,
                                              std::size_t length) {
  for (int v = index; v >= 0; v = values[static_cast<std::size_t>(v)].parent) {
    if (v == 0 && index != 0)
      break;
    if (values[static_cast<std::size_t>(v)].offset < length)
      return slow_position(text, values[static_cast<std::size_t>(v)].offset);
  }
  return std::nullopt;
}

void check_against_reference(std::string_view text,
                             const std::vector<ReferenceValue>& values,
                             const std::vector<int>& asked,
                             std::size_t length) {
  ExactCopy copy(text.substr(0, length));
  std::vector<std::string> wanted;
  for (int v : asked)
    wanted.push_back(values[static_cast<std::size_t>(v)].path);
  JsonPositions positions(copy.view(), wanted);
  for (int v : asked) {
    const auto& path = values[static_cast<std::size_t>(v)].path;
    INFO("path " << path << ", text cut to " << length << " bytes");
    auto at = positions.find(path);
    auto expected = expected_position(text, values, v, length);
    REQUIRE(at.has_value() == expected.has_value());
    if (expected) {
      CHECK(at->line == expected->line);
      CHECK(at->column == expected->column);
    }
  }
}

}  // namespace

TEST_CASE("positions agree with a slow reference on generated JSON, whole and cut short") {
  for (unsigned seed = 1; seed <= 60; ++seed) {
    JsonGenerator generator(seed);
    std::string text = generator.document();
    ReferenceParser reference(text);
    const auto& values = reference.values();
    std::vector<int> paths;
    for (std::size_t i = 0; i < values.size(); ++i)
      paths.push_back(static_cast<int>(i));
    INFO("seed " << seed << ": " << text);
    // All paths at once (the scan descends everywhere), each alone (it skips everything
    // else), and every other one.
    check_against_reference(text, values, paths, text.size());
    for (int v : paths)
      check_against_reference(text, values, {v}, text.size());
    std::vector<int> alternate;
    for (std::size_t i = 0; i < paths.size(); i += 2)
      alternate.push_back(paths[i]);
    // Cut short anywhere: in a string, an escape, a multi-byte character, a container.
    for (std::size_t length = 0; length <= text.size(); length += 1 + length / 16) {
      check_against_reference(text, values, paths, length);
      check_against_reference(text, values, alternate, length);
    }
  }
}

TEST_CASE(
    "searches started at the layer objects the document knows find what a scan from the top "
    "finds") {
  int started_inside = 0;
  for (unsigned seed = 1; seed <= 80; ++seed) {
    JsonGenerator generator(seed, true);
    std::string text = generator.document();
    JsonParseError error;
    auto document = JsonDocument::parse(text, 64, error);
    REQUIRE(document);
    ReferenceParser reference(text);
    const auto& values = reference.values();
    std::vector<WantedPath> all;
    for (const auto& v : values) {
      all.push_back(shapelint::wanted_path_in(document->root(), v.path));
      started_inside += all.back().start > 0;
    }
    INFO("seed " << seed << ": " << text);
    JsonPositions together(text, all);
    for (std::size_t i = 0; i < values.size(); ++i) {
      INFO("path " << values[i].path << ", searched from " << all[i].start << " as "
                   << all[i].rest);
      JsonPositions alone(text, std::span<const WantedPath>(&all[i], 1));
      auto expected = slow_position(text, values[i].offset);
      for (const auto* positions : {&together, &alone}) {
        auto at = positions->find(values[i].path);
        REQUIRE(at);
        CHECK(at->line == expected.line);
        CHECK(at->column == expected.column);
      }
    }
  }
  // The generated documents have objects in "layers" and "config" arrays: searches did
  // start inside the text, not only at the top.
  CHECK(started_inside > 100);
}

TEST_CASE("a search start that is not an object's brace is not trusted") {
  std::string text = "{\"layers\": [{\"a\": 1}, {\"b\": [2, 3]}]}";
  JsonParseError error;
  auto document = JsonDocument::parse(text, 64, error);
  REQUIRE(document);
  WantedPath wanted = shapelint::wanted_path_in(document->root(), "layers[1].b[1]");
  CHECK(wanted.start == text.find("{\"b\""));
  CHECK(wanted.rest == "b[1]");
  auto expected = slow_position(text, text.find('3'));
  // The file changed since it was parsed: the start points at another byte, or past the end.
  for (std::size_t start : {wanted.start, std::size_t{3}, text.size(), text.size() + 100}) {
    WantedPath moved = wanted;
    moved.start = start;
    JsonPositions positions(text, std::span<const WantedPath>(&moved, 1));
    auto at = positions.find("layers[1].b[1]");
    REQUIRE(at);
    CHECK(at->line == expected.line);
    CHECK(at->column == expected.column);
  }
}

TEST_CASE("a path's search starts at its deepest layer object, with the rest of the path") {
  std::string text =
      "{\"config\": {\"layers\": [{\"config\": {\"layers\": [{}, {\"name\": \"in\"}]}}]},"
      " \"other\": [{\"x\": 1}]}";
  JsonParseError error;
  auto document = JsonDocument::parse(text, 64, error);
  REQUIRE(document);
  auto root = document->root();
  std::size_t outer = text.find("{\"config\": {\"layers\": [{}");
  std::size_t inner = text.find("{\"name\"");

  struct Case {
    std::string path;
    std::size_t start;
    std::string rest;
  };

  for (const auto& c : std::vector<Case>{
           {"config.layers[0]", outer, ""},
           {"config.layers[0].config", outer, "config"},
           {"config.layers[0].config.layers[1].name", inner, "name"},
           {"config.layers[0].config.layers[1]", inner, ""},
           // an empty object has no recorded start
           {"config.layers[0].config.layers[0]", outer, "config.layers[0]"},
           // a step the document does not hold ends the walk
           {"config.layers[0].config.layers[7].name", outer, "config.layers[7].name"},
           {"config.layers[3].config", 0, "config.layers[3].config"},
           // not in a "layers" or "config" array
           {"other[0].x", 0, "other[0].x"},
           {"config", 0, "config"},
           {"", 0, ""},
       }) {
    INFO(c.path);
    WantedPath wanted = shapelint::wanted_path_in(root, c.path);
    CHECK(wanted.path == c.path);
    CHECK(wanted.start == c.start);
    CHECK(wanted.rest == c.rest);
  }
}

TEST_CASE("deep nesting off the wanted paths is skipped without recursion") {
  const std::size_t depth = 200000;
  std::string text = "{\"deep\": " + std::string(depth, '[') + std::string(depth, ']') +
                     ",\n \"b\": " + std::string(depth, '{') + "}";
  auto at = find_in(text, "b");
  REQUIRE(at);
  CHECK(at->line == 2);
  CHECK(at->column == 7);
}

namespace {

/// Where the original byte-by-byte scanner stood after the string whose opening quote is at
/// `i`, or nothing when the string is unterminated.
std::optional<std::size_t> reference_skip_string(std::string_view text, std::size_t i) {
  for (++i; i < text.size() && text[i] != '"'; ++i)
    if (text[i] == '\\' && i + 1 < text.size())
      ++i;
  if (i >= text.size())
    return std::nullopt;
  return i + 1;
}

/// Where the original scanner stood after skipping the value at `i`; nothing when the scan
/// stopped or reached the end.
std::optional<std::size_t> reference_skip_value(std::string_view text, std::size_t i) {
  if (text[i] == '"')
    return reference_skip_string(text, i);
  if (text[i] != '{' && text[i] != '[') {
    while (i < text.size() &&
           std::string_view(",}] \n\r\t").find(text[i]) == std::string_view::npos)
      ++i;
    return i;
  }
  std::size_t depth = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      auto after = reference_skip_string(text, i);
      if (!after)
        return std::nullopt;
      i = *after;
      continue;
    }
    if (text[i] == '{' || text[i] == '[')
      ++depth;
    else if (text[i] == '}' || text[i] == ']')
      --depth;
    ++i;
    if (depth == 0)
      return i;
  }
  return std::nullopt;
}

/// Where the original scanner found the second element of the array that `text` begins
/// with, its first one skipped.
std::optional<std::size_t> reference_second_element(std::string_view text) {
  auto skip_whitespace = [&](std::size_t i) {
    while (i < text.size() && std::string_view(" \t\n\r").find(text[i]) != std::string_view::npos)
      ++i;
    return i;
  };
  std::size_t i = skip_whitespace(1);
  if (i >= text.size() || text[i] == ']')
    return std::nullopt;
  auto after = reference_skip_value(text, i);
  if (!after)
    return std::nullopt;
  i = skip_whitespace(*after);
  if (i >= text.size() || text[i] != ',')
    return std::nullopt;
  i = skip_whitespace(i + 1);
  if (i >= text.size())
    return std::nullopt;
  return i;
}

}  // namespace

TEST_CASE("skipping garbage stops, or ends where the byte-by-byte scanner did") {
  // The first element: well-formed pieces, with up to two bytes that matter to skipping
  // thrown in anywhere (unbalanced and mismatched brackets, stray backslashes, quotes left
  // open), at every length.
  const char* const pieces[] = {"x",
                                "xxxxxxxxxxxxx",
                                " ",
                                "\n",
                                ",",
                                "é",
                                "\"a]\"",
                                "\"\\\\\"",
                                "[]",
                                "{}",
                                "\"{\"",
                                "\"\\\"\"",
                                "[\"}\"]",
                                "{\"a\": 1}"};
  const char* const garbage[] = {"\"", "\\", "{", "}", "[", "]", "\\\""};
  const char* const endings[] = {",7]", " ,\n 7", ",7", ",\"\\\"\"]", "", "]", ",", "}, 7"};
  std::mt19937 random(7);
  auto below = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  };
  int found = 0;
  const int rounds = 20000;
  for (int round = 0; round < rounds; ++round) {
    std::string first;
    for (std::size_t n = below(30); n > 0; --n)
      first += pieces[below(std::size(pieces))];
    for (std::size_t n = below(3); n > 0; --n)
      first.insert(below(first.size() + 1), garbage[below(std::size(garbage))]);
    switch (below(4)) {
      case 0:
        first = "[" + first + "]";
        break;
      case 1:
        first = "{" + first + "}";
        break;
      case 2:
        first = "\"" + first + "\"";
        break;
      default:
        break;
    }
    std::string text = "[" + first + endings[below(std::size(endings))];
    INFO(text);
    auto at = find_in(text, "[1]");
    auto expected = reference_second_element(text);
    REQUIRE(at.has_value() == expected.has_value());
    if (expected) {
      ++found;
      TextPosition position = slow_position(text, *expected);
      CHECK(at->line == position.line);
      CHECK(at->column == position.column);
    }
  }
  // Both outcomes are common enough to be tested.
  CHECK(found > rounds / 10);
  CHECK(found < rounds - rounds / 10);
}
