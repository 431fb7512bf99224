#include "shapelint/io/libzip.hpp"

#include <fmt/format.h>

#include <dlfcn.h>

namespace shapelint::io {

namespace {

struct Loaded {
  LibZip api;
  std::string error;
  bool ok = false;
};

/// The file this build linked against first (its real path), then the library's name for
/// the dynamic loader's own search.
void* open_library(std::string& error) {
  for (const char* name : {SHAPELINT_LIBZIP_PATH, SHAPELINT_LIBZIP_SONAME}) {
    // Never unloaded: the library lives as long as the process.
    if (void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL))
      return handle;
    const char* why = dlerror();
    error = fmt::format("cannot load libzip ({}): {}", name, why ? why : "?");
  }
  return nullptr;
}

Loaded load() {
  Loaded loaded;
  void* handle = open_library(loaded.error);
  if (!handle)
    return loaded;
  bool all = true;
#define SHAPELINT_LIBZIP_LOAD(name)                                            \
  loaded.api.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name)); \
  if (!loaded.api.name && all) {                                               \
    all = false;                                                               \
    loaded.error = fmt::format("libzip has no function {}", #name);            \
  }
  SHAPELINT_LIBZIP_FUNCTIONS(SHAPELINT_LIBZIP_LOAD)
#undef SHAPELINT_LIBZIP_LOAD
  loaded.ok = all;
  if (all)
    loaded.error.clear();
  return loaded;
}

}  // namespace

const LibZip* load_libzip(std::string& error) {
  static const Loaded loaded = load();  // once, thread-safe
  error = loaded.error;
  return loaded.ok ? &loaded.api : nullptr;
}

}  // namespace shapelint::io
