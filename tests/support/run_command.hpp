#pragma once
// Runs a shell command (the real shapelint binary, in the CLI tests) and captures what it
// prints, so that tests check the program as users and CI run it.
#include <array>
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sys/wait.h>

namespace shapelint::test {

struct CommandRun {
  int exit_code = -1;  ///< -1 when the command did not exit normally
  std::string out;     ///< its standard output (stderr too where the command redirects it)
};

/// Runs `command` with /bin/sh and waits for it.
inline CommandRun run_command(const std::string& command) {
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.out.append(buffer.data(), n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

#ifdef SHAPELINT_BINARY
/// The real shapelint run in directory `dir` with `args` (a shell fragment), without colour and
/// 100 columns wide; stderr joins stdout.
inline CommandRun shapelint_in(const std::string& dir, const std::string& args) {
  return run_command(
      fmt::format("cd '{}' && NO_COLOR=1 COLUMNS=100 '{}' {} 2>&1", dir, SHAPELINT_BINARY, args));
}
#endif

}  // namespace shapelint::test
