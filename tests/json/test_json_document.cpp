// The compact JSON document must read every text exactly as nlohmann_json does: the same
// values, the same errors at the same positions. nlohmann_json itself is the oracle here.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/json/byte_scan.hpp"
#include "shapelint/json/document.hpp"

namespace {

using shapelint::JsonDocument;
using shapelint::JsonParseError;
using shapelint::JsonValue;
using shapelint::TextLifetime;

constexpr std::size_t kDepth = 512;

/// A document either keeps nothing of its text or reads floats from it when asked: every
/// text must read the same both ways.
constexpr TextLifetime kLifetimes[] = {TextLifetime::ends_after_parse,
                                       TextLifetime::outlives_document};

const char* name_of(TextLifetime lifetime) {
  return lifetime == TextLifetime::ends_after_parse ? "text ends after the parse"
                                                    : "text outlives the document";
}

std::unique_ptr<JsonDocument> parse(std::string_view text,
                                    JsonParseError& error,
                                    TextLifetime lifetime = TextLifetime::ends_after_parse) {
  return JsonDocument::parse(text, kDepth, error, lifetime);
}

/// nlohmann's message from "parse error" on, or "" when it parses the text.
std::string nlohmann_error(std::string_view text) {
  try {
    nlohmann::json value = nlohmann::json::parse(text);
    (void)value;
    return "";
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    auto at = what.find("parse error");
    return at == std::string::npos ? what : what.substr(at);
  }
}

/// Parses with both (the document with its text gone and with its text kept) and checks
/// they agree: the same value, or the same error message.
void check_agrees(std::string_view text) {
  INFO("text: " << text);
  std::string expected_error = nlohmann_error(text);
  for (TextLifetime lifetime : kLifetimes) {
    INFO(name_of(lifetime));
    JsonParseError error;
    auto doc = parse(text, error, lifetime);
    if (expected_error.empty()) {
      REQUIRE(doc);
      nlohmann::json expected = nlohmann::json::parse(text);
      CHECK(doc->root().to_nlohmann() == expected);
      CHECK(doc->root().dump() == expected.dump());
    } else if (expected_error.find("number overflow") != std::string::npos) {
      REQUIRE_FALSE(doc);
      CHECK(error.message.find("number overflow") != std::string::npos);
    } else {
      REQUIRE_FALSE(doc);
      CHECK(error.message == expected_error);
    }
  }
}

std::string read_sample(const std::string& name) {
  std::ifstream in(std::string(SHAPELINT_SOURCE_DIR) + "/samples/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

TEST_CASE("valid JSON reads to the values nlohmann reads") {
  for (std::string_view text : std::vector<std::string_view>{
           R"(null)",
           R"(true)",
           R"(false)",
           R"(0)",
           R"(-0)",
           R"(-0.0)",
           R"(1.5e3)",
           R"(1E-2)",
           R"(2.0)",
           R"("")",
           R"("plain")",
           R"("esc\"aped\\ \/ \b\f\n\r\t")",
           R"("\u00e9\u4e2d\ud83d\ude00")",
           R"("\u0000 inside")",
           "\"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\"",
           R"([])",
           R"({})",
           R"([[], {}, [[]], {"a": {}}])",
           " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : null } \n",
           R"({"class_name": "Dense", "config": {"units": 64, "use_bias": true, "rate": 0.1}})",
           R"({"b": 1, "a": 2, "c": {"z": [1, 2.5, "x"], "y": false}})",
           R"({"k\u00e9y": 1, "k\"q": 2})",
           "\xef\xbb\xbf{\"bom\": 1}",
           R"([1, -1, 18446744073709551615, -9223372036854775808])",
       })
    check_agrees(text);
}

TEST_CASE("values answer the queries the loader and the rules make") {
  JsonParseError error;
  auto doc = parse(R"({"name": "d", "units": 64, "rate": 0.5, "on": true, "none": null,
                      "shape": [null, 28, 28, 1], "nested": {"x": -3}})",
                   error);
  REQUIRE(doc);
  JsonValue root = doc->root();
  CHECK(root.is_object());
  CHECK(root.size() == 7);
  CHECK(root["name"].as_string() == "d");
  CHECK(root["name"]->get<std::string>() == "d");
  CHECK(root["units"].is_number_unsigned());
  CHECK(root["units"].is_number_integer());
  CHECK(root["units"]->get<int>() == 64);
  CHECK(root["rate"].is_number_float());
  CHECK(root["rate"].as_double() == 0.5);
  CHECK(root["on"].as_bool());
  CHECK(root["none"].is_null());
  CHECK(root["none"]);  // present, though null
  CHECK_FALSE(root["missing"]);
  CHECK(root["missing"] == nullptr);
  CHECK_FALSE(root["missing"].is_null());
  CHECK(root["nested"]["x"].as_int() == -3);
  CHECK_FALSE(root["nested"]["x"].is_number_unsigned());
  JsonValue shape = root.find("shape");
  REQUIRE(shape->is_array());
  CHECK(shape->size() == 4);
  CHECK((*shape)[0].is_null());
  CHECK((*shape)[3].as_int() == 1);
  CHECK_FALSE((*shape)[4]);
  std::vector<std::int64_t> dims;
  for (const auto& d : *shape)
    dims.push_back(d.is_null() ? -1 : d.as_int());
  CHECK(dims == std::vector<std::int64_t>{-1, 28, 28, 1});
  CHECK(root.value("name", "fallback") == "d");
  CHECK(root.value("units", "fallback") == "fallback");
  CHECK(root.value("missing", "fallback") == "fallback");
  CHECK(root["units"].key() == "units");
  CHECK(root["name"].dump() == "\"d\"");
  CHECK(root["shape"].dump() == "[null,28,28,1]");
}

TEST_CASE("numbers at the 64-bit limits read as nlohmann reads them") {
  struct Row {
    const char* text;
    const char* kind;  // "unsigned", "signed", "float"
  };

  for (const Row& row : std::vector<Row>{
           {"0", "unsigned"},
           {"9223372036854775807", "unsigned"},
           {"9223372036854775808", "unsigned"},
           {"18446744073709551615", "unsigned"},
           {"18446744073709551616", "float"},
           {"-1", "signed"},
           {"-9223372036854775808", "signed"},
           {"-9223372036854775809", "float"},
           {"1e308", "float"},
           {"1e-400", "float"},
           {"4.9e-324", "float"},
           {"123456789012345678901234567890", "float"},
       }) {
    INFO(row.text);
    for (TextLifetime lifetime : kLifetimes) {
      INFO(name_of(lifetime));
      JsonParseError error;
      auto doc = parse(row.text, error, lifetime);
      REQUIRE(doc);
      nlohmann::json expected = nlohmann::json::parse(row.text);
      JsonValue v = doc->root();
      CHECK(v.is_number_unsigned() == expected.is_number_unsigned());
      CHECK(v.is_number_integer() == expected.is_number_integer());
      CHECK(v.is_number_float() == expected.is_number_float());
      CHECK(v.to_nlohmann() == expected);
      CHECK(v.dump() == expected.dump());
      if (std::string_view(row.kind) == "unsigned")
        CHECK(v.as_uint() == expected.get<std::uint64_t>());
      if (std::string_view(row.kind) == "signed")
        CHECK(v.as_int() == expected.get<std::int64_t>());
      if (std::string_view(row.kind) == "float")
        CHECK(v.as_double() == expected.get<double>());
    }
  }
}

/// The double std::from_chars reads from `text`, bit for bit (so -0.0 differs from 0.0).
std::uint64_t from_chars_bits(std::string_view text) {
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return std::bit_cast<std::uint64_t>(d);
}

/// The float `text` reads as, bit for bit; the same whether the document keeps its text.
std::uint64_t parsed_bits(std::string_view text) {
  std::uint64_t bits[2] = {};
  for (int i = 0; i < 2; ++i) {
    JsonParseError error;
    auto doc = parse(text, error, kLifetimes[i]);
    REQUIRE(doc);
    REQUIRE(doc->root().is_number_float());
    bits[i] = std::bit_cast<std::uint64_t>(doc->root().as_double());
  }
  CHECK(bits[0] == bits[1]);
  return bits[0];
}

TEST_CASE("floats read bit for bit as std::from_chars reads them, on both paths") {
  // Each side of the exact fast path's limits: 2^53, 19 significant digits, |exponent| 22,
  // four exponent digits, signed zeros, leading zeros that are not significant.
  for (const char* text : {"0.0",
                           "-0.0",
                           "0e5",
                           "-0E-99999",
                           "0.000125",
                           "-0.0125",
                           "1.5e3",
                           "9007199254740992.0",
                           "9007199254740993.0",
                           "9007199254740991e22",
                           "9007199254740993e-22",
                           "1e22",
                           "1e23",
                           "1e-22",
                           "1e-23",
                           "1234567890123456789.0",
                           "12345678901234567890.0",
                           "0.1234567890123456789",
                           "0.00000000000000000000001",
                           "3.141592653589793",
                           "2.2250738585072014e-308",
                           "1.7976931348623157e308",
                           "1e0000",
                           "1e+0022",
                           "123.456e-5",
                           "8.98846567431158e307"}) {
    INFO(text);
    CHECK(parsed_bits(text) == from_chars_bits(text));
  }
}

/// `count` random decimal digits.
std::string random_digits(std::mt19937_64& random, int count) {
  std::string out;
  for (int i = 0; i < count; ++i)
    out += static_cast<char>('0' + random() % 10);
  return out;
}

TEST_CASE("random decimal floats read bit for bit as std::from_chars reads them") {
  std::mt19937_64 random(20261126);
  auto digits = [&](int count) { return random_digits(random, count); };
  for (int i = 0; i < 20000; ++i) {
    std::string text = random() % 4 == 0 ? "-" : "";
    std::string whole = digits(1 + static_cast<int>(random() % 12));
    while (whole.size() > 1 && whole[0] == '0')
      whole.erase(0, 1);  // JSON allows no leading zero
    text += whole + "." + digits(1 + static_cast<int>(random() % 14));
    if (random() % 3 == 0)
      text += fmt::format("e{}", static_cast<int>(random() % 61) - 30);
    INFO(text);
    CHECK(parsed_bits(text) == from_chars_bits(text));
  }
}

TEST_CASE("a number too large for a double is an error, not a crash") {
  for (TextLifetime lifetime : kLifetimes) {
    INFO(name_of(lifetime));
    JsonParseError error;
    CHECK_FALSE(parse("[1e400]", error, lifetime));
    CHECK(error.message == "parse error at line 1, column 2: number overflow parsing '1e400'");
    CHECK(error.line == 1);
    CHECK(error.column == 2);
    CHECK_FALSE(parse("-1e999", error, lifetime));
    CHECK_FALSE(parse("[0.5, 1.5e999]", error, lifetime));
    CHECK(error.message.find("number overflow parsing '1.5e999'") != std::string::npos);
  }
}

TEST_CASE("a repeated key reads its last value and counts once, as in nlohmann") {
  std::string text = R"({"dtype": "float32", "b": 1, "dtype": "float16", "a": [1]})";
  check_agrees(text);
  JsonParseError error;
  auto doc = parse(text, error);
  REQUIRE(doc);
  JsonValue root = doc->root();
  CHECK(root["dtype"].as_string() == "float16");
  CHECK(root.size() == 3);
  auto items = root.items();
  REQUIRE(items.size() == 3);
  CHECK(items[0].key == "a");
  CHECK(items[1].key == "b");
  CHECK(items[2].key == "dtype");
  CHECK(items[2].value.as_string() == "float16");
}

TEST_CASE("items() lists members in nlohmann's sorted order") {
  JsonParseError error;
  auto doc = parse(R"({"z": 1, "B": 2, "a": 3, "aa": 4, "": 5})", error);
  REQUIRE(doc);
  std::vector<std::string> keys;
  for (const auto& [k, v] : doc->root().items())
    keys.emplace_back(k);
  std::vector<std::string> expected;
  nlohmann::json reference = nlohmann::json::parse(R"({"z": 1, "B": 2, "a": 3, "aa": 4, "": 5})");
  for (const auto& [k, v] : reference.items())
    expected.push_back(k);
  CHECK(keys == expected);
}

TEST_CASE("malformed JSON fails with nlohmann's message, line and column") {
  for (std::string_view text : std::vector<std::string_view>{
           "",
           "   ",
           "{",
           "[",
           "[1,",
           "[1 2]",
           "[1,]",
           "{\"a\" 1}",
           "{\"a\": 1,}",
           "{\"a\": 1 \"b\": 2}",
           "{1: 2}",
           "{'a': 1}",
           "tru",
           "nul",
           "falsey",
           "[True]",
           "Nan",
           "NaNa",
           "Infinit",
           "-Inf",
           "infinity",
           "[NaN NaN]",
           "+1",
           "01",
           "1.",
           ".5",
           "1e",
           "1e+",
           "-",
           "--1",
           "0x10",
           "\"unterminated",
           "\"bad escape \\x\"",
           "\"short \\u12\"",
           "\"lone high \\ud800\"",
           "\"lone high then text \\ud800abc\"",
           "\"high then bad low \\ud800\\u0041\"",
           "\"lone low \\udc00\"",
           "\"tab\tinside\"",
           "\"newline\ninside\"",
           "[1] [2]",
           "{} x",
           "[1]\n\n  ]",
           "{\"a\":\n  [1,\n   2,\n   x]}",
           "// comment\n{}",
           "{\"a\": 1 /* c */}",
           "\xef\xbb{}",
           "\xef{}",
           "[\"\xc3\"]",
           "[\"\xc3\x28\"]",
           "[\"\xe0\x80\xaf\"]",
           "[\"\xed\xa0\x80\"]",
           "[\"\xf4\x90\x80\x80\"]",
           "[\"\xf5\x80\x80\x80\"]",
           "[\"\x80\"]",
           "[\"\xff\"]",
           "[\"\xc0\xaf\"]",
           "\xc3\xa9",
           std::string_view("[1,\0 2]", 7),
           std::string_view("[\"a\0b\"]", 7),
           std::string_view("[1\0]", 4),
           std::string_view("\0", 1),
       })
    check_agrees(text);
}

TEST_CASE("NaN, Infinity and -Infinity read as floats, as Python's json.loads reads them") {
  JsonParseError error;
  auto doc = parse(R"({"a": NaN, "b": Infinity, "c": -Infinity, "d": [-Infinity,NaN]})", error);
  REQUIRE(doc);
  JsonValue root = doc->root();
  REQUIRE(root.find("a")->is_number_float());
  CHECK(std::isnan(root.find("a")->as_double()));
  CHECK(root.find("b")->as_double() == std::numeric_limits<double>::infinity());
  CHECK(root.find("c")->as_double() == -std::numeric_limits<double>::infinity());
  REQUIRE(root.find("d")->size() == 2);
  CHECK(std::isnan((*root.find("d"))[1].as_double()));
}

TEST_CASE("a NUL byte after the value ends the input, as nlohmann's lexer reads it") {
  for (std::string_view text : std::vector<std::string_view>{
           std::string_view("{}\0", 3),
           std::string_view("{} \0 trailing junk", 18),
       })
    check_agrees(text);
}

TEST_CASE("values compare with numbers, bools and strings as nlohmann values do") {
  JsonParseError error;
  auto doc = parse(R"([0, 0.0, -1, 2, true, "s", null, 18446744073709551615])", error);
  REQUIRE(doc);
  JsonValue v = doc->root();
  CHECK(v[0] == 0);
  CHECK(v[1] == 0);
  CHECK(v[1] == 0.0);
  CHECK(v[2] == -1);
  CHECK_FALSE(v[3] == 3);
  CHECK(v[3] == 2u);
  CHECK(v[4] == true);
  CHECK_FALSE(v[4] == 1);
  CHECK(v[5] == "s");
  CHECK_FALSE(v[5] == 0);
  CHECK_FALSE(v[6] == 0);
  CHECK(v[6] != nullptr);
  CHECK(v[8] == nullptr);
  CHECK_FALSE(v[7] == -1);
}

TEST_CASE("a value knows its path in the document, as findings name it") {
  JsonParseError error;
  auto doc = parse(
      R"({"config": {"layers": [{"name": "a"}, {"inbound_nodes": [[["a", 0, 0, {}]]]}]}})", error);
  REQUIRE(doc);
  JsonValue layers = doc->root()["config"]["layers"];
  CHECK(doc->root().path().empty());
  CHECK(layers.path() == "config.layers");
  CHECK(layers[0].path() == "config.layers[0]");
  CHECK(layers[1]["inbound_nodes"][0][0].path() == "config.layers[1].inbound_nodes[0][0]");
  CHECK(layers[1]["inbound_nodes"][0][0][3].path() == "config.layers[1].inbound_nodes[0][0][3]");
  CHECK(layers[5].path().empty());
}

namespace {

/// A random JSON value: containers of every size (empty ones too) nested up to `depth`, with
/// scalars among them, so that sibling containers' blocks interleave in every way.
std::string random_json(std::mt19937& random, int depth) {
  auto pick = [&](unsigned n) { return static_cast<unsigned>(random() % n); };
  if (depth == 0 || pick(3) == 0) {
    switch (pick(4)) {
      case 0:
        return std::to_string(pick(1000));
      case 1:
        return "\"s" + std::to_string(pick(5)) + "\"";
      case 2:
        return "true";
      default:
        return "null";
    }
  }
  bool object = pick(2) == 0;
  std::string out(1, object ? '{' : '[');
  for (unsigned i = 0, n = pick(7); i < n; ++i) {
    if (i)
      out += ',';
    if (object)
      out += "\"k" + std::to_string(i) + "\":";
    out += random_json(random, depth - 1);
  }
  out += object ? '}' : ']';
  return out;
}

/// Checks the path of `v` and of everything below it, `expected` being its own.
void check_paths(JsonValue v, const std::string& expected, std::size_t& checked) {
  REQUIRE(v.path() == expected);
  ++checked;
  if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      check_paths(v[i], expected + "[" + std::to_string(i) + "]", checked);
  } else if (v.is_object()) {
    for (const auto& [key, member] : v.items())
      check_paths(
          member, expected.empty() ? std::string(key) : expected + "." + std::string(key), checked);
  }
}

}  // namespace

TEST_CASE("every value of random documents knows its path") {
  std::mt19937 random(20261126);
  std::size_t checked = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text = random_json(random, 1 + round % 7);
    INFO(text);
    JsonParseError error;
    auto doc = parse(text, error);
    REQUIRE(doc);
    check_paths(doc->root(), "", checked);
  }
  CHECK(checked > 10000);
}

TEST_CASE("runs of numbers in arrays read as nlohmann reads them, whatever follows them") {
  // The parser reads the numbers after a number in an array in a loop of its own: every
  // way such a run can go on, end or break off. (NaN and Infinity, which Python writes and
  // nlohmann refuses, have a test of their own.)
  std::mt19937 random(11);
  const std::vector<std::string> items{"0",
                                       "-1",
                                       "2.5",
                                       "-0.125e3",
                                       "1e400",
                                       "18446744073709551616",
                                       "-9223372036854775809",
                                       "\"s\"",
                                       "[]",
                                       "[1, 2]",
                                       "{}",
                                       "null",
                                       "true",
                                       "-",
                                       "01",
                                       "1.",
                                       ".5",
                                       ""};
  const std::vector<std::string> separators{",", ", ", " ,", " , ", ",\n  ", "", " ", ",,"};
  for (int round = 0; round < 4000; ++round) {
    std::string text = "[";
    for (std::size_t n = random() % 8; n > 0; --n) {
      text += items[random() % items.size()];
      text += separators[random() % separators.size()];
    }
    text += items[random() % 4];
    text += random() % 8 == 0 ? "" : "]";
    if (random() % 3 == 0)
      text = "{\"w\": " + text + (random() % 2 ? ", \"k\": 1}" : "}");
    check_agrees(text);
  }
}

TEST_CASE("long runs of floats read as nlohmann reads them, a block at a time or one by one") {
  // A weight matrix's floats are read 64 bytes at a time (number_scan.hpp's
  // plain_floats_in_block), down to anything that stops a block: the arrays here are long
  // enough for blocks, with what must stop one (or fail the parse) anywhere in them.
  std::mt19937_64 random(20261127);
  const std::vector<std::string> odd{"1",
                                     "-12",
                                     "1.5e-05",
                                     "2E+3",
                                     "01.5",
                                     "1.",
                                     ".5",
                                     "-",
                                     "--1.5",
                                     "",
                                     "0.5.5",
                                     "[0.5]",
                                     "{}",
                                     "null",
                                     "1e400",
                                     "-0.0",
                                     "0.0",
                                     "10.25",
                                     "123456789012345678901.5"};
  const std::vector<std::string> separators{",", ", ", ",  ", ",\n    ", " , "};
  auto weight = [&] {
    std::string w = random() % 2 ? "-0." : "0.";
    std::size_t digits = random() % 8 == 0 ? 1 + random() % 40 : 14 + random() % 4;
    for (std::size_t i = 0; i < digits; ++i)
      w += static_cast<char>('0' + random() % 10);
    return w;
  };
  for (int round = 0; round < 2000; ++round) {
    std::string text = "[" + weight();
    std::size_t count = 10 + random() % 150;
    const std::string& usual = random() % 4 == 0 ? separators[random() % 2] : separators[1];
    for (std::size_t i = 0; i < count; ++i) {
      text += random() % 16 == 0 ? separators[random() % separators.size()] : usual;
      text += random() % 40 == 0 ? odd[random() % odd.size()] : weight();
    }
    text += random() % 16 == 0 ? "" : "]";
    if (random() % 3 == 0)
      text = "{\"w\": " + text + ", \"k\": 1}";
    check_agrees(text);
  }
}

TEST_CASE("a large object with repeated keys counts each key once") {
  std::string text = "{";
  for (int i = 0; i < 40; ++i)
    text += fmt::format("\"k{}\": {}, ", i % 30, i);
  text += "\"last\": 0}";
  check_agrees(text);
  JsonParseError error;
  auto doc = parse(text, error);
  REQUIRE(doc);
  CHECK(doc->root().size() == 31);
  CHECK(doc->root()["k5"].as_int() == 35);
}

TEST_CASE("an error names its line and column") {
  JsonParseError error;
  CHECK_FALSE(parse("{\n  \"a\": trux\n}", error));
  CHECK(error.line == 2);
  CHECK(error.column == 11);
  CHECK(error.message.rfind("parse error at line 2, column 11: syntax error while parsing value",
                            0) == 0);
}

TEST_CASE("nesting deeper than the limit is refused, even past a syntax error") {
  auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  JsonParseError error;
  CHECK(parse(nested(kDepth), error));
  CHECK_FALSE(parse(nested(kDepth + 1), error));
  CHECK(error.too_deep);

  JsonParseError early;
  CHECK_FALSE(parse("[tru, " + nested(kDepth + 1) + "]", early));
  CHECK(early.too_deep);

  JsonParseError objects;
  std::string deep_objects;
  for (std::size_t i = 0; i < 100000; ++i)
    deep_objects += "{\"a\":";
  CHECK_FALSE(parse(deep_objects, objects));
  CHECK(objects.too_deep);
}

TEST_CASE("a document keeps nothing of its text, and stores each distinct string once") {
  std::string text = R"({"a": {"name": "conv", "esc": "a\nb"}, "b": {"name": "conv"}})";
  JsonParseError error;
  auto doc = JsonDocument::parse(text, kDepth, error);
  REQUIRE(doc);
  std::fill(text.begin(), text.end(), 'x');
  text.clear();
  text.shrink_to_fit();
  CHECK(doc->root()["a"]["name"].as_string() == "conv");
  CHECK(doc->root()["a"]["esc"].as_string() == "a\nb");
  CHECK(doc->root()["b"]["name"].as_string().data() == doc->root()["a"]["name"].as_string().data());
  // "", a, name, conv, esc, a\nb, b
  CHECK(doc->string_count() == 7);
}

TEST_CASE("a document built from nlohmann holds the same value") {
  nlohmann::json value = {{"class_name", "Add"}, {"config", {{"axis", -1}, {"x", {1.5, "s"}}}}};
  auto doc = JsonDocument::from_nlohmann(value);
  REQUIRE(doc);
  CHECK(doc->root().to_nlohmann() == value);
  CHECK(doc->root()["config"]["axis"].as_int() == -1);
}

TEST_CASE("every sample model reads as nlohmann reads it") {
  for (const char* name :
       {"ok/mnist_cnn.json", "ok/resnet_block.json", "ok/lstm_text_classifier.json"}) {
    std::string text = read_sample(name);
    if (text.empty())
      continue;
    check_agrees(text);
  }
}

TEST_CASE("random damage to a model file is judged as nlohmann judges it") {
  std::string base = read_sample("ok/mnist_cnn.json");
  REQUIRE_FALSE(base.empty());
  std::mt19937 rng(20240607);
  const std::string alphabet = "{}[]\",:\\ \n-+.0123456789eEtrufalsn\x80\xc3\xa9\xed\xf0u";
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % (text.size() + 1);
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        case 1:
          if (at < text.size())
            text.erase(at, 1);
          break;
        default:
          if (at < text.size())
            text[at] = c;
          break;
      }
    }
    check_agrees(text);
  }
}

TEST_CASE("every key is found again, whatever its length and however alike the keys are") {
  // Keys of every length from 0 to 40 (the hash and compare read whole words and overlap
  // their last ones), and thousands that differ only in their last characters.
  std::vector<std::string> keys;
  for (std::size_t n = 0; n <= 40; ++n)
    for (char c : {'a', 'b'})
      keys.push_back(std::string(n, 'k') + (n > 0 ? std::string(1, c) : std::string()));
  for (int i = 0; i < 5000; ++i)
    keys.push_back("conv2d_" + std::to_string(i));
  nlohmann::json object = nlohmann::json::object();
  for (std::size_t i = 0; i < keys.size(); ++i)
    object[keys[i]] = i;
  JsonParseError error;
  auto doc = parse(object.dump(), error);
  REQUIRE(doc);
  JsonValue root = doc->root();
  CHECK(root.size() == object.size());
  for (const auto& [key, value] : object.items()) {
    auto found = root.find(key);
    REQUIRE(found);
    CHECK(found->as_int() == value.get<std::int64_t>());
  }
  CHECK_FALSE(root.find("conv2d_5000"));
  CHECK_FALSE(root.find("kkkkkkkkkkkkkkkkkkkkc"));
}

TEST_CASE("strings like the ones before them read as written, predicted or not") {
  // The parser guesses each key from the one before it and each string value from its key:
  // near misses of a guess (a prefix, a longer string, an escape or a UTF-8 spelling of the
  // same string, a text that ends early) must read exactly as nlohmann reads them.
  for (std::string text : {
           R"([{"name": "conv", "k": 1}, {"name": "conv2", "k": 2}, {"name": "con", "k": 3}])",
           R"([{"name": "conv"}, {"name": "\u0063onv"}, {"name": "conv"}, {"n\u0061me": "c"}])",
           R"([{"a": "\"q\""}, {"a": "\"q\""}, {"a": "\\"}, {"a": "\\\\"}, {"a": "\\"}])",
           R"([{"a": "é"}, {"a": "é"}, {"a": "e"}, {"é": 1}, {"é": 2}])",
           R"([{"a": "x", "b": "y"}, {"b": "y", "a": "x"}, {"a": "x", "a": "z"}])",
           R"([{"a": "xyz"}, {"a": "xy)",
           R"([{"a": "xyz"}, {"a": "xyz)",
           R"([{"a": "xyz"}, {"a": "xyz\)",
           R"([{"a": ""}, {"a": ""}, {"a": "" }, {"": ""}, {"": "a"}])",
           R"([{"a": "tab"}, {"a": "tab	"}, {"a": "tab"}])",
       }) {
    check_agrees(text);
  }
  // Random objects over a few keys and values, with escapes and non-ASCII spellings, so
  // that every guess is right in some places and wrong in others.
  std::mt19937 random(7);
  const std::vector<std::string> pieces = {
      "a", "ab", "abc", "b", "\\u0061", "\\\"", "\\\\", "\xc3\xa9", "", "conv2d", "conv2d_1"};
  auto piece = [&] { return pieces[random() % pieces.size()]; };
  for (int round = 0; round < 2000; ++round) {
    std::string text = "[";
    for (int o = 0, objects = 1 + static_cast<int>(random() % 6); o < objects; ++o) {
      text += o ? ", {" : "{";
      for (int m = 0, members = static_cast<int>(random() % 4); m < members; ++m)
        text += fmt::format("{}\"{}\": \"{}\"", m ? ", " : "", piece(), piece() + piece());
      text += "}";
    }
    text += "]";
    if (random() % 4 == 0)
      text.resize(random() % (text.size() + 1));  // cut short: an error, at nlohmann's place
    check_agrees(text);
  }
}

TEST_CASE("the objects of a \"layers\" or \"config\" array know where they begin in the text") {
  std::string text =
      "{\"config\": [{\"a\": 1}], \"layers\": [ {\"b\": {\"c\": 2}}, 5, {}, [{\"d\": 3}]],"
      " \"other\": [{\"e\": 4}], \"f\": {\"g\": 5}}";
  JsonParseError error;
  auto doc = JsonDocument::parse(text, 64, error);
  REQUIRE(doc);
  JsonValue root = doc->root();
  CHECK(root["config"][0].text_offset() == text.find("{\"a\""));
  CHECK(root["layers"][0].text_offset() == text.find("{\"b\""));
  // Only the array's own objects, not empty ones, not those of other arrays, nor the root.
  CHECK_FALSE(root["layers"][0]["b"].text_offset());
  CHECK_FALSE(root["layers"][1].text_offset());
  CHECK_FALSE(root["layers"][2].text_offset());
  CHECK_FALSE(root["layers"][3][0].text_offset());
  CHECK_FALSE(root["other"][0].text_offset());
  CHECK_FALSE(root["f"].text_offset());
  CHECK_FALSE(root.text_offset());
  CHECK_FALSE(root["missing"].text_offset());
}

TEST_CASE("an object's size counts its distinct keys, however their ids fall") {
  // Ids past 64 share the bits of those 64 below them: keys k0..k199 are interned in order,
  // so k3 and k67 (ids 64 apart) are distinct keys whose ids share a bit.
  std::mt19937 random(7);
  std::string prelude = "[";
  for (int i = 0; i < 200; ++i)
    prelude += fmt::format("{}\"k{}\"", i ? "," : "", i);
  prelude += "]";
  for (int round = 0; round < 2000; ++round) {
    int n = 1 + static_cast<int>(random() % 40);
    std::string object = "{";
    for (int i = 0; i < n; ++i)
      object += fmt::format("{}\"k{}\": {}", i ? "," : "", random() % (round % 2 ? 200 : 30), i);
    object += "}";
    std::string text = "[" + prelude + "," + object + "]";
    INFO(object);
    JsonParseError error;
    auto doc = JsonDocument::parse(text, 64, error);
    REQUIRE(doc);
    CHECK(doc->root()[1].size() == nlohmann::json::parse(object).size());
  }
}

TEST_CASE("a key looked up once finds what its text finds, in its document and in others") {
  JsonParseError error;
  auto doc = JsonDocument::parse(
      R"({"a": {"x": 1, "y": 2, "x": 3}, "b": [1, {"x": 4}], "c": "zzz", "d": {}})", 64, error);
  auto other = JsonDocument::parse(R"({"x": 5, "w": 6})", 64, error);
  REQUIRE(doc);
  REQUIRE(other);
  JsonValue root = doc->root();
  std::vector<JsonValue> values{root,
                                root["a"],
                                root["b"],
                                root["b"][1],
                                root["c"],
                                root["d"],
                                root["missing"],
                                other->root(),
                                JsonValue()};
  // "x" and "y" are keys; "zzz" a string value only; "w" and "q" are not in `doc` at all.
  for (std::string_view text : {"x", "y", "a", "zzz", "w", "q", ""}) {
    shapelint::JsonKey key(*doc, text);
    CHECK(key.text() == text);
    for (std::size_t i = 0; i < values.size(); ++i) {
      INFO(text << " in value " << i);
      JsonValue by_key = values[i].find(key);
      JsonValue by_text = values[i].find(text);
      CHECK(static_cast<bool>(by_key) == static_cast<bool>(by_text));
      if (by_text)
        CHECK(by_key.dump() == by_text.dump());
    }
  }
  CHECK(root["a"].find(shapelint::JsonKey(*doc, "x")) == 3);      // the last of a repeated key
  CHECK(other->root().find(shapelint::JsonKey(*doc, "w")) == 6);  // not in doc, in other
}

TEST_CASE("floats left in a kept text read as they read when converted at once") {
  // Every shape a float comes in, written as json.dumps writes weights (", "), compactly and
  // indented, and at every distance from the end of the text (the parser looks at 16 bytes
  // at once where it can, at a byte at a time near the end).
  std::mt19937_64 random(20261127);
  auto digits = [&](int count) { return random_digits(random, count); };
  auto random_float = [&] {
    std::string text = random() % 3 == 0 ? "-" : "";
    std::string whole = random() % 3 == 0 ? "0" : digits(1 + static_cast<int>(random() % 10));
    while (whole.size() > 1 && whole[0] == '0')
      whole.erase(0, 1);
    text += whole + "." + digits(1 + static_cast<int>(random() % 17));
    if (random() % 5 == 0)
      text += fmt::format("{}{}", random() % 2 ? "e" : "E", static_cast<int>(random() % 41) - 20);
    return text;
  };
  const char* separators[] = {", ", ",", ",\n    "};
  for (int round = 0; round < 3000; ++round) {
    std::string text = "[";
    std::size_t count = 1 + random() % 12;
    const char* separator = separators[random() % 3];
    for (std::size_t i = 0; i < count; ++i)
      text += (i ? separator : "") + random_float();
    text += "]";
    INFO("text: " << text);
    nlohmann::json expected = nlohmann::json::parse(text);
    JsonParseError error;
    std::string gone = text;
    auto copied = parse(gone, error, TextLifetime::ends_after_parse);
    std::fill(gone.begin(), gone.end(), '7');  // the copied document no longer reads it
    auto kept = parse(text, error, TextLifetime::outlives_document);
    REQUIRE(copied);
    REQUIRE(kept);
    for (const auto& doc : {copied.get(), kept.get()}) {
      REQUIRE(doc->root().size() == count);
      for (std::size_t i = 0; i < count; ++i) {
        JsonValue value = doc->root()[i];
        INFO("element " << i << (doc == kept.get() ? " (kept)" : " (copied)"));
        CHECK(value.is_number_float());
        CHECK(std::bit_cast<std::uint64_t>(value.as_double()) ==
              std::bit_cast<std::uint64_t>(expected[i].get<double>()));
        CHECK(value.as_int() == kept->root()[i].as_int());
      }
      CHECK(doc->root().dump() == expected.dump());
    }
  }
}

TEST_CASE("a document copies its floats' texts when asked, and counts their bytes") {
  std::string text = R"({"w": [0.5, -0.04567891359329224], "n": 1e-3, "i": 3})";
  JsonParseError error;
  auto doc = parse(text, error, TextLifetime::outlives_document);
  REQUIRE(doc);
  // 1e-3 has no point: converted at once, so not counted.
  CHECK(doc->float_text_bytes() == std::string_view("0.5-0.04567891359329224").size());
  doc->copy_float_texts();
  doc->copy_float_texts();  // a second call changes nothing
  std::fill(text.begin(), text.end(), ' ');
  CHECK(doc->root()["w"][0].as_double() == 0.5);
  CHECK(doc->root()["w"][1].as_double() == -0.04567891359329224);
  CHECK(doc->root()["n"].as_double() == 0.001);
  CHECK(doc->root()["i"].as_int() == 3);
  CHECK(doc->root().dump() == R"({"i":3,"n":0.001,"w":[0.5,-0.04567891359329224]})");
}

TEST_CASE("a document that keeps its text reads floats from it when asked, and only then") {
  std::string text = R"({"w": [0.5, -0.25], "n": 0.75, "i": 3})";
  JsonParseError error;
  auto kept = parse(text, error, TextLifetime::outlives_document);
  auto converted = parse(text, error, TextLifetime::ends_after_parse);
  REQUIRE(kept);
  REQUIRE(converted);
  text[text.find("0.5")] = '1';  // 0.5 becomes 1.5 in the text
  CHECK(kept->root()["w"][0].as_double() == 1.5);
  CHECK(converted->root()["w"][0].as_double() == 0.5);
  // A text rewritten past recognition (a mapped file changed in place): NaN, no crash.
  std::fill(text.begin(), text.end(), 'x');
  CHECK(std::isnan(kept->root()["n"].as_double()));
  CHECK(kept->root()["n"].as_int() == 0);
  CHECK(kept->root()["n"].is_number_float());
  CHECK(kept->root()["i"].as_int() == 3);  // integers are converted at once
  CHECK(converted->root()["n"].as_double() == 0.75);
}

TEST_CASE("a document gives back its unused capacity and keeps its values readable") {
  // Large enough that the values' reserve spans many pages; its names' commas and brackets
  // make room for more values than there are (the reserve counts them: byte_scan.hpp).
  std::string text = "[";
  for (int i = 0; i < 20000; ++i)
    text += fmt::format("{}{{\"name\": \"layer_{}, [{{x\", \"units\": {}}}", i ? ", " : "", i, i);
  text += "]";
  JsonParseError error;
  auto doc = JsonDocument::parse(text, 64, error);
  REQUIRE(doc);
  doc->give_back_unused_capacity();
  JsonValue root = doc->root();
  REQUIRE(root.size() == 20000);
  CHECK(root[19999]["name"] == "layer_19999, [{x");
  CHECK(root[12345]["units"] == 12345);
  CHECK(root.dump() == nlohmann::json::parse(text).dump());
}

TEST_CASE("a document keeping only its strings keeps the views taken of them") {
  JsonParseError error;
  auto doc = JsonDocument::parse(
      R"({"layers": [{"name": "dense_with_a_long_name", "class_name": "Dense"},
                     {"name": "activation_7", "class_name": "Activation"}]})",
      64,
      error);
  REQUIRE(doc);
  std::vector<std::string_view> views;
  for (JsonValue layer : doc->root()["layers"]) {
    views.push_back(layer["name"].as_string());
    views.push_back(layer["class_name"].as_string());
    views.push_back(layer["name"].key());
  }
  doc->keep_only_strings();
  // The values are gone (nothing may read them); the characters the views show are not.
  CHECK(views ==
        std::vector<std::string_view>{
            "dense_with_a_long_name", "Dense", "name", "activation_7", "Activation", "name"});
  CHECK(doc->node_count() == 0);
  CHECK(doc->string_count() == 0);
}

TEST_CASE("keys read the same whichever of the keys seen after a key comes next") {
  // The parser guesses a key from the two keys seen after the key before it: layers of
  // classes that alternate, a third order, a key written with an escape, and a key that
  // only looks like a guess up to its end.
  std::string text = "[";
  const char* objects[] = {
      R"({"name": "a", "trainable": true, "filters": 3, "kernel_size": [1, 1]})",
      R"({"name": "b", "trainable": true, "axis": -1, "momentum": 0.99})",
      R"({"name": "c", "trainable": true, "filters": 4, "kernel_size": 2})",
      R"({"name": "d", "trainable": true, "axis": 3, "momentum": 0.9})",
      R"({"name": "e", "trainable": true, "rate": 0.5, "axis": 1})",
      R"({"name": "f", "trainable": true, "fil\u0074ers": 5, "axisx": 2})",
      R"({"name": "g", "trainable": false, "filters": 6, "axis": 0})",
      R"({"name": "h", "trainable": true, "axis": 7, "filters": 8})",
  };
  for (int round = 0; round < 3; ++round)
    for (const char* object : objects)
      text += std::string(text.size() > 1 ? ", " : "") + object;
  text += "]";
  JsonParseError error;
  auto doc = JsonDocument::parse(text, 64, error);
  REQUIRE(doc);
  CHECK(doc->root().dump() == nlohmann::json::parse(text).dump());
  CHECK(doc->root()[5]["filters"] == 5);
  CHECK(doc->root()[5]["axisx"] == 2);
  CHECK_FALSE(doc->root()[5]["axis"]);
  CHECK(doc->root()[7]["filters"] == 8);
}

TEST_CASE("values written alike but for a member left out hash alike and compare alike") {
  // Two array elements of one document, compared less their own "name" (how a layer's shape
  // rule outcome is found again for a layer of another name).
  struct Case {
    const char* a;
    const char* b;
    bool same;
  };

  const Case cases[] = {
      {R"({"name": "a", "units": 3, "k": [1, [2, {"x": null}]], "on": true, "s": "relu"})",
       R"({"name": "bb", "units": 3, "k": [1, [2, {"x": null}]], "on": true, "s": "relu"})",
       true},
      {R"({"units": 3, "rate": 0.25, "name": "a"})",
       R"({"units": 3, "rate": 0.25, "name": 7})",
       true},
      {R"({"name": "a", "init": {"name": "glorot"}})",
       R"({"name": "b", "init": {"name": "he"}})",
       false},  // only the object's own member is left out, not a nested one
      {R"({"name": "a", "units": 3})", R"({"name": "b", "units": 4})", false},
      {R"({"name": "a", "units": 3})", R"({"name": "b", "units": 3.0})", false},
      {R"({"name": "a", "units": -3})", R"({"name": "b", "units": 3})", false},
      {R"({"name": "a", "rate": 0.5})", R"({"name": "b", "rate": 0.50})", false},  // as written
      {R"({"name": "a", "rate": 0.5})", R"({"name": "b", "rate": 0.25})", false},
      {R"({"name": "a", "s": "relu"})", R"({"name": "b", "s": "tanh"})", false},
      {R"({"name": "a", "units": 3, "on": true})",
       R"({"name": "b", "on": true, "units": 3})",
       false},  // the same members in another order
      {R"({"name": "a", "units": 3})", R"({"units": 3})", false},
      {R"({"name": "a", "k": [1, 2]})", R"({"name": "b", "k": [1, 2, 3]})", false},
      {R"({"name": "a", "k": [[1], [2, 3]]})", R"({"name": "b", "k": [[1, 2], [3]]})", false},
      {R"({"name": "a", "k": [[], [1]]})", R"({"name": "b", "k": [[1], []]})", false},
      {R"({"name": "a", "k": {}})", R"({"name": "b", "k": []})", false},
      {R"({"name": "a", "u": {"v": 1}})", R"({"name": "b", "w": {"v": 1}})", false},
      {R"([1, "name", 2.5])", R"([1, "name", 2.5])", true},
      {R"([1, 2])", R"([2, 1])", false},
  };
  for (const Case& c : cases)
    for (TextLifetime lifetime : kLifetimes) {
      CAPTURE(c.a, c.b, name_of(lifetime));
      // Something before them, so that the two lie at different offsets of the text and
      // of the document's values.
      std::string text =
          std::string(R"({"pad": [[0.125], {"q": 1}], "v": [)") + c.a + ", " + c.b + "]}";
      JsonParseError error;
      auto doc = parse(text, error, lifetime);
      REQUIRE(doc);
      shapelint::JsonKey name(*doc, "name");
      JsonValue a = doc->root()["v"][0];
      JsonValue b = doc->root()["v"][1];
      CHECK(a.same_written(b, name) == c.same);
      CHECK(b.same_written(a, name) == c.same);
      CHECK(a.same_written(a, name));
      if (c.same)
        CHECK(a.written_hash(name) == b.written_hash(name));
    }
}

TEST_CASE("values of two documents, or other than objects and arrays, are never alike") {
  JsonParseError error;
  auto one = parse(R"({"v": [{"units": 3}, 3, 3]})", error);
  auto two = parse(R"({"v": [{"units": 3}]})", error);
  REQUIRE(one);
  REQUIRE(two);
  shapelint::JsonKey name(*one, "name");
  JsonValue v = one->root()["v"];
  CHECK_FALSE(v[0].same_written(two->root()["v"][0], name));
  CHECK_FALSE(v[1].same_written(v[2], name));
  CHECK_FALSE(v[0].same_written(JsonValue(), name));
  // A key made for another document is not one to leave out here.
  shapelint::JsonKey other_name(*two, "name");
  CHECK_FALSE(v[0].same_written(v[0], other_name));
}

TEST_CASE("a document holds at most a value per comma and opening bracket of its text, plus one") {
  // The parser reserves that many nodes (count_value_bound_bytes), so that they never move.
  struct Case {
    std::string text;
    std::size_t values;
  };

  const Case cases[] = {
      {"0", 1},
      {"\"a,b[c{\"", 1},
      {"[]", 1},
      {"{}", 1},
      {"[[], {}, [[]], {\"a\": {}}]", 7},
      {"[1, 2, 3]", 4},
      {R"({"class_name": "Conv2D", "config": {"kernel_size": [3, 3], "name": "c,[{"}})", 7},
      {"[[[[[[1]]]]], [[[2, 3]]]]", 12},
      {" \n[ 1 ,\t2 ]\n", 3},
      {R"({"a": null, "b": true, "c": [false, NaN, -Infinity], "d": "\u002c\u005b"})", 8},
  };
  for (const Case& c : cases)
    for (TextLifetime lifetime : kLifetimes) {
      INFO(c.text << " (" << name_of(lifetime) << ")");
      JsonParseError error;
      auto doc = parse(c.text, error, lifetime);
      REQUIRE(doc);
      CHECK(doc->node_count() == c.values);
      CHECK(doc->node_count() <=
            shapelint::count_value_bound_bytes(c.text.data(), c.text.data() + c.text.size()) + 1);
    }
}
