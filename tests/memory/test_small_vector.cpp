#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/engine/propagate.hpp"
#include "shapelint/memory/small_vector.hpp"
#include "shapelint/model/graph.hpp"
#include "shapelint/shape/shape.hpp"

using shapelint::memory::SmallVector;

namespace {

/// A value that counts how many of its kind are alive, with a string that lives on the heap
/// (a vector that copied bytes instead of moving would free it twice under ASan).
struct Tracked {
  static inline int alive = 0;

  Tracked() : Tracked(0) {}

  Tracked(int v) : value(v), text(std::to_string(v) + " (long enough to live on the heap)") {
    ++alive;
  }

  Tracked(const Tracked& other) : value(other.value), text(other.text) { ++alive; }

  Tracked(Tracked&& other) noexcept : value(other.value), text(std::move(other.text)) {
    other.value = -1;
    ++alive;
  }

  Tracked& operator=(const Tracked& other) {
    value = other.value;
    text = other.text;
    return *this;
  }

  Tracked& operator=(Tracked&& other) noexcept {
    value = other.value;
    text = std::move(other.text);
    other.value = -1;
    return *this;
  }

  ~Tracked() { --alive; }

  friend bool operator==(const Tracked& a, const Tracked& b) {
    return a.value == b.value && a.text == b.text;
  }

  int value;
  std::string text;
};

template <std::size_t N>
std::vector<int> values_of(const SmallVector<Tracked, N>& v) {
  std::vector<int> out;
  for (const auto& t : v)
    out.push_back(t.value);
  return out;
}

std::vector<int> values_of(const std::vector<Tracked>& v) {
  std::vector<int> out;
  for (const auto& t : v)
    out.push_back(t.value);
  return out;
}

}  // namespace

TEST_CASE("SmallVector: its first elements are held in itself, then all move to the heap") {
  SmallVector<Tracked, 2> v;
  CHECK(v.empty());
  CHECK(v.capacity() == 2);
  v.push_back(1);
  const Tracked* first = &v[0];
  CHECK(static_cast<const void*>(first) >= static_cast<const void*>(&v));
  CHECK(static_cast<const void*>(first) < static_cast<const void*>(&v + 1));
  v.emplace_back(2);
  CHECK(&v[0] == first);  // within the capacity nothing moves
  v.push_back(3);
  CHECK(v.capacity() >= 3);
  CHECK(static_cast<const void*>(&v[0]) != static_cast<const void*>(first));
  CHECK(values_of(v) == std::vector<int>{1, 2, 3});
  CHECK(Tracked::alive == 3);
  v.clear();
  CHECK(Tracked::alive == 0);
  CHECK(v.capacity() >= 3);  // the heap block is kept, as std::vector keeps it
}

TEST_CASE("SmallVector: a layer's one call, its input and its shapes take no block of their own") {
  CHECK(sizeof(shapelint::Shapes) == sizeof(shapelint::Shape) + 8);
  shapelint::Shapes shapes{shapelint::Shape{shapelint::Dim::unknown(), shapelint::Dim::of(64)}};
  CHECK(shapes.capacity() == 1);
  CHECK(shapelint::to_string(shapes[0]) == "(None, 64)");
  // A call of one tensor giving one: its shapes held in the layer's result itself.
  shapelint::LayerResult result;
  result.calls.resize(1);
  CHECK(result.calls.capacity() == 1);
  // And in the graph: a layer's one call, and the call's one input.
  shapelint::Layer layer;
  layer.nodes.emplace_back().inputs.push_back(shapelint::TensorRef{3, 0, 0});
  auto inside = [](const void* p, const void* object, std::size_t size) {
    auto* begin = static_cast<const unsigned char*>(object);
    auto* at = static_cast<const unsigned char*>(p);
    return at >= begin && at < begin + size;
  };
  CHECK(inside(&layer.nodes[0], &layer, sizeof layer));
  CHECK(inside(&layer.nodes[0].inputs[0], &layer, sizeof layer));
  CHECK(layer.nodes[0].inputs[0].layer == 3);
}

TEST_CASE("SmallVector: copies and moves, held inline or on the heap") {
  for (std::size_t n : {0, 1, 2, 3, 9}) {
    CAPTURE(n);
    {
      SmallVector<Tracked, 2> a;
      for (std::size_t i = 0; i < n; ++i)
        a.emplace_back(static_cast<int>(i));
      SmallVector<Tracked, 2> copy(a);
      CHECK(copy == a);
      SmallVector<Tracked, 2> moved(std::move(a));
      CHECK(moved == copy);
      CHECK(a.empty());  // NOLINT(bugprone-use-after-move): a moved-from vector is empty
      a.push_back(42);   // and usable
      CHECK(values_of(a) == std::vector<int>{42});
      SmallVector<Tracked, 2> assigned{7, 8, 9};
      assigned = copy;
      CHECK(assigned == copy);
      assigned = std::move(moved);
      CHECK(assigned == copy);
      CHECK(Tracked::alive == static_cast<int>(1 + 2 * n));
    }
    CHECK(Tracked::alive == 0);
  }
}

TEST_CASE("SmallVector: growing with one of its own elements as the argument") {
  SmallVector<Tracked, 1> v{5};
  v.push_back(v[0]);  // at capacity: the new block is filled before the old one goes
  v.push_back(v[1]);
  v.emplace_back(v[0]);
  CHECK(values_of(v) == std::vector<int>{5, 5, 5, 5});
  v.assign(3, v[2]);
  CHECK(values_of(v) == std::vector<int>{5, 5, 5});
  v.resize(6, v[0]);
  CHECK(values_of(v) == std::vector<int>{5, 5, 5, 5, 5, 5});
}

TEST_CASE("SmallVector: an element whose constructor throws while growing leaves it as it was") {
  // The new block must be freed (the ASan build's leak check fails otherwise) and the old
  // elements kept.
  {
    SmallVector<Tracked, 1> v{1};

    struct ThrowsOnBuild {
      int value;

      operator Tracked() const {
        if (value < 0)
          throw std::invalid_argument("negative");
        return Tracked(value);
      }
    };

    CHECK_THROWS_AS(v.emplace_back(ThrowsOnBuild{-1}), std::invalid_argument);  // full: grows
    CHECK(values_of(v) == std::vector<int>{1});
    CHECK(v.capacity() == 1);
    v.emplace_back(ThrowsOnBuild{2});
    CHECK_THROWS_AS(v.emplace_back(ThrowsOnBuild{-1}), std::invalid_argument);  // on the heap
    CHECK(values_of(v) == std::vector<int>{1, 2});
    CHECK(Tracked::alive == 2);
  }
  CHECK(Tracked::alive == 0);
}

TEST_CASE("SmallVector: random edits agree with std::vector") {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    {
      SmallVector<Tracked, 1> small;
      std::vector<Tracked> reference;
      for (int step = 0; step < 60; ++step) {
        int value = static_cast<int>(rng() % 1000);
        std::size_t size = reference.size();
        std::size_t at = size == 0 ? 0 : rng() % (size + 1);
        switch (rng() % 9) {
          case 0:
            small.push_back(value);
            reference.push_back(value);
            break;
          case 1:
            small.insert(small.begin() + static_cast<std::ptrdiff_t>(at), value);
            reference.insert(reference.begin() + static_cast<std::ptrdiff_t>(at), value);
            break;
          case 2:
            if (at < size) {
              small.erase(small.begin() + static_cast<std::ptrdiff_t>(at));
              reference.erase(reference.begin() + static_cast<std::ptrdiff_t>(at));
            }
            break;
          case 3: {
            std::size_t n = rng() % 4;
            small.resize(n);
            reference.resize(n);
            break;
          }
          case 4: {
            std::vector<Tracked> more{value, value + 1};
            small.insert(small.begin() + static_cast<std::ptrdiff_t>(at), more.begin(), more.end());
            reference.insert(
                reference.begin() + static_cast<std::ptrdiff_t>(at), more.begin(), more.end());
            break;
          }
          case 5:
            if (!reference.empty()) {
              small.pop_back();
              reference.pop_back();
            }
            break;
          case 6: {
            std::size_t last = at + rng() % 3;
            if (last <= size) {
              small.erase(small.begin() + static_cast<std::ptrdiff_t>(at),
                          small.begin() + static_cast<std::ptrdiff_t>(last));
              reference.erase(reference.begin() + static_cast<std::ptrdiff_t>(at),
                              reference.begin() + static_cast<std::ptrdiff_t>(last));
            }
            break;
          }
          case 7: {
            SmallVector<Tracked, 1> moved(std::move(small));
            small = std::move(moved);
            break;
          }
          default:
            small.reserve(size + rng() % 3);
            break;
        }
        REQUIRE(values_of(small) == values_of(reference));
        REQUIRE(small.size() == reference.size());
        REQUIRE(small.capacity() >= small.size());
        for (std::size_t i = 0; i < small.size(); ++i)
          REQUIRE(small[i] == reference[i]);
      }
    }
    REQUIRE(Tracked::alive == 0);
  }
}

TEST_CASE("SmallVector: at() checks the index, back() and front() name the ends") {
  SmallVector<int, 1> v{3, 4};
  CHECK(v.front() == 3);
  CHECK(v.back() == 4);
  CHECK(v.at(1) == 4);
  CHECK_THROWS_AS(v.at(2), std::out_of_range);
  CHECK(std::vector<int>(v.rbegin(), v.rend()) == std::vector<int>{4, 3});
}
