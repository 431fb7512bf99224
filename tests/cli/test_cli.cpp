// The command line through the real binary: exit codes, several files, standard input.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sys/wait.h>

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
};

/// Runs shapelint with `args` (shell syntax) from the source directory; stderr joins stdout.
Run shapelint(const std::string& args) {
  std::string cmd = fmt::format("cd '{}' && NO_COLOR=1 COLUMNS=80 '{}' {} 2>&1",
                                SHAPELINT_SOURCE_DIR,
                                SHAPELINT_BINARY,
                                args);
  Run run;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    run.out.append(buf.data(), n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("help and version exit 0") {
  auto help = shapelint("--help");
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "--input-shape"));
  auto version = shapelint("--version");
  CHECK(version.exit_code == 0);
  CHECK(contains(version.out, SHAPELINT_VERSION));
}

TEST_CASE("usage errors exit 2") {
  CHECK(shapelint("").exit_code == 2);
  CHECK(shapelint("--format bogus samples/ok/mnist_cnn.json").exit_code == 2);
  CHECK(shapelint("--input-shape 28xx28 samples/ok/mnist_cnn.json").exit_code == 2);
  CHECK(shapelint("--fail-on sometimes samples/ok/mnist_cnn.json").exit_code == 2);
}

TEST_CASE("a clean model exits 0, a shape error exits 1") {
  CHECK(shapelint("samples/ok/mnist_cnn.json").exit_code == 0);
  CHECK(shapelint("samples/bad/valid_chain_too_deep.json").exit_code == 1);
  CHECK(shapelint("samples/ok/mnist_cnn.json --input-shape 25x25x1").exit_code == 1);
  CHECK(shapelint("--fail-on never samples/bad/valid_chain_too_deep.json").exit_code == 0);
}

TEST_CASE("an unreadable file exits 2 and the other files are still linted") {
  auto run = shapelint("--format compact samples/bad/valid_chain_too_deep.json no/such/file.json");
  CHECK(run.exit_code == 2);
  CHECK(contains(run.out, "no/such/file.json"));
  CHECK(contains(run.out, "valid_chain_too_deep.json"));
  CHECK(contains(run.out, "[SL103]"));
}

TEST_CASE(
    "with --skip-non-models, shapelint passes over a package.json; without it the file is "
    "invalid") {
  auto dir = std::filesystem::temp_directory_path() / "shapelint-cli-test";
  std::filesystem::create_directories(dir);
  auto pkg = (dir / "package.json").string();
  std::ofstream(pkg) << R"({"name": "web", "version": "1.0.0"})";
  CHECK(shapelint(fmt::format("'{}'", pkg)).exit_code == 2);
  auto skipped = shapelint(fmt::format("--skip-non-models '{}' samples/ok/mnist_cnn.json", pkg));
  CHECK(skipped.exit_code == 0);
  CHECK_FALSE(contains(skipped.out, "package.json"));
}

TEST_CASE("a directory is searched for models; files that are not models are passed over") {
  auto dir = std::filesystem::temp_directory_path() / "shapelint-cli-dir";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "nested");
  std::filesystem::copy_file(
      std::filesystem::path(SHAPELINT_SOURCE_DIR) / "samples/ok/resnet_block.json",
      dir / "nested/model.json");
  std::ofstream(dir / "tsconfig.json") << R"({"compilerOptions": {}})";
  std::ofstream(dir / "notes.txt") << "not a model";
  auto run = shapelint(fmt::format("--format json '{}'", dir.string()));
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, "nested/model.json"));
  CHECK_FALSE(contains(run.out, "tsconfig.json"));
}

TEST_CASE("standard input is read for -") {
  auto run = shapelint("--format json - < samples/ok/lstm_text_classifier.json");
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, "\"path\": \"-\""));
  CHECK(contains(run.out, "\"format\": \"keras3-json\""));
}
