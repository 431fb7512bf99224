// DimVector must behave as the std::vector<Dim> it replaced, inline or on the heap: random
// sequences of every operation the rules use, checked step by step against std::vector.
#include <random>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/shape/dim_vector.hpp"
#include "shapelint/shape/shape.hpp"

using shapelint::Dim;
using shapelint::DimVector;

namespace {

void check_same(const DimVector& got, const std::vector<Dim>& want) {
  REQUIRE(got.size() == want.size());
  CHECK(got.empty() == want.empty());
  CHECK(got.capacity() >= got.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    CHECK(got[i] == want[i]);
  CHECK(DimVector(want) == got);
}

Dim random_dim(std::mt19937_64& random) {
  return random() % 5 == 0 ? Dim::unknown() : Dim::of(static_cast<std::int64_t>(random() % 100));
}

}  // namespace

TEST_CASE("a DimVector built any way holds the dims a std::vector holds") {
  std::vector<Dim> three{Dim::of(1), Dim::unknown(), Dim::of(3)};
  check_same(DimVector{Dim::of(1), Dim::unknown(), Dim::of(3)}, three);
  check_same(DimVector(three.begin(), three.end()), three);
  check_same(DimVector(three), three);
  check_same(DimVector(4), std::vector<Dim>(4));
  check_same(DimVector(7, Dim::of(2)), std::vector<Dim>(7, Dim::of(2)));
  check_same(DimVector(), {});
  std::vector<Dim> many(40, Dim::of(9));  // on the heap from the start
  check_same(DimVector(many.begin(), many.end()), many);
}

TEST_CASE("copies and moves of a DimVector are independent, inline or on the heap") {
  for (std::size_t n : {std::size_t{0}, std::size_t{3}, DimVector::kInline, std::size_t{12}}) {
    INFO("size " << n);
    std::vector<Dim> want(n, Dim::of(5));
    DimVector original(want);
    DimVector copy = original;
    copy.push_back(Dim::of(6));
    check_same(original, want);
    DimVector moved = std::move(copy);
    want.push_back(Dim::of(6));
    check_same(moved, want);
    CHECK(copy.empty());  // NOLINT: a moved-from DimVector is empty, and usable again
    copy.push_back(Dim::of(1));
    check_same(copy, {Dim::of(1)});
    DimVector assigned;
    assigned = moved;
    check_same(assigned, want);
    assigned = std::move(moved);
    check_same(assigned, want);
    const DimVector& same = assigned;
    assigned = same;  // self-assignment keeps it
    check_same(assigned, want);
  }
}

TEST_CASE("random edits of a DimVector match the same edits of a std::vector") {
  std::mt19937_64 random(5);
  for (int round = 0; round < 300; ++round) {
    DimVector got;
    std::vector<Dim> want;
    for (int step = 0; step < 40; ++step) {
      INFO("round " << round << ", step " << step);
      std::size_t at = want.empty() ? 0 : random() % (want.size() + 1);
      Dim d = random_dim(random);
      switch (random() % 9) {
        case 0:
          got.push_back(d);
          want.push_back(d);
          break;
        case 1:
          got.insert(got.begin() + at, d);
          want.insert(want.begin() + static_cast<std::ptrdiff_t>(at), d);
          break;
        case 2: {
          std::size_t n = random() % 4;
          got.insert(got.begin() + at, n, d);
          want.insert(want.begin() + static_cast<std::ptrdiff_t>(at), n, d);
          break;
        }
        case 3: {
          // A range of the vector itself, as `dims.insert(pos, dims.begin(), ...)` would be.
          std::size_t from = want.empty() ? 0 : random() % want.size();
          std::size_t to = from + (want.size() - from == 0 ? 0 : random() % (want.size() - from));
          std::vector<Dim> part(want.begin() + static_cast<std::ptrdiff_t>(from),
                                want.begin() + static_cast<std::ptrdiff_t>(to));
          got.insert(got.begin() + at, got.begin() + from, got.begin() + to);
          want.insert(want.begin() + static_cast<std::ptrdiff_t>(at), part.begin(), part.end());
          break;
        }
        case 4:
          if (!want.empty() && at < want.size()) {
            got.erase(got.begin() + at);
            want.erase(want.begin() + static_cast<std::ptrdiff_t>(at));
          }
          break;
        case 5: {
          std::size_t to = at + (want.size() - at == 0 ? 0 : random() % (want.size() - at + 1));
          got.erase(got.begin() + at, got.begin() + to);
          want.erase(want.begin() + static_cast<std::ptrdiff_t>(at),
                     want.begin() + static_cast<std::ptrdiff_t>(to));
          break;
        }
        case 6: {
          std::size_t n = random() % 12;
          got.resize(n, d);
          want.resize(n, d);
          break;
        }
        case 7:
          if (!want.empty()) {
            got.pop_back();
            want.pop_back();
          }
          break;
        default:
          if (random() % 4 == 0) {
            got.clear();
            want.clear();
          }
          break;
      }
      check_same(got, want);
      if (!want.empty()) {
        CHECK(got.front() == want.front());
        CHECK(got.back() == want.back());
        CHECK(*got.rbegin() == want.back());
      }
    }
  }
}

TEST_CASE("a DimVector's tag goes with its copies and moves, and not into ==") {
  for (std::size_t n : {std::size_t{0}, std::size_t{3}, std::size_t{9}}) {  // inline, heap
    DimVector tagged(n, Dim::of(2));
    tagged.set_tag(true);
    DimVector copy = tagged;
    CHECK(copy.tag());
    DimVector assigned;
    assigned = tagged;
    CHECK(assigned.tag());
    DimVector moved = std::move(copy);
    CHECK(moved.tag());
    DimVector move_assigned;
    move_assigned = std::move(assigned);
    CHECK(move_assigned.tag());
    DimVector plain(n, Dim::of(2));
    CHECK_FALSE(plain.tag());
    CHECK(plain == tagged);  // same dims
    // Edits keep it.
    tagged.push_back(Dim::of(5));
    tagged.erase(tagged.begin());
    tagged.resize(20);
    tagged.clear();
    CHECK(tagged.tag());
    tagged.set_tag(false);
    CHECK_FALSE(tagged.tag());
  }
}

TEST_CASE("a Shape keeps whether its rank is known in 40 bytes, through copies and edits") {
  using shapelint::Shape;
  CHECK(sizeof(Shape) == sizeof(DimVector));
  Shape unknown;
  Shape rank0 = Shape::of_rank(0);
  CHECK_FALSE(unknown.has_rank());
  CHECK(rank0.has_rank());
  CHECK(rank0.rank() == 0);
  CHECK(unknown != rank0);  // the same (no) dims, one rank known
  CHECK(Shape::unknown_rank() == unknown);
  Shape big = Shape::of_rank(7);
  Shape copy = big;
  CHECK(copy.has_rank());
  CHECK(copy == big);
  copy = unknown;
  CHECK_FALSE(copy.has_rank());
  copy = std::move(big);
  CHECK(copy.has_rank());
  CHECK(copy.rank() == 7);
  copy.dims().push_back(Dim::of(3));
  CHECK(copy.has_rank());
  CHECK(copy.rank() == 8);
}
