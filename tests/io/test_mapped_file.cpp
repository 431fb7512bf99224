// A large text file is mapped rather than read (io/mapped_file.hpp): the mapping holds the
// file's bytes; what cannot or need not be mapped is declined, for the caller to read.
#include <csignal>
#include <string>

#include <catch2/catch.hpp>

#include "io/fixtures.hpp"
#include "shapelint/io/mapped_file.hpp"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST_CASE("a mapped file cut short by another program reads as zeros past the cut, no crash") {
  shapelint::test::FixtureDir dir;
  std::string path = dir.path("model.json");
  shapelint::test::write_file(path, std::string(300000, 'x'));
  auto mapped = MappedFile::open(path, 0, 1000000);
  REQUIRE(mapped);
  CHECK_FALSE(mapped->cut_short());
  REQUIRE(truncate(path.c_str(), 1000) == 0);  // as an editor saving in place might
  std::size_t xs = 0, zeros = 0;
  for (char c : mapped->text()) {  // past the first page, every page is gone from the file
    if (c == 'x')
      ++xs;
    else if (c == '\0')
      ++zeros;
  }
  CHECK(xs + zeros == 300000);
  CHECK(xs >= 1000);
  CHECK(zeros > 250000);
  CHECK(mapped->cut_short());
  // A mapping made afterwards is not marked: the mark is the mapping's, not the slot's.
  auto again = MappedFile::open(path, 0, 1000000);
  REQUIRE(again);
  CHECK_FALSE(again->cut_short());
}

TEST_CASE("a SIGBUS that is not a mapped file's still ends the program as it would have") {
  // In a child, so that the test runner survives it. The action there was before the guard
  // is the default, a sanitizer's or the test framework's own: each ends the program, none
  // lets it carry on.
  shapelint::test::FixtureDir dir;
  std::string path = dir.path("model.json");
  shapelint::test::write_file(path, std::string(100000, 'x'));
  auto mapped = MappedFile::open(path, 0, 1000000);  // the handler is installed
  REQUIRE(mapped);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Quiet: the test framework's handler would report a failure of its own here.
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    raise(SIGBUS);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK_FALSE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}
