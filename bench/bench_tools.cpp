// Helpers for run_bench.sh: `gen DIR` writes the generated models as files; `parse FILE`
// parses a file with nlohmann_json alone (the baseline for time and peak memory).
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model_gen.hpp"

namespace {

using shapelint::bench::Generation;

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

int generate(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "small");
  write(dir / "long_keras2.json", shapelint::bench::long_functional(100000, Generation::keras2));
  write(dir / "long_keras3.json", shapelint::bench::long_functional(100000, Generation::keras3));
  write(dir / "inception_keras2.json", shapelint::bench::inception_like(30, Generation::keras2));
  write(dir / "inception_keras3.json", shapelint::bench::inception_like(30, Generation::keras3));
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

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "gen") == 0)
    return generate(argv[2]);
  if (argc == 3 && std::strcmp(argv[1], "parse") == 0)
    return parse(argv[2]);
  std::cerr << "usage: shapelint-bench-tools gen DIR | parse FILE\n";
  return 2;
}
