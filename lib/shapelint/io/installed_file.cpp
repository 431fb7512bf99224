#include "shapelint/io/installed_file.hpp"

#include <cstdlib>
#include <system_error>

namespace shapelint::io {

std::vector<std::filesystem::path> installed_file_candidates(const char* env_variable,
                                                             std::string_view file_name,
                                                             const char* build_path) {
  if (const char* env = std::getenv(env_variable); env && *env)
    return {std::filesystem::path(env)};
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back(exe.parent_path() / file_name);
    out.push_back(exe.parent_path().parent_path() / "lib" / "shapelint" / file_name);
  }
  if (build_path)
    out.emplace_back(build_path);
  return out;
}

}  // namespace shapelint::io
