// Bare JSON through the whole pipeline: parse, dialect detection, normalization, propagation,
// weight manifests (tfjs), finding locations, every renderer.
#include "fuzz_support.hpp"
#include "shapelint/io/model_file.hpp"

// Zip and HDF5 bytes have targets of their own; this corpus is text.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return shapelint::fuzz::lint_one(data, size, shapelint::io::Container::text, "fuzz.json");
}
