// The command line through the real binary: exit codes, several files, standard input.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support/run_command.hpp"
#include <sys/wait.h>

namespace {

using Run = shapelint::test::CommandRun;

/// Runs shapelint with `args` (shell syntax) from the source directory; stderr joins stdout.
Run run_shapelint(const std::string& args) {
  std::string cmd = fmt::format("cd '{}' && NO_COLOR=1 COLUMNS=80 '{}' {} 2>&1",
                                SHAPELINT_SOURCE_DIR,
                                SHAPELINT_BINARY,
                                args);
  return shapelint::test::run_command(cmd);
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("help and version exit 0") {
  auto help = run_shapelint("--help");
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "--input-shape"));
  auto version = run_shapelint("--version");
  CHECK(version.exit_code == 0);
  CHECK(version.out == std::string("shapelint ") + SHAPELINT_VERSION + "\n");
  // Answered before the options are parsed, wherever they stand, as CLI11 would.
  for (const char* args : {"-h", "samples/ok/mnist_cnn.json --help", "-V --help"}) {
    INFO(args);
    auto early = run_shapelint(args);
    CHECK(early.exit_code == 0);
    CHECK(contains(early.out, "--input-shape"));
  }
  for (const char* args : {"-V", "--format json --version samples/ok/mnist_cnn.json"}) {
    INFO(args);
    auto early = run_shapelint(args);
    CHECK(early.exit_code == 0);
    CHECK(early.out == std::string("shapelint ") + SHAPELINT_VERSION + "\n");
  }
}

TEST_CASE("usage errors exit 2") {
  CHECK(run_shapelint("").exit_code == 2);
  CHECK(run_shapelint("--format bogus samples/ok/mnist_cnn.json").exit_code == 2);
  CHECK(run_shapelint("--input-shape 28xx28 samples/ok/mnist_cnn.json").exit_code == 2);
  CHECK(run_shapelint("--fail-on sometimes samples/ok/mnist_cnn.json").exit_code == 2);
}

TEST_CASE("a clean model exits 0, a shape error exits 1") {
  CHECK(run_shapelint("samples/ok/mnist_cnn.json").exit_code == 0);
  CHECK(run_shapelint("samples/bad/valid_chain_too_deep.json").exit_code == 1);
  CHECK(run_shapelint("samples/ok/mnist_cnn.json --input-shape 25x25x1").exit_code == 1);
  CHECK(run_shapelint("--fail-on never samples/bad/valid_chain_too_deep.json").exit_code == 0);
}

TEST_CASE("an unreadable file exits 2 and the other files are still linted") {
  auto run =
      run_shapelint("--format compact samples/bad/valid_chain_too_deep.json no/such/file.json");
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
  CHECK(run_shapelint(fmt::format("'{}'", pkg)).exit_code == 2);
  auto skipped =
      run_shapelint(fmt::format("--skip-non-models '{}' samples/ok/mnist_cnn.json", pkg));
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
  auto run = run_shapelint(fmt::format("--format json '{}'", dir.string()));
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, "nested/model.json"));
  CHECK_FALSE(contains(run.out, "tsconfig.json"));
}

TEST_CASE("standard input is read for -") {
  auto run = run_shapelint("--format json - < samples/ok/lstm_text_classifier.json");
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, "\"path\": \"-\""));
  CHECK(contains(run.out, "\"format\": \"keras3-json\""));
}

TEST_CASE("a command line of paths only reads as CLI11 reads it, with every default") {
  // Paths only skip CLI11 (cli_options.hpp): the same run with a default option spelled out
  // goes through CLI11, and must print and exit the same.
  for (std::string paths : {"samples/ok/mnist_cnn.json",
                            "samples/ok/mnist_cnn.json samples/bad/*.json",
                            "no-such-file.json samples/ok/mnist_cnn.json",
                            "'' samples/ok/mnist_cnn.json",
                            "- < samples/ok/mnist_cnn.json",
                            "samples/ok"}) {
    INFO(paths);
    Run direct = run_shapelint(paths);
    Run through_cli11 = run_shapelint("--format table " + paths);
    CHECK(direct.exit_code == through_cli11.exit_code);
    CHECK(direct.out == through_cli11.out);
  }
  // What may be an option is CLI11's to judge.
  CHECK(run_shapelint("samples/ok/mnist_cnn.json --no-such-option").exit_code == 2);
  CHECK(run_shapelint("samples/ok/mnist_cnn.json -q").out !=
        run_shapelint("samples/ok/mnist_cnn.json").out);
}
