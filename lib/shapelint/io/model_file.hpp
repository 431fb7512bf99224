#pragma once
// Reading the files people keep models in: a `.keras` zip archive, a legacy HDF5 `.h5`, or
// bare JSON. The container is told by content (magic bytes), never by the file name; what
// comes out is the model config's JSON text plus what the container itself records.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/diag/diagnostic.hpp"

namespace shapelint::io {

/// What a file is, from its first bytes.
enum class Container { text, zip, hdf5 };

/// Bytes needed by `sniff_container` to see every place an HDF5 signature may stand.
inline constexpr std::size_t kSniffBytes = 2048 + 8;

/// Zip (`PK\3\4`, or an empty archive), HDF5 (signature at 0, 512, 1024 or 2048: HDF5 allows
/// a user block before it), anything else is text for the JSON reader.
Container sniff_container(std::string_view head);

/// One weight variable recorded in a file: its shape only, never its data.
struct RecordedWeight {
  /// The layer's name: a legacy `.h5` names its groups by layer, a Keras >= 3.9 archive records
  /// it beside the variables; empty when the file does not say (older archives).
  std::string layer;
  /// The top-level group the weight is under: the layer's name in a legacy `.h5`; in an archive
  /// a key Keras derives from the layer's class ("dense", "dense_1", ...).
  std::string group;
  std::string weight;  ///< its path below the group ("dense_1/kernel:0", "vars/0", "cell/vars/1")
  std::vector<std::int64_t> shape;
};

/// Caps on what a hostile file can make us allocate or wait for.
struct ReadLimits {
  /// config.json / model_config / a JSON file: twice the 64 MiB a 100,000-layer Keras 3
  /// config takes (the size the speed targets are measured at).
  std::uint64_t max_config_bytes = std::uint64_t{128} << 20;
  std::uint64_t max_metadata_bytes = std::uint64_t{1} << 20;  ///< metadata.json, small attrs
  /// model.weights.h5 is unpacked to a temporary file up to this size; a larger one is not
  /// compared.
  std::uint64_t max_weights_file_bytes = std::uint64_t{4} << 30;
  /// Standard input is read whole (it may carry a whole archive), up to this size.
  std::uint64_t max_stdin_bytes = std::uint64_t{4} << 30;
  /// A member inflating to more than this many times its stored size is a zip bomb (Keras's
  /// own loader uses the same ratio)...
  std::uint64_t max_expansion = 100;
  /// ...once it is larger than this (tiny JSON files compress far better than 100:1).
  std::uint64_t expansion_floor_bytes = std::uint64_t{1} << 20;
  std::size_t max_weights = 1'000'000;  ///< weight records read from one file
  /// Members of a zip (a Keras archive has three, plus assets): libzip reads the whole
  /// central directory into memory when it opens one, so a larger count is refused first.
  std::uint64_t max_zip_members = 100'000;
  /// The HDF5 reader runs in a child process; it is killed past this wall-clock time.
  std::chrono::milliseconds hdf5_timeout{30'000};
  /// Address-space cap of that child (not applied under AddressSanitizer).
  std::uint64_t hdf5_memory_bytes = std::uint64_t{4} << 30;
  bool read_weights = true;  ///< also read the weight shapes, not only the config
};

/// A model file as read from its container.
struct ModelFile {
  Container container = Container::text;
  /// The contract's format name: "keras-archive" or "hdf5"; "unknown" for a zip that is not a
  /// Keras archive. Unused for text (the loader names the JSON dialect).
  std::string format;
  std::optional<std::string> config_text;  ///< the model config JSON, when the file has one
  std::string member;  ///< where config_text came from: "config.json", "model_config"
  std::optional<std::string> keras_version;  ///< metadata.json / HDF5 `keras_version`
  std::optional<std::string> backend;        ///< HDF5 `backend`
  /// Weight shapes the file records (`model.weights.h5`, the `model_weights` group); absent
  /// when the file has no weights or they could not be read.
  std::optional<std::vector<RecordedWeight>> weights;
  std::string weights_problem;  ///< why the recorded weights could not be read, if they could not
  Diagnostics diagnostics;      ///< reading findings: unreadable, refused, weights only
  bool not_a_model = false;     ///< readable, but holds no model config (weights only, plain zip)
};

/// Reads a zip or HDF5 file held in memory (standard input). Text is not handled here.
ModelFile read_model_bytes(std::string_view bytes, const ReadLimits& limits = {});

/// Reads a zip or HDF5 file from disk without loading it whole.
ModelFile read_model_path(const std::string& path,
                          Container container,
                          const ReadLimits& limits = {});

/// A file-level finding (no layer) with the catalogue's severity for `rule_id`.
Diagnostic file_finding(std::string_view rule_id, std::string message, std::string hint = {});

}  // namespace shapelint::io
