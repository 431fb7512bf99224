#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/lint/name_list.hpp"

using shapelint::NameList;

TEST_CASE("NameList: the names come back as they were pushed") {
  struct Case {
    const char* name;
    std::vector<std::string> names;
  };

  std::vector<Case> cases{
      {"none", {}},
      {"one short name", {"dense"}},
      {"an empty name among others", {"a", "", "b"}},
      {"names with any byte, a length byte's value included",
       {std::string("nul\0inside", 10), "\x80\xff", std::string(1, '\x05')}},
      {"a name of 127 bytes (one length byte)", {std::string(127, 'x')}},
      {"a name of 128 bytes (two length bytes)", {std::string(128, 'y'), "after"}},
      {"a name of 20000 bytes (three length bytes)", {"before", std::string(20000, 'z')}},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      NameList list;
      for (const auto& n : c.names)
        list.push_back(n);
      CHECK(list.empty() == c.names.empty());
      CHECK(list.size() == c.names.size());
      CHECK(list.to_vector() == c.names);
      CHECK(NameList(c.names) == list);
      std::size_t i = 0;
      for (std::string_view n : list) {
        REQUIRE(i < c.names.size());
        CHECK(n == c.names[i]);
        ++i;
      }
      CHECK(i == c.names.size());
    }
  }
}

TEST_CASE("NameList: equal when the same names are in the same order") {
  CHECK(NameList{"a", "b"} == NameList{"a", "b"});
  CHECK_FALSE(NameList{"a", "b"} == NameList{"b", "a"});
  // Lengths keep the names apart: "ab" then "c" is not "a" then "bc".
  CHECK_FALSE(NameList{"ab", "c"} == NameList{"a", "bc"});
  CHECK_FALSE(NameList{""} == NameList{});
  CHECK(NameList{""}.size() == 1);
}
