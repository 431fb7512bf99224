// The --input-shape parser (parse_input_shape_option, parse_shape): never a crash, and what
// it accepts prints as a shape that parses back to itself.
#include "fuzz_support.hpp"
#include "shapelint/shape/shape.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shapelint;
  std::string_view text = fuzz::as_text(data, size);
  std::string error;
  auto option = parse_input_shape_option(text, error);
  fuzz::expect(option.has_value() == error.empty(), "an error message exactly when refused");
  if (option) {
    fuzz::expect(option->dims.has_rank() && option->dims.rank() > 0, "an accepted shape has dims");
    fuzz::expect(!option->input_name || !option->input_name->empty(), "a named input has a name");
  }
  if (auto shape = parse_shape(std::string(text))) {
    auto again = parse_shape(to_string(*shape));
    fuzz::expect(again && *again == *shape, "to_string(parse_shape(s)) parses back to the shape");
    for (Dim d : shape->dims())
      fuzz::expect(!d.is_known() || d.value() >= 0, "no negative dims");
  }
  return 0;
}
