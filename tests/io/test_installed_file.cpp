// Where shapelint looks for the files installed with it (the container reader, the HDF5
// module): the environment's choice alone, else beside the program, in ../lib/shapelint, and
// where the build put it.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "shapelint/io/installed_file.hpp"

using shapelint::io::installed_file_candidates;
namespace fs = std::filesystem;

TEST_CASE("an installed file is looked for beside the program, in its lib, then in the build") {
  unsetenv("SHAPELINT_TEST_HELPER");
  fs::path exe = fs::read_symlink("/proc/self/exe");
  auto candidates = installed_file_candidates("SHAPELINT_TEST_HELPER", "helper", "/build/helper");
  REQUIRE(candidates.size() == 3);
  CHECK(candidates[0] == exe.parent_path() / "helper");
  CHECK(candidates[1] == exe.parent_path().parent_path() / "lib" / "shapelint" / "helper");
  CHECK(candidates[2] == fs::path("/build/helper"));
  CHECK(installed_file_candidates("SHAPELINT_TEST_HELPER", "helper", nullptr).size() == 2);
}

TEST_CASE("the environment variable, when set, is the only place looked at") {
  setenv("SHAPELINT_TEST_HELPER", "/opt/helper", 1);
  auto candidates = installed_file_candidates("SHAPELINT_TEST_HELPER", "helper", "/build/helper");
  REQUIRE(candidates.size() == 1);
  CHECK(candidates[0] == fs::path("/opt/helper"));
  setenv("SHAPELINT_TEST_HELPER", "", 1);  // set but empty: as if unset
  CHECK(installed_file_candidates("SHAPELINT_TEST_HELPER", "helper", nullptr).size() == 2);
  unsetenv("SHAPELINT_TEST_HELPER");
}
