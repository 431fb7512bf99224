#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/engine/propagate.hpp"
#include "shapelint/memory/boxed.hpp"
#include "shapelint/model/graph.hpp"
#include "shapelint/shape/shape.hpp"

using shapelint::Boxed;

TEST_CASE("Boxed: reads like std::optional, set from a value, an optional or nullopt") {
  struct Case {
    const char* name;
    std::optional<std::string> set;  ///< what the Boxed is made from
  };

  std::vector<Case> cases{
      {"a short value", "relu"},
      {"a value too long for the string's own buffer", std::string(100, 'x')},
      {"an empty value (present all the same)", ""},
      {"no value", std::nullopt},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      Boxed<std::string> from_optional = c.set;
      Boxed<std::string> assigned;
      assigned = c.set;
      for (const Boxed<std::string>* b : {&from_optional, &assigned}) {
        REQUIRE(b->has_value() == c.set.has_value());
        REQUIRE(static_cast<bool>(*b) == c.set.has_value());
        CHECK(b->value_or("fallback") == c.set.value_or("fallback"));
        if (c.set) {
          CHECK(**b == *c.set);
          CHECK((*b)->size() == c.set->size());
          CHECK(b->get() != nullptr);
        } else {
          CHECK(b->get() == nullptr);
        }
      }
    }
  }
}

TEST_CASE("Boxed: copies copy the value, moves move it, nullopt and reset empty it") {
  Boxed<std::vector<int>> a = std::vector<int>{1, 2, 3};
  Boxed<std::vector<int>> copy = a;
  REQUIRE(copy);
  CHECK(copy.get() != a.get());  // its own value, not a shared one
  copy->push_back(4);
  CHECK(a->size() == 3);
  CHECK(copy->size() == 4);

  Boxed<std::vector<int>> assigned;
  assigned = copy;
  CHECK(*assigned == std::vector<int>{1, 2, 3, 4});
  assigned = assigned;  // self-assignment keeps the value
  CHECK(*assigned == std::vector<int>{1, 2, 3, 4});

  const std::vector<int>* moved_value = a.get();
  Boxed<std::vector<int>> moved = std::move(a);
  CHECK(moved.get() == moved_value);  // the value itself, not a copy

  Boxed<std::vector<int>> empty_copy = Boxed<std::vector<int>>();
  CHECK_FALSE(empty_copy);
  copy = empty_copy;  // copying an empty one empties
  CHECK_FALSE(copy);

  moved = std::nullopt;
  CHECK_FALSE(moved);
  assigned.reset();
  CHECK_FALSE(assigned);
  CHECK(assigned.emplace(2, 7) == std::vector<int>{7, 7});
  CHECK(assigned.has_value());
}

TEST_CASE("Boxed members keep a large model's per-layer structs small") {
  // Each LayerResult and LayerRow has one of these whether or not it holds a value (a Layer
  // one box for all its rare members): a std::optional would put the whole value in every
  // one (a Shape's 48 bytes, the cost figures' 64) in a model of 100,000 layers.
  STATIC_REQUIRE(sizeof(Boxed<shapelint::Shape>) == sizeof(void*));
  STATIC_REQUIRE(sizeof(Boxed<shapelint::Shape>) < sizeof(std::optional<shapelint::Shape>));
  STATIC_REQUIRE(sizeof(Boxed<shapelint::cost::LayerFigures>) <
                 sizeof(std::optional<shapelint::cost::LayerFigures>));

  shapelint::Layer input;
  CHECK_FALSE(input.batch_shape());
  input.set_batch_shape(shapelint::Shape::unknown_rank());
  REQUIRE(input.batch_shape());
  CHECK_FALSE(input.batch_shape()->has_rank());
}
