#pragma once
// A finding that one of shapelint's safety limits produced names the setting that raises it
// (`--limit NAME=VALUE`, or the configuration's `limits` table): a genuine model past a
// limit is then one option away from being checked, not a rebuild. Every such message says
// "shapelint's limit (NAME)"; where a message reaches its finding only as text (the HDF5
// reader's, from a child process), `limit_in` reads the name back for the hint.

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace shapelint {

/// "shapelint's limit (max-weights)": how a message names the limit it hit.
inline std::string limit_note(std::string_view setting) {
  return fmt::format("shapelint's limit ({})", setting);
}

/// The setting a message built with limit_note names, or empty.
inline std::string_view limit_in(std::string_view message) {
  constexpr std::string_view kMark = "shapelint's limit (";
  std::size_t at = message.find(kMark);
  if (at == std::string_view::npos)
    return {};
  std::string_view rest = message.substr(at + kMark.size());
  std::size_t end = rest.find(')');
  return end == std::string_view::npos ? std::string_view{} : rest.substr(0, end);
}

/// `base` ("no Keras model has this many layers: check that ...") followed by how to raise
/// the limit `setting`, its value written as the setting's unit ("N", "SIZE", "DURATION").
inline std::string raise_limit_hint(std::string_view base, std::string_view setting) {
  std::string_view value = "N";
  if (setting.ends_with("-size") || setting == "hdf5-memory")
    value = "SIZE";
  else if (setting == "hdf5-timeout")
    value = "DURATION";
  return fmt::format(
      "{}; if the file is genuine, raise the limit with --limit {}={}", base, setting, value);
}

/// `base` as the hint of a finding whose `message` may name a limit: with how to raise it
/// when it does.
inline std::string hint_for_limit(std::string_view message, std::string_view base) {
  std::string_view setting = limit_in(message);
  return setting.empty() ? std::string(base) : raise_limit_hint(base, setting);
}

}  // namespace shapelint
