#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "shapelint/memory/text.hpp"

using shapelint::InlineText;
using shapelint::Text;

TEST_CASE("Text: a borrowed text views the bytes it was given, an owned one holds a copy") {
  struct Case {
    const char* name;
    std::string bytes;
  };

  const std::vector<Case> cases = {
      {"empty", ""},
      {"a short name", "dense"},
      {"a tf.keras name of 16 bytes", "activation_12345"},
      {"a long name", std::string(300, 'n')},
      {"any byte, NUL included", std::string("a\0b\xff", 4)},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      std::string source = c.bytes;
      Text borrowed = Text::borrow(source);
      Text owned(source);
      CHECK(borrowed == c.bytes);
      CHECK(owned == c.bytes);
      CHECK(borrowed.size() == c.bytes.size());
      CHECK(owned.empty() == c.bytes.empty());
      CHECK(borrowed.borrowed() == !c.bytes.empty());
      CHECK_FALSE(owned.borrowed());
      if (!c.bytes.empty()) {
        CHECK(borrowed.data() == source.data());  // the very bytes, not a copy
        CHECK(owned.data() != source.data());
      }

      // A copy of a borrowed text borrows too; a copy of an owned one holds its own bytes.
      Text borrowed_copy = borrowed;
      Text owned_copy = owned;
      CHECK(borrowed_copy.data() == borrowed.data());
      CHECK(owned_copy == owned);
      if (!c.bytes.empty())
        CHECK(owned_copy.data() != owned.data());

      // The owned text no longer depends on the source; the borrowed one reads its change.
      if (!c.bytes.empty()) {
        source[0] = source[0] == 'x' ? 'y' : 'x';
        CHECK(owned == c.bytes);
        CHECK(owned_copy == c.bytes);
        CHECK(borrowed.view() == source);
      }

      // Moved, a text leaves an empty one behind and keeps its bytes where they were.
      const char* at = owned.data();
      Text moved = std::move(owned);
      CHECK(moved.data() == at);
      CHECK(moved == c.bytes);
      CHECK(owned.empty());  // NOLINT: a moved-from Text is empty, as the test checks
    }
  }
}

TEST_CASE("Text: assignments replace what was held, owned or borrowed") {
  std::string doc = "from_the_document";
  Text t("first owned text, long enough for the heap");
  t = Text::borrow(doc);
  CHECK(t.borrowed());
  CHECK(t == doc);
  t = std::string("a string");
  CHECK_FALSE(t.borrowed());
  CHECK(t == "a string");
  t = std::string_view("a view");
  CHECK(t == "a view");
  t = "a literal";
  CHECK(t == "a literal");
  Text other = Text::borrow(doc);
  t = other;
  CHECK(t.borrowed());
  t = t;  // NOLINT: self-assignment keeps the text
  CHECK(t == doc);
  t = Text();
  CHECK(t.empty());
  CHECK_FALSE(t.borrowed());
}

TEMPLATE_TEST_CASE("Text and InlineText read, compare and join as strings",
                   "[text]",
                   Text,
                   InlineText) {
  const TestType name(std::string("block_13_expand_relu"));
  SECTION("comparisons with every kind of string") {
    CHECK(name == "block_13_expand_relu");
    CHECK(name == std::string("block_13_expand_relu"));
    CHECK(name == std::string_view("block_13_expand_relu"));
    CHECK(std::string("block_13_expand_relu") == name);
    CHECK(name != "block_13");
    CHECK(name < TestType("c"));
    CHECK(name > std::string_view("a"));
    CHECK(name == TestType("block_13_expand_relu"));
  }
  SECTION("concatenation gives a string") {
    CHECK(name + "_input" == std::string("block_13_expand_relu_input"));
    CHECK("'" + name + "'" == std::string("'block_13_expand_relu'"));
    CHECK(std::string("[") + name == "[block_13_expand_relu");
    CHECK(name + std::string("]") == "block_13_expand_relu]");
    std::string s = "in ";
    s += name;
    CHECK(s == "in block_13_expand_relu");
  }
  SECTION("conversions, formatting, streaming, hashing, ordering in maps") {
    std::string as_string = name;
    std::string_view as_view = name;
    CHECK(as_string == "block_13_expand_relu");
    CHECK(as_view == "block_13_expand_relu");
    CHECK(name.str() == as_string);
    CHECK(fmt::format("'{}' {:>22}", name, name) ==
          "'block_13_expand_relu'   block_13_expand_relu");
    std::ostringstream out;
    out << name;
    CHECK(out.str() == "block_13_expand_relu");
    std::unordered_set<TestType> set{name, TestType("other")};
    CHECK(set.count(TestType("block_13_expand_relu")) == 1);
    std::map<TestType, int, std::less<>> by_name{{name, 1}, {TestType("a"), 2}};
    CHECK(by_name.find(std::string_view("block_13_expand_relu"))->second == 1);
    CHECK(by_name.begin()->first == "a");
  }
}

TEST_CASE("InlineText holds up to 31 bytes in itself and more on the heap, copies included") {
  for (std::size_t size : {0, 1, 15, 16, 31, 32, 100}) {
    DYNAMIC_SECTION(size << " bytes") {
      std::string bytes(size, 'k');
      InlineText t(bytes);
      CHECK(t == bytes);
      InlineText copy = t;
      CHECK(copy == bytes);
      if (size > 0)
        CHECK(copy.data() != t.data());
      InlineText moved = std::move(copy);
      CHECK(moved == bytes);
      // Inline bytes live in the object: a text of 31 bytes or fewer points into itself.
      auto* self = reinterpret_cast<const char*>(&t);
      bool inside = t.data() >= self && t.data() < self + sizeof t;
      CHECK(inside == (size <= 31));
    }
  }
}
