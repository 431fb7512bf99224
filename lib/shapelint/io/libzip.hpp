#pragma once
// libzip, loaded on the first .keras archive of a run (libzip.cpp): it links OpenSSL's
// libcrypto, whose start-up work would otherwise be most of the time a small model takes.

#include <string>

#include <zip.h>

namespace shapelint::io {

// The libzip functions the archive reader calls.
#define SHAPELINT_LIBZIP_FUNCTIONS(X) \
  X(zip_open)                         \
  X(zip_open_from_source)             \
  X(zip_source_buffer_create)         \
  X(zip_source_free)                  \
  X(zip_error_init)                   \
  X(zip_error_init_with_code)         \
  X(zip_error_fini)                   \
  X(zip_error_strerror)               \
  X(zip_error_code_zip)               \
  X(zip_strerror)                     \
  X(zip_stat_init)                    \
  X(zip_stat_index)                   \
  X(zip_fopen_index)                  \
  X(zip_fread)                        \
  X(zip_fclose)                       \
  X(zip_file_strerror)                \
  X(zip_name_locate)                  \
  X(zip_discard)

/// The loaded functions, named as in <zip.h>.
struct LibZip {
#define SHAPELINT_LIBZIP_MEMBER(name) decltype(&::name) name = nullptr;
  SHAPELINT_LIBZIP_FUNCTIONS(SHAPELINT_LIBZIP_MEMBER)
#undef SHAPELINT_LIBZIP_MEMBER
};

/// libzip, loaded once per process; null with `error` set when it cannot be.
const LibZip* load_libzip(std::string& error);

}  // namespace shapelint::io
