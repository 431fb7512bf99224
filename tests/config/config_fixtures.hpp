#pragma once
// A temporary directory tree for configuration tests, removed at the end.
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include <unistd.h>

namespace shapelint::test {

class ConfigTree {
 public:
  explicit ConfigTree(const std::string& name) {
    root_ = std::filesystem::temp_directory_path() /
            fmt::format("shapelint-{}-{}", name, static_cast<long>(getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    root_ = std::filesystem::canonical(root_);
  }

  ConfigTree(const ConfigTree&) = delete;
  ConfigTree& operator=(const ConfigTree&) = delete;

  ~ConfigTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  /// Writes `text` at `relative` below the root, directories created; returns its path.
  std::string write(const std::string& relative, const std::string& text) const {
    auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  std::string path(const std::string& relative = "") const {
    return relative.empty() ? root_.string() : (root_ / relative).string();
  }

 private:
  std::filesystem::path root_;
};

/// Whether a directory above `dir` holds a configuration file, which would make a test that
/// expects none meaningless on this machine.
inline bool configuration_above(std::filesystem::path dir) {
  for (dir = dir.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / ".shapelint.toml") ||
        std::filesystem::exists(dir / "pyproject.toml"))
      return true;
    if (dir == dir.parent_path())
      break;
  }
  return false;
}

/// A small Sequential: Input (None, 16) → MyProjection (custom, projection_dim 32) →
/// MyNorm (custom) → Dense(4).
inline const char* kCustomModel =
    R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 16], "name": "in"}},
  {"class_name": "MyProjection", "config": {"name": "proj", "projection_dim": 32}},
  {"class_name": "MyNorm", "config": {"name": "norm"}},
  {"class_name": "Dense", "config": {"name": "d", "units": 4}}
]}, "keras_version": "2.15.0", "backend": "tensorflow"}
)";

}  // namespace shapelint::test
