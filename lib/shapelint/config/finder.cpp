// Which configuration file applies to a model: walking up from its directory, once per
// directory per run.
#include <system_error>

#include "shapelint/config/config.hpp"

namespace shapelint::config {

namespace fs = std::filesystem;

std::string shown_path(const fs::path& path) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  fs::path absolute = fs::absolute(path, ec).lexically_normal();
  if (!ec) {
    fs::path relative = absolute.lexically_relative(cwd);
    if (!relative.empty() && *relative.begin() != "..")
      return relative.generic_string();
  }
  return path.generic_string();
}

const CustomLayerRule* CustomLayerRules::find(std::string_view class_name) const {
  if (auto it = by_class.find(class_name); it != by_class.end())
    return &it->second;
  // tf.keras 2 writes a registered class as `Package>Name`.
  if (auto gt = class_name.rfind('>'); gt != std::string_view::npos)
    if (auto it = by_class.find(class_name.substr(gt + 1)); it != by_class.end())
      return &it->second;
  return nullptr;
}

ConfigFinder ConfigFinder::none() {
  return ConfigFinder(Mode::none);
}

ConfigFinder ConfigFinder::discover() {
  return ConfigFinder(Mode::discover);
}

std::optional<ConfigFinder> ConfigFinder::from_file(const fs::path& file, ConfigError& error) {
  auto config = load_config_file(file, error);
  if (!config) {
    if (error.message.empty()) {  // a pyproject.toml without our table, named on purpose
      error.file = shown_path(file);
      error.key = "tool.shapelint";
      error.message = "missing: this pyproject.toml has no [tool.shapelint] table";
    }
    return std::nullopt;
  }
  ConfigFinder finder(Mode::explicit_file);
  finder.explicit_ = std::make_shared<const Config>(std::move(*config));
  return finder;
}

bool ConfigFinder::find(const std::string& model_path,
                        std::shared_ptr<const Config>& config,
                        ConfigError& error) {
  config = nullptr;
  if (mode_ == Mode::none)
    return true;
  if (mode_ == Mode::explicit_file) {
    config = explicit_;
    return true;
  }
  std::error_code ec;
  fs::path directory =
      model_path == "-" ? fs::current_path(ec) : fs::absolute(model_path, ec).parent_path();
  if (ec)
    return true;  // nowhere to start from: no configuration
  return config_of_directory(directory.lexically_normal(), config, error);
}

bool ConfigFinder::config_of_directory(const fs::path& directory,
                                       std::shared_ptr<const Config>& config,
                                       ConfigError& error) {
  std::vector<fs::path> visited;
  std::shared_ptr<const Config> found;
  for (fs::path dir = directory;;) {
    if (auto it = cache_.find(dir); it != cache_.end()) {
      found = it->second;
      break;
    }
    visited.push_back(dir);
    std::error_code ec;
    // The dedicated file wins over the shared one, as ruff's .ruff.toml over pyproject.toml.
    for (const char* name : {".shapelint.toml", "pyproject.toml"}) {
      fs::path candidate = dir / name;
      if (!fs::is_regular_file(candidate, ec))
        continue;
      auto parsed = load_config_file(candidate, error);
      if (!parsed && !error.message.empty())
        return false;
      if (parsed) {
        found = std::make_shared<const Config>(std::move(*parsed));
        break;
      }
    }
    fs::path parent = dir.parent_path();
    if (found || parent == dir || parent.empty())
      break;
    dir = parent;
  }
  for (const auto& dir : visited)
    cache_[dir] = found;
  config = found;
  return true;
}

}  // namespace shapelint::config
