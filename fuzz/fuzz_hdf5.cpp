// Legacy `.h5` models held in memory, read by the real isolation: a forked child with CPU,
// memory and time limits runs the HDF5 library; its answer goes through the whole pipeline.
// A crash of the HDF5 library in the child is a finding, not a crash of this process.
#include "fuzz_support.hpp"
#include "shapelint/io/model_file.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  shapelint::fuzz::let_children_crash_quietly();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return shapelint::fuzz::lint_one(data, size, shapelint::io::Container::hdf5, "fuzz.h5");
}
