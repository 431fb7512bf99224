# Warnings apply to our own targets only, never to dependencies.
add_library(shapelint_warnings INTERFACE)
target_compile_options(shapelint_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2 -Wmisleading-indentation
  -Wsuggest-override
  # GCC only: clang (the fuzz build) rejects unknown warning options.
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op>
  # Designated initializers rely on member defaults; GCC would flag every omitted member.
  -Wno-missing-field-initializers
  # GCC 12 reports std::string concatenation as overlapping memcpy (GCC bug 105329).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  $<$<BOOL:${SHAPELINT_WERROR}>:-Werror>)
