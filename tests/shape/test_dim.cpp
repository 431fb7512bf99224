#include <limits>

#include <catch2/catch.hpp>

#include "shapelint/shape/shape.hpp"

using shapelint::Dim;

TEST_CASE("Dim arithmetic with an unknown operand stays unknown") {
  STATIC_REQUIRE(!(Dim::of(3) + Dim::unknown()).is_known());
  STATIC_REQUIRE((Dim::of(3) * Dim::of(4)).value() == 12);
  STATIC_REQUIRE(!Dim::unknown().conflicts_with(Dim::of(3)));
  STATIC_REQUIRE(Dim::of(2).conflicts_with(Dim::of(3)));
}

TEST_CASE("Dim overflow becomes unknown and says so") {
  Dim big = Dim::of(std::numeric_limits<std::int64_t>::max());
  Dim r = big * Dim::of(2);
  REQUIRE_FALSE(r.is_known());
  REQUIRE(r.overflowed());
  REQUIRE((r + Dim::of(1)).overflowed());
  REQUIRE((big + Dim::of(1)).overflowed());
  REQUIRE((Dim::of(std::numeric_limits<std::int64_t>::min()) - Dim::of(1)).overflowed());
}

TEST_CASE("floor_div and ceil_div follow Python") {
  STATIC_REQUIRE(shapelint::floor_div(Dim::of(-1), 2).value() == -1);
  STATIC_REQUIRE(shapelint::floor_div(Dim::of(7), 2).value() == 3);
  STATIC_REQUIRE(shapelint::ceil_div(Dim::of(7), 2).value() == 4);
  STATIC_REQUIRE(shapelint::trunc_div(Dim::of(-1), 2).value() == 0);
  STATIC_REQUIRE(!shapelint::floor_div(Dim::unknown(), 2).is_known());
}

TEST_CASE("Shapes print as Python tuples") {
  using shapelint::make_shape;
  REQUIRE(to_string(make_shape({-1, 28, 28, 1})) == "(None, 28, 28, 1)");
  REQUIRE(to_string(make_shape({-1})) == "(None,)");
  REQUIRE(to_string(shapelint::Shape::unknown_rank()) == "<unknown rank>");
}

TEST_CASE("parse_shape reads the spellings users type") {
  using shapelint::make_shape;
  using shapelint::parse_shape;
  REQUIRE(parse_shape("28x28x1") == make_shape({28, 28, 1}));
  REQUIRE(parse_shape("(None, 28, 28, 1)") == make_shape({-1, 28, 28, 1}));
  REQUIRE(parse_shape("[null, 5]") == make_shape({-1, 5}));
  REQUIRE(parse_shape("?,10") == make_shape({-1, 10}));
  REQUIRE(parse_shape("(3,)") == make_shape({3}));
  REQUIRE_FALSE(parse_shape("28xx28").has_value());
  REQUIRE_FALSE(parse_shape("abc").has_value());
  REQUIRE_FALSE(parse_shape("99999999999999999999999").has_value());
}
