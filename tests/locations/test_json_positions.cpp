// JsonPositions: where values stand in a JSON text, checked against hand-counted lines and
// columns.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/model/json_positions.hpp"

using shapelint::JsonPathStep;
using shapelint::JsonPositions;
using shapelint::TextPosition;

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
