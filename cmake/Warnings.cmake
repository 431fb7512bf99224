# Warnings apply to our own targets only, never to dependencies.
add_library(shapelint_warnings INTERFACE)
target_compile_options(shapelint_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough -Wformat=2 -Wmisleading-indentation
  -Wduplicated-cond -Wlogical-op -Wsuggest-override
  $<$<BOOL:${SHAPELINT_WERROR}>:-Werror>)
