// The configuration parser ([tool.shapelint] in pyproject.toml, .shapelint.toml): toml++ and
// every key check, then what a parsed configuration does with a model path. The first byte
// chooses the file kind, the rest is the file.
#include "fuzz_support.hpp"
#include "shapelint/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shapelint;
  if (size == 0)
    return -1;
  bool pyproject = (data[0] & 1) != 0;
  std::string_view text = fuzz::as_text(data + 1, size - 1);
  config::ConfigError error;
  auto parsed = config::parse_config(
      text, pyproject ? "pyproject.toml" : ".shapelint.toml", pyproject, error);
  if (!parsed)
    return 0;
  fuzz::expect(error.message.empty(), "a parsed configuration has no error");
  for (const char* path : {"model.json", "models/a/b.keras", "x.h5", "-"}) {
    LintOptions options;
    config::configure_lint_options(*parsed, path, options);
    config::input_shapes_for(*parsed, path);
  }
  for (const auto& rule : parsed->input_shapes) {
    std::string why;
    fuzz::expect(config::glob_is_valid(rule.pattern, why), "accepted patterns are valid globs");
    config::glob_match(rule.pattern, "models/a/b.json");
  }
  return 0;
}
