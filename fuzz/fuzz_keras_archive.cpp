// `.keras` zip archives held in memory: libzip, the member limits, metadata.json, config.json,
// model.weights.h5 unpacked and read by the isolated HDF5 reader, and the weights check.
#include "fuzz_support.hpp"
#include "shapelint/io/model_file.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  shapelint::fuzz::let_children_crash_quietly();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shapelint;
  std::string_view bytes = fuzz::as_text(data, size);
  if (io::sniff_container(bytes) != io::Container::zip)
    return -1;
  FileReport report = lint_text(bytes, "fuzz.keras", fuzz::fuzz_options());
  fuzz::check_report(report);
  fuzz::render_all(report);
  return 0;
}
