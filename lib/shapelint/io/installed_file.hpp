#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

namespace shapelint::io {

/// Where a file installed with shapelint (the container reader, the HDF5 module) may be, in
/// the order to try: only `$env_variable` when it is set; else beside the running program
/// (the build tree), in `../lib/shapelint/` from it (an installed tree), and at `build_path`
/// (when not null: where the build put it, for programs run from elsewhere, such as tests).
std::vector<std::filesystem::path> installed_file_candidates(const char* env_variable,
                                                             std::string_view file_name,
                                                             const char* build_path);

}  // namespace shapelint::io
