// A large text file is mapped rather than read (io/mapped_file.hpp): the mapping holds the
// file's bytes; what cannot or need not be mapped is declined, for the caller to read.
#include <string>

#include <catch2/catch.hpp>

#include "io/fixtures.hpp"
#include "shapelint/io/mapped_file.hpp"
#include <sys/stat.h>

using shapelint::io::MappedFile;

TEST_CASE("a regular file within the bounds is mapped with its bytes") {
  shapelint::test::FixtureDir dir;
  std::string path = dir.path("model.json");
  std::string text(100000, 'x');
  text[0] = '{';
  text.back() = '\0';  // any byte, a NUL included
  shapelint::test::write_file(path, text);
  auto mapped = MappedFile::open(path, 1000, 200000);
  REQUIRE(mapped);
  CHECK(mapped->text() == text);
  // Moved, the mapping goes with it (and is unmapped once, by its last owner).
  MappedFile moved = std::move(*mapped);
  CHECK(moved.text() == text);
  MappedFile assigned = std::move(moved);
  CHECK(assigned.text().size() == text.size());
}

TEST_CASE("what cannot or need not be mapped is declined") {
  shapelint::test::FixtureDir dir;
  std::string small = dir.path("small.json");
  shapelint::test::write_file(small, "{}");
  std::string empty = dir.path("empty.json");
  shapelint::test::write_file(empty, "");
  std::string fifo = dir.path("pipe.json");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_FALSE(MappedFile::open(small, 1000, 200000));        // below the minimum
  CHECK_FALSE(MappedFile::open(small, 0, 1));                // over the maximum
  CHECK_FALSE(MappedFile::open(empty, 0, 200000));           // nothing to map
  CHECK_FALSE(MappedFile::open(dir.path(""), 0, 200000));    // a directory
  CHECK_FALSE(MappedFile::open(fifo, 0, 200000));            // not a regular file
  CHECK_FALSE(MappedFile::open(dir.path("missing"), 0, 1));  // no such file
  CHECK(MappedFile::open(small, 0, 2));                      // exactly at the bounds
}
