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
  using namespace shapelint;
  std::string_view bytes = fuzz::as_text(data, size);
  if (io::sniff_container(bytes) != io::Container::hdf5)
    return -1;
  FileReport report = lint_text(bytes, "fuzz.h5", fuzz::fuzz_options());
  fuzz::check_report(report);
  fuzz::render_all(report);
  return 0;
}
