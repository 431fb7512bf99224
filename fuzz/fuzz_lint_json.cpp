// Bare JSON through the whole pipeline: parse, dialect detection, normalization, propagation,
// weight manifests (tfjs), finding locations, every renderer.
#include "fuzz_support.hpp"
#include "shapelint/io/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shapelint;
  std::string_view text = fuzz::as_text(data, size);
  // Zip and HDF5 bytes have targets of their own; keep this corpus to text.
  if (io::sniff_container(text) != io::Container::text)
    return -1;
  FileReport report = lint_text(text, "fuzz.json", fuzz::fuzz_options());
  fuzz::check_report(report);
  fuzz::render_all(report);
  return 0;
}
