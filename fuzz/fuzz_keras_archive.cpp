// `.keras` zip archives held in memory: libzip, the member limits, metadata.json, config.json,
// model.weights.h5 unpacked and read by the isolated HDF5 reader, and the weights check.
#include "fuzz_support.hpp"
#include "shapelint/io/model_file.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  shapelint::fuzz::let_children_crash_quietly();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return shapelint::fuzz::lint_one(data, size, shapelint::io::Container::zip, "fuzz.keras");
}
