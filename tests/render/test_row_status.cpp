#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/lint/report.hpp"

using shapelint::LayerRow;
using shapelint::RowStatus;

TEST_CASE("RowStatus: one byte that reads and compares as its name") {
  struct Case {
    const char* name;
    RowStatus status;
    std::string_view reads;
  };

  const std::vector<Case> cases = {
      {"ok", RowStatus::Value::ok, "ok"},
      {"error", RowStatus::Value::error, "error"},
      {"unknown", RowStatus::Value::unknown, "unknown"},
      {"from the name ok", std::string_view("ok"), "ok"},
      {"from the name error", std::string_view("error"), "error"},
      {"from the name unknown", std::string_view("unknown"), "unknown"},
      {"any other text reads as unknown", std::string_view("invalid"), "unknown"},
      {"an empty text reads as unknown", std::string_view(""), "unknown"},
      {"default", RowStatus(), "unknown"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      CHECK(c.status.name() == c.reads);
      CHECK(std::string_view(c.status) == c.reads);
      CHECK(c.status == c.reads);
      CHECK_FALSE(c.status == "something else");
      CHECK(RowStatus(c.status.name()).value() == c.status.value());
    }
  }
  STATIC_REQUIRE(sizeof(RowStatus) == 1);
}

TEST_CASE("RowStatus: a row's status is set from a name and compared with one") {
  LayerRow row;
  CHECK(row.status == "unknown");
  row.status = std::string_view("error");
  CHECK(row.status == "error");
  CHECK_FALSE(row.status == "ok");
}
