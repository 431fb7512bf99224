#include <sstream>

#include <catch2/catch.hpp>

#include "shapelint/render/json_writer.hpp"

using shapelint::json_quote;

TEST_CASE("json_quote escapes what JSON requires and keeps valid UTF-8") {
  CHECK(json_quote("plain") == "\"plain\"");
  CHECK(json_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_quote("line\nnext\t\x01") == "\"line\\nnext\\t\\u0001\"");
  CHECK(json_quote("caf\xC3\xA9 \xE2\x9C\x93") == "\"caf\xC3\xA9 \xE2\x9C\x93\"");
}

TEST_CASE("json_quote replaces bytes that are not UTF-8") {
  CHECK(json_quote("\xFF") == "\"\xEF\xBF\xBD\"");
  CHECK(json_quote("\xC3") == "\"\xEF\xBF\xBD\"");                  // truncated sequence
  CHECK(json_quote("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong
  CHECK(json_quote("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST_CASE("JsonWriter nests objects and keeps scalar arrays on one line") {
  std::ostringstream out;
  shapelint::JsonWriter w(out);
  w.begin_object();
  w.key("shape");
  w.begin_inline_array();
  w.null();
  w.value(std::int64_t{28});
  w.end_inline_array();
  w.key("empty");
  w.begin_array();
  w.end_array();
  w.key("child");
  w.begin_object();
  w.key("ok");
  w.value(true);
  w.end_object();
  w.end_object();
  CHECK(
      out.str() ==
      "{\n  \"shape\": [null, 28],\n  \"empty\": [],\n  \"child\": {\n    \"ok\": true\n  }\n}\n");
}

TEST_CASE("JsonWriter writes the program's keys as they are and escapes keys from data") {
  std::ostringstream out;
  shapelint::JsonWriter w(out);
  w.begin_object();
  w.key("weight_bytes_by_dtype");  // a literal: checked plain when compiled
  w.begin_object();
  w.key_text("float32");
  w.value(std::int64_t{4});
  w.key_text("odd \"dtype\"\n\xFF");  // from a file: escaped, the stray byte replaced
  w.value(std::int64_t{2});
  w.end_object();
  w.end_object();
  CHECK(out.str() ==
        "{\n  \"weight_bytes_by_dtype\": {\n    \"float32\": 4,\n"
        "    \"odd \\\"dtype\\\"\\n\xEF\xBF\xBD\": 2\n  }\n}\n");
  // A literal key that would need an escape does not compile:
  //   w.key("a\"b");  // error: call to consteval function is not a constant expression
}

TEST_CASE("JsonWriter output crosses its block boundaries intact") {
  // Strings longer than the writer's 64 KiB block, escapes and UTF-8 on either side of a
  // block's end, and enough values to fill many blocks.
  std::string long_plain(70'000, 'a');
  std::string long_mixed;
  for (int i = 0; i < 9'000; ++i)
    long_mixed += "ab\"c\\\n\xC3\xA9\xFF";
  std::ostringstream out;
  std::string expected = "[";
  {
    shapelint::JsonWriter w(out, 0);
    w.begin_array();
    for (int i = 0; i < 20'000; ++i) {
      w.value(std::int64_t{-i});
      expected += (i == 0 ? "\n" : ",\n") + std::to_string(-i);
    }
    for (const std::string& s : {long_plain, long_mixed}) {
      w.value(s);
      expected += ",\n" + json_quote(s);
    }
    w.end_array();
  }
  expected += "\n]";  // a top-level array gets no final newline, unlike an object
  CHECK(out.str().size() == expected.size());
  CHECK(out.str() == expected);
}
