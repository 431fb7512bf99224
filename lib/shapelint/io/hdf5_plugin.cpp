// Finds and loads the HDF5 reader module (lib/hdf5_reader, built as shapelint-hdf5.so) on
// the first HDF5 file of a run. The main program does not link the HDF5 library: with its
// dependencies it is some thirty shared libraries, and resolving their symbols at start-up
// cost more than linting a small model. A run that meets no .h5 file never loads them.
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/io/installed_file.hpp"
#include "shapelint/io/readers.hpp"
#include <dlfcn.h>

namespace shapelint::io {

namespace {

using ReaderEntry = void (*)(const Source*, WeightsLayout, const ReadLimits*, Hdf5Contents*);

constexpr const char* kModuleName = "shapelint-hdf5.so";

/// Where the module may be: SHAPELINT_HDF5_READER (a path) when it is set, else beside the
/// running program (the build tree), in ../lib/shapelint beside it (an installed tree), and
/// where this build put it (test and fuzz programs live in directories of their own).
std::vector<std::filesystem::path> module_candidates() {
#ifdef SHAPELINT_HDF5_READER_BUILD_PATH
  const char* build_path = SHAPELINT_HDF5_READER_BUILD_PATH;
#else
  const char* build_path = nullptr;
#endif
  return installed_file_candidates("SHAPELINT_HDF5_READER", kModuleName, build_path);
}

struct LoadedModule {
  ReaderEntry entry = nullptr;
  std::string error;
};

LoadedModule load_module() {
  LoadedModule loaded;
  std::vector<std::string> tried;
  for (const auto& candidate : module_candidates()) {
    std::error_code ec;
    if (!std::filesystem::exists(candidate, ec)) {
      tried.push_back(candidate.string());
      continue;
    }
    // Never unloaded: the module lives as long as the process.
    void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      loaded.error = fmt::format("cannot load {}: {}", candidate.string(), why ? why : "?");
      return loaded;
    }
    loaded.entry = reinterpret_cast<ReaderEntry>(dlsym(handle, "shapelint_read_hdf5"));
    if (!loaded.entry)
      loaded.error = fmt::format("{} is not shapelint's HDF5 reader", candidate.string());
    return loaded;
  }
  loaded.error = fmt::format("shapelint's HDF5 reader ({}) is not installed; looked in {}",
                             kModuleName,
                             fmt::join(tried, ", "));
  return loaded;
}

const LoadedModule& module() {
  static const LoadedModule loaded = load_module();  // once, thread-safe
  return loaded;
}

}  // namespace

bool hdf5_reader_available(std::string& error) {
  const LoadedModule& m = module();
  error = m.error;
  return m.entry != nullptr;
}

Hdf5Contents read_hdf5_in_process(const Source& source,
                                  WeightsLayout layout,
                                  const ReadLimits& limits) {
  Hdf5Contents out;
  std::string error;
  if (!hdf5_reader_available(error)) {
    out.error = error;
    return out;
  }
  module().entry(&source, layout, &limits, &out);
  return out;
}

}  // namespace shapelint::io
