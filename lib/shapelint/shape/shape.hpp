#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "shapelint/memory/small_vector.hpp"
#include "shapelint/shape/dim.hpp"
#include "shapelint/shape/dim_vector.hpp"

namespace shapelint {

/// A tensor shape including the batch axis, as Keras's `compute_output_shape` sees it.
/// The rank itself may be unknown (after an opaque layer).
class Shape {
 public:
  Shape() = default;  // unknown rank

  explicit Shape(DimVector dims) : dims_(std::move(dims)) { dims_.set_tag(true); }

  explicit Shape(const std::vector<Dim>& dims) : dims_(dims) { dims_.set_tag(true); }

  Shape(std::initializer_list<Dim> dims) : dims_(dims) { dims_.set_tag(true); }

  static Shape unknown_rank() { return Shape{}; }

  /// A shape of `rank` unknown dims.
  static Shape of_rank(std::size_t rank) { return Shape(DimVector(rank)); }

  bool has_rank() const noexcept { return dims_.tag(); }

  /// Precondition: has_rank().
  std::size_t rank() const noexcept { return dims_.size(); }

  /// Negative axes count from the end, like Keras. Precondition: valid axis.
  Dim at(std::ptrdiff_t axis) const { return dims_[normalize(axis)]; }

  Dim& at(std::ptrdiff_t axis) { return dims_[normalize(axis)]; }

  /// Whether `axis` (possibly negative) names an axis of this shape.
  bool has_axis(std::ptrdiff_t axis) const noexcept {
    if (!has_rank())
      return false;
    auto r = static_cast<std::ptrdiff_t>(dims_.size());
    return axis >= -r && axis < r;
  }

  std::size_t normalize(std::ptrdiff_t axis) const noexcept {
    return axis < 0 ? static_cast<std::size_t>(static_cast<std::ptrdiff_t>(dims_.size()) + axis)
                    : static_cast<std::size_t>(axis);
  }

  const DimVector& dims() const noexcept { return dims_; }

  /// To change the dims in place; not to assign a DimVector to (that would take its tag,
  /// which holds whether this shape's rank is known).
  DimVector& dims() noexcept { return dims_; }

  /// True when the rank and every dim are known.
  bool fully_known() const noexcept;
  /// Product of dims [from, rank); unknown when any is unknown.
  Dim product(std::size_t from = 0) const noexcept;
  /// Any dim overflowed during arithmetic.
  bool overflowed() const noexcept;

  friend bool operator==(const Shape& a, const Shape& b) noexcept {
    return a.has_rank() == b.has_rank() && a.dims_ == b.dims_;
  }

 private:
  DimVector dims_;  ///< its tag: whether the rank is known
};

/// A layer call's input or output shapes: most calls take one tensor and give one, held in
/// the list itself.
using Shapes = memory::SmallVector<Shape, 1>;

/// "(None, 26, 26, 32)" as Python prints a tuple; "(None,)" for rank one;
/// unknown rank prints "<unknown rank>".
std::string to_string(const Shape& s);
std::string to_string(const Shapes& s);

/// Appends `to_string(s)` to `out`: the table writes thousands of shapes, a string each
/// would be an allocation each.
void append_shape(std::string& out, const Shape& s);

/// Convenience for tests and rules: `make_shape({-1, 28, 28, 1})` with -1 meaning None.
Shape make_shape(std::initializer_list<std::int64_t> dims);

/// Parses "(None, 28, 28, 1)", "[null, 28, 28, 1]", "?x28x28", "None,28" ...
/// Returns nullopt on malformed text.
std::optional<Shape> parse_shape(const std::string& text);

}  // namespace shapelint
