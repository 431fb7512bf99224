// A model and --input-shape options: the declared pass, then the replay of the built model.
// An input starting with '#' carries its options on the first line ("#28x28x1 image=?x3 b=4");
// otherwise one of a few shapes is picked by the input's size, so plain JSON seeds work too.
#include <array>
#include <charconv>

#include "fuzz_support.hpp"
#include "shapelint/io/model_file.hpp"

namespace {

using namespace shapelint;

/// Options from the header line: `b=N` is the batch size, every other word an --input-shape.
void parse_header(std::string_view line, LintOptions& options) {
  while (!line.empty()) {
    std::size_t end = line.find(' ');
    std::string_view word = line.substr(0, end);
    line = end == std::string_view::npos ? std::string_view{} : line.substr(end + 1);
    if (word.empty())
      continue;
    if (word.substr(0, 2) == "b=") {
      std::int64_t batch = 0;
      auto [ptr, ec] = std::from_chars(word.data() + 2, word.data() + word.size(), batch);
      if (ec == std::errc{} && ptr == word.data() + word.size() && batch > 0)
        options.batch_size = batch;  // the CLI accepts positive numbers only
      continue;
    }
    std::string error;
    if (auto parsed = parse_input_shape_option(word, error))
      options.input_shapes.push_back(std::move(*parsed));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  LintOptions options = fuzz::fuzz_options();
  if (!text.empty() && text.front() == '#') {
    std::size_t eol = text.find('\n');
    parse_header(text.substr(1, eol == std::string_view::npos ? text.size() - 1 : eol - 1),
                 options);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
  } else {
    constexpr std::array<std::string_view, 8> kShapes{
        "28x28x1", "?x?x3", "1", "7,9", "64x64x3", "0x5", "9223372036854775807x2", "2x3x4x5"};
    std::string error;
    options.input_shapes.push_back(
        *parse_input_shape_option(kShapes[size % kShapes.size()], error));
  }
  if (options.input_shapes.empty() || io::sniff_container(text) != io::Container::text)
    return -1;
  FileReport report = lint_text(text, "fuzz.json", options);
  fuzz::check_report(report);
  fuzz::render_all(report);
  return 0;
}
