// Helpers for run_bench.sh and vs_oracle.sh: `gen DIR` writes the generated models as files;
// `parse FILE` parses a file with nlohmann_json alone (the baseline for time and peak
// memory); `time RUNS COMMAND...` runs a command RUNS times and prints its best and median
// wall time in seconds.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model_gen.hpp"
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

extern char** environ;  // what the timed commands run with

namespace {

using shapelint::bench::Generation;

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

int generate(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "small");
  write(dir / "long_keras2.json", shapelint::bench::long_functional(100000, Generation::keras2));
  write(dir / "long_keras3.json", shapelint::bench::long_functional(100000, Generation::keras3));
  write(dir / "activations_keras2.json",
        shapelint::bench::activation_chain(100000, Generation::keras2));
  write(dir / "seq_activations_keras2.json",
        shapelint::bench::sequential_activation_chain(100000, Generation::keras2));
  write(dir / "inception_keras2.json", shapelint::bench::inception_like(30, Generation::keras2));
  write(dir / "inception_keras3.json", shapelint::bench::inception_like(30, Generation::keras3));
  write(dir / "embedding_weights_keras2.json", shapelint::bench::embedding_with_weights(2000, 100));
  for (std::size_t i = 0; i < 1000; ++i)
    write(dir / "small" / fmt::format("model_{:04}.json", i),
          shapelint::bench::small_cnn(i, i % 2 ? Generation::keras3 : Generation::keras2));
  return 0;
}

int parse(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto doc = nlohmann::json::parse(buffer.str());
  std::cout << doc.size() << '\n';
  return 0;
}

double now_seconds() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/// Wall seconds of one run of `argv` (its output discarded), or a negative number when it
/// cannot be started or exits with a status above 1 (1 is a lint that found errors).
double time_once(char** argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  double start = now_seconds();
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0)
    return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  double elapsed = now_seconds() - start;
  return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? elapsed : -1;
}

/// The whole process as a user waiting for it sees it, without a shell's or a timing
/// program's own start-up in the figure (a `date` before and after adds a millisecond,
/// as much as linting a small model).
int time_command(int runs, char** argv) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    double t = time_once(argv);
    if (t < 0) {
      std::cout << "fail fail\n";
      return 1;
    }
    times.push_back(t);
  }
  std::sort(times.begin(), times.end());
  std::cout << fmt::format("{:.5f} {:.5f}\n", times.front(), times[times.size() / 2]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "time") == 0)
    return time_command(std::max(1, std::atoi(argv[2])), argv + 3);
  if (argc == 3 && std::strcmp(argv[1], "gen") == 0)
    return generate(argv[2]);
  if (argc == 3 && std::strcmp(argv[1], "parse") == 0)
    return parse(argv[2]);
  std::cerr << "usage: shapelint-bench-tools gen DIR | parse FILE | time RUNS COMMAND...\n";
  return 2;
}
