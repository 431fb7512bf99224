#include "shapelint/shape/shape.hpp"

#include <cctype>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace shapelint {

void DimVector::free_heap_dims(Dim* dims) noexcept {
  ::operator delete(dims);
}

std::string to_string(Dim d) {
  return d.is_known() ? std::to_string(d.value()) : "None";
}

bool Shape::fully_known() const noexcept {
  if (!has_rank())
    return false;
  for (Dim d : dims_)
    if (!d.is_known())
      return false;
  return true;
}

Dim Shape::product(std::size_t from) const noexcept {
  if (!has_rank())
    return Dim::unknown();
  Dim p = Dim::of(1);
  for (std::size_t i = from; i < dims_.size(); ++i)
    p = p * dims_[i];
  return p;
}

bool Shape::overflowed() const noexcept {
  for (Dim d : dims_)
    if (d.overflowed())
      return true;
  return false;
}

void append_shape(std::string& out, const Shape& s) {
  if (!s.has_rank()) {
    out += "<unknown rank>";
    return;
  }
  // Written through a pointer into room for the longest spelling (", " and 20 characters a
  // dim), then cut back: an append per piece costs several times more.
  std::size_t start = out.size();
  out.resize(start + 3 + 22 * s.rank());
  char* p = out.data() + start;
  *p++ = '(';
  for (std::size_t i = 0; i < s.rank(); ++i) {
    if (i) {
      *p++ = ',';
      *p++ = ' ';
    }
    Dim d = s.dims()[i];
    if (d.is_known()) {
      p = std::to_chars(p, p + 20, d.value()).ptr;
    } else {
      std::memcpy(p, "None", 4);
      p += 4;
    }
  }
  if (s.rank() == 1)
    *p++ = ',';
  *p++ = ')';
  out.resize(static_cast<std::size_t>(p - out.data()));
}

std::string to_string(const Shape& s) {
  std::string out;
  append_shape(out, s);
  return out;
}

std::string to_string(const Shapes& shapes) {
  if (shapes.size() == 1)
    return to_string(shapes[0]);
  std::string out = "[";
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (i)
      out += ", ";
    out += to_string(shapes[i]);
  }
  return out + "]";
}

Shape make_shape(std::initializer_list<std::int64_t> dims) {
  DimVector out;
  out.reserve(dims.size());
  for (auto d : dims)
    out.push_back(d < 0 ? Dim::unknown() : Dim::of(d));
  return Shape(std::move(out));
}

namespace {

bool is_separator(char c) {
  return c == ',' || c == 'x' || c == 'X' || c == '*';
}

std::optional<Dim> parse_dim(std::string_view tok) {
  if (tok == "None" || tok == "none" || tok == "null" || tok == "?" || tok == "-1")
    return Dim::unknown();
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
  if (ec != std::errc{} || ptr != tok.data() + tok.size() || v < 0)
    return std::nullopt;
  return Dim::of(v);
}

}  // namespace

std::optional<Shape> parse_shape(const std::string& text) {
  std::string_view t = text;
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
      s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
      s.remove_suffix(1);
    return s;
  };
  t = trim(t);
  if (!t.empty() && (t.front() == '(' || t.front() == '[')) {
    char close = t.front() == '(' ? ')' : ']';
    if (t.back() != close)
      return std::nullopt;
    t = trim(t.substr(1, t.size() - 2));
  }
  DimVector dims;
  if (t.empty())
    return Shape(dims);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= t.size(); ++i) {
    if (i == t.size() || is_separator(t[i])) {
      auto tok = trim(t.substr(start, i - start));
      start = i + 1;
      if (tok.empty()) {
        if (i == t.size() && !dims.empty())
          break;  // trailing comma as in "(3,)"
        return std::nullopt;
      }
      auto d = parse_dim(tok);
      if (!d)
        return std::nullopt;
      dims.push_back(*d);
    }
  }
  return Shape(std::move(dims));
}

}  // namespace shapelint
