#pragma once
// Internal to lib/shapelint/io: the two container readers behind model_file.hpp.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "shapelint/io/model_file.hpp"

namespace shapelint::io {

/// Where a container's bytes are: a file on disk, or a buffer (standard input, an archive
/// member). `path` names the file in messages either way.
struct Source {
  std::string path;
  std::string_view bytes;
  bool in_memory = false;
};

/// Which layout of weights an HDF5 file is read for.
enum class WeightsLayout {
  legacy_model,  ///< a `model.save()` .h5: `model_weights` with `layer_names`/`weight_names`
  keras_v3,      ///< a `.keras` archive's `model.weights.h5`: `layers/<name>/vars/<i>`
};

/// What an HDF5 file holds, as far as shapelint cares.
struct Hdf5Contents {
  bool opened = false;
  std::string error;  ///< why it could not be opened or read; empty when it was
  std::optional<std::string> model_config;
  std::optional<std::string> keras_version;
  std::optional<std::string> backend;
  bool weights_only = false;  ///< no model_config, but the layout of saved weights
  std::optional<std::vector<RecordedWeight>> weights;
  std::string weights_error;  ///< why the weights could not be read (the config still was)
};

/// Loads the HDF5 reader module (shapelint-hdf5.so, hdf5_plugin.cpp) unless it is loaded;
/// false, with `error` saying why, when it cannot be.
bool hdf5_reader_available(std::string& error);

/// Reads the HDF5 file in this process with the reader module: the HDF5 library trusts the
/// file's structure, so callers use `read_hdf5_isolated` unless they are that isolated
/// process.
Hdf5Contents read_hdf5_in_process(const Source& source,
                                  WeightsLayout layout,
                                  const ReadLimits& limits);

/// Reads the HDF5 file in a child process with CPU, memory and wall-clock limits, so that a
/// crash or hang of the HDF5 library on a hostile file becomes a finding, not the end of the run.
Hdf5Contents read_hdf5_isolated(const Source& source,
                                WeightsLayout layout,
                                const ReadLimits& limits);

/// A legacy `.h5` model (or an HDF5 file named otherwise).
ModelFile read_hdf5_model(const Source& source, const ReadLimits& limits);

/// A `.keras` zip archive: config.json, metadata.json, model.weights.h5.
ModelFile read_keras_archive(const Source& source, const ReadLimits& limits);

/// "1.5 MiB": sizes in messages (inline: the HDF5 reader module uses it too).
inline std::string readable_size(std::uint64_t bytes) {
  constexpr std::array<const char*, 5> kUnits{"bytes", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024)
    return fmt::format("{} bytes", bytes);
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

}  // namespace shapelint::io
