// The statically linked program lays out the code a lint runs together (app/hot-functions.txt,
// app/CMakeLists.txt): a check that the list still names the program's functions and that
// the linker followed it.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support/run_command.hpp"

namespace {

std::vector<std::string> hot_functions() {
  std::ifstream in(std::string(SHAPELINT_SOURCE_DIR) + "/app/hot-functions.txt");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      names.push_back(line);
  return names;
}

#if defined(SHAPELINT_BINARY) && defined(SHAPELINT_STATIC_PROGRAM)
/// Code symbols of the program and their addresses, from `nm`.
std::map<std::string, std::uint64_t> code_symbols(const std::string& program) {
  auto run = shapelint::test::run_command(fmt::format("nm --defined-only '{}'", program));
  REQUIRE(run.exit_code == 0);
  std::map<std::string, std::uint64_t> symbols;
  std::istringstream lines(run.out);
  std::string address, type, name;
  while (lines >> address >> type >> name)
    if (type == "T" || type == "t" || type == "W" || type == "w")
      symbols.emplace(name, std::stoull(address, nullptr, 16));
  return symbols;
}

#endif

#if defined(SHAPELINT_BINARY) && defined(SHAPELINT_STATIC_PROGRAM) && \
    defined(SHAPELINT_HOT_CODE_ORDERED)
bool own_function(const std::string& name) {
  return name.rfind("_ZN9shapelint", 0) == 0 || name.rfind("_ZNK9shapelint", 0) == 0;
}

#endif

}  // namespace

TEST_CASE("program layout: the hot functions list names functions the program has") {
  auto listed = hot_functions();
  REQUIRE(listed.size() > 100);
#if !defined(SHAPELINT_BINARY) || !defined(SHAPELINT_STATIC_PROGRAM)
  // The list describes the statically linked Release program (glibc's functions, GCC's
  // clones of ours); other builds link it otherwise.
  WARN("not the statically linked program: its layout is not checked");
#else
  if (shapelint::test::run_command("command -v nm > /dev/null").exit_code != 0) {
    WARN("nm is not installed: the program's layout is not checked");
    return;
  }
  auto symbols = code_symbols(SHAPELINT_BINARY);
  auto found = std::count_if(
      listed.begin(), listed.end(), [&](const std::string& n) { return symbols.count(n) != 0; });
  INFO(found << " of " << listed.size()
             << " listed functions found: a stale list (run scripts/order-hot-functions.sh)");
  CHECK(found * 10 >= static_cast<long>(listed.size()) * 9);
#endif
}

#if defined(SHAPELINT_BINARY) && defined(SHAPELINT_STATIC_PROGRAM) && \
    defined(SHAPELINT_HOT_CODE_ORDERED)
TEST_CASE("program layout: shapelint's listed functions come before all its others") {
  auto symbols = code_symbols(SHAPELINT_BINARY);
  std::set<std::string> listed;
  std::set<std::uint64_t> listed_addresses;
  for (const auto& name : hot_functions())
    if (auto it = symbols.find(name); it != symbols.end()) {
      listed.insert(name);
      listed_addresses.insert(it->second);
    }
  std::uint64_t last_listed = 0, first_other = UINT64_MAX;
  std::string first_other_name;
  for (const auto& [name, address] : symbols) {
    if (!own_function(name))
      continue;
    if (listed.count(name)) {
      last_listed = std::max(last_listed, address);
    } else if (!listed_addresses.count(address) && address < first_other) {
      // (an alias of a listed function, such as a complete-object constructor, is that one)
      first_other = address;
      first_other_name = name;
    }
  }
  INFO("first unlisted function: " << first_other_name);
  CHECK(last_listed < first_other);
}
#endif
