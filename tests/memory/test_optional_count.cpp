#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/engine/propagate.hpp"
#include "shapelint/lint/report.hpp"
#include "shapelint/memory/optional_count.hpp"

using shapelint::OptionalCount;

TEST_CASE("OptionalCount: reads and converts like std::optional<int64_t>") {
  struct Case {
    const char* name;
    std::optional<std::int64_t> set;
  };

  const std::vector<Case> cases = {
      {"unknown", std::nullopt},
      {"zero", 0},
      {"one", 1},
      {"a large count", std::int64_t{1} << 60},
      {"the largest int64", std::numeric_limits<std::int64_t>::max()},
      {"a negative number", -5},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      OptionalCount count = c.set;
      CHECK(count.has_value() == c.set.has_value());
      CHECK(static_cast<bool>(count) == c.set.has_value());
      CHECK(std::optional<std::int64_t>(count) == c.set);
      CHECK(count.value_or(-7) == c.set.value_or(-7));
      CHECK(count == c.set);
      if (c.set) {
        CHECK(*count == *c.set);
        CHECK(count.value() == *c.set);
        CHECK(count == *c.set);
        CHECK(count != std::nullopt);
      } else {
        CHECK_THROWS_AS(count.value(), std::bad_optional_access);
        CHECK(count == std::nullopt);
        CHECK(count != 0);
      }
    }
  }
}

TEST_CASE("OptionalCount: set from a number, nullopt, and reset") {
  OptionalCount count;
  CHECK_FALSE(count);
  count = 42;
  REQUIRE(count);
  CHECK(*count == 42);
  CHECK(count == OptionalCount(42));
  CHECK(count != OptionalCount(41));
  CHECK(count != OptionalCount());
  count = std::nullopt;
  CHECK_FALSE(count);
  CHECK(count == OptionalCount());
  count = 3;
  count.reset();
  CHECK_FALSE(count.has_value());
}

TEST_CASE("OptionalCount: the smallest int64 is the one value it reads as unknown") {
  OptionalCount count = std::numeric_limits<std::int64_t>::min();
  CHECK_FALSE(count.has_value());
  CHECK(OptionalCount(std::numeric_limits<std::int64_t>::min() + 1).has_value());
}

TEST_CASE("OptionalCount: half an optional's size, in the structs a large model has per layer") {
  CHECK(sizeof(OptionalCount) == sizeof(std::int64_t));
  CHECK(sizeof(OptionalCount) < sizeof(std::optional<std::int64_t>));
  // Three in each layer's result (beside its first call, held in it), four in each report row.
  CHECK(sizeof(shapelint::LayerResult) <= sizeof(shapelint::CallResult) + 64);
  CHECK(sizeof(shapelint::LayerCost) <= 32);
}
