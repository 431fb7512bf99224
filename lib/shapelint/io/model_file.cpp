// The container is decided by content: zip and HDF5 signatures, anything else is text.
#include "shapelint/io/model_file.hpp"

#include <array>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/io/readers.hpp"

namespace shapelint::io {

namespace {

constexpr std::string_view kHdf5Signature("\x89HDF\r\n\x1a\n", 8);

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

Container sniff_container(std::string_view head) {
  // A local file header, or the end-of-central-directory record of an empty archive.
  if (starts_with(head, std::string_view("PK\x03\x04", 4)) ||
      starts_with(head, std::string_view("PK\x05\x06", 4)))
    return Container::zip;
  // HDF5 looks for its superblock at 0 and at every power of two from 512 on (a user block
  // comes first); Keras never writes one, so the first few places are enough.
  for (std::size_t offset : std::array<std::size_t, 4>{0, 512, 1024, 2048})
    if (head.size() >= offset + kHdf5Signature.size() &&
        head.substr(offset, kHdf5Signature.size()) == kHdf5Signature)
      return Container::hdf5;
  return Container::text;
}

ModelFile read_model_bytes(std::string_view bytes, const ReadLimits& limits) {
  Source source{"<stdin>", bytes, true};
  switch (sniff_container(bytes)) {
    case Container::zip:
      return read_keras_archive(source, limits);
    case Container::hdf5:
      return read_hdf5_model(source, limits);
    case Container::text:
      break;
  }
  ModelFile out;
  out.format = "unknown";
  out.diagnostics.push_back(file_finding(rule::kUnreadable, "is neither a zip nor an HDF5 file"));
  return out;
}

ModelFile read_model_path(const std::string& path, Container container, const ReadLimits& limits) {
  Source source{path, {}, false};
  if (container == Container::zip)
    return read_keras_archive(source, limits);
  if (container == Container::hdf5)
    return read_hdf5_model(source, limits);
  ModelFile out;
  out.format = "unknown";
  out.diagnostics.push_back(file_finding(rule::kUnreadable, "is neither a zip nor an HDF5 file"));
  return out;
}

Diagnostic file_finding(std::string_view rule_id, std::string message, std::string hint) {
  const RuleInfo* info = find_rule_info(rule_id);
  return Diagnostic{.rule = std::string(rule_id),
                    .severity = info ? info->severity : Severity::error,
                    .layer = std::nullopt,
                    .message = std::move(message),
                    .hint = std::move(hint),
                    .json_path = ""};
}

}  // namespace shapelint::io
