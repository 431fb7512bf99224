#pragma once
// Builds small `.keras` archives and `.h5` files at test time, with the same libraries
// shapelint reads them with: libzip and the HDF5 C API. Nothing here is copied from a real
// model file; configs come from the project's samples/.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <hdf5.h>
#include <unistd.h>
#include <zip.h>

namespace shapelint::test {

namespace fs = std::filesystem;

/// A fresh directory for one test run's fixtures, removed at the end.
class FixtureDir {
 public:
  FixtureDir() {
    dir_ = fs::temp_directory_path() / ("shapelint-io-test-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  FixtureDir(const FixtureDir&) = delete;
  FixtureDir& operator=(const FixtureDir&) = delete;

  ~FixtureDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string sample(const std::string& relative) {
  return read_file(std::string(SHAPELINT_SOURCE_DIR) + "/samples/" + relative);
}

// ---- zip ------------------------------------------------------------------------------------

struct ZipMember {
  std::string name;
  std::string data;
  bool deflate = true;
};

/// Writes a zip archive holding `members`, in order.
inline void write_zip(const std::string& path, const std::vector<ZipMember>& members) {
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!za)
    throw std::runtime_error("zip_open failed for " + path);
  for (const auto& m : members) {
    // The member's bytes must outlive zip_close, which is when libzip reads them: `members`
    // does.
    zip_source_t* src = zip_source_buffer(za, m.data.data(), m.data.size(), 0);
    zip_int64_t index = zip_file_add(za, m.name.c_str(), src, ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(src);
      zip_discard(za);
      throw std::runtime_error("zip_file_add failed");
    }
    zip_set_file_compression(
        za, static_cast<zip_uint64_t>(index), m.deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  if (zip_close(za) != 0) {
    zip_discard(za);
    throw std::runtime_error("zip_close failed for " + path);
  }
}

inline void put_u32(std::string& bytes, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    bytes[at + static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

/// Rewrites the uncompressed size that the local header and the central directory declare for
/// `member`: what a hostile archive lies about.
inline void patch_declared_size(std::string& zip, const std::string& member, std::uint32_t size) {
  const std::string local("PK\x03\x04", 4), central("PK\x01\x02", 4);
  for (std::size_t at = zip.find(local); at != std::string::npos; at = zip.find(local, at + 4)) {
    std::size_t name_len = static_cast<unsigned char>(zip[at + 26]) |
                           static_cast<std::size_t>(static_cast<unsigned char>(zip[at + 27])) << 8;
    if (zip.compare(at + 30, name_len, member) == 0)
      put_u32(zip, at + 22, size);
  }
  for (std::size_t at = zip.find(central); at != std::string::npos;
       at = zip.find(central, at + 4)) {
    std::size_t name_len = static_cast<unsigned char>(zip[at + 28]) |
                           static_cast<std::size_t>(static_cast<unsigned char>(zip[at + 29])) << 8;
    if (zip.compare(at + 46, name_len, member) == 0)
      put_u32(zip, at + 24, size);
  }
}

// ---- HDF5 -----------------------------------------------------------------------------------

enum class StringKind { variable, fixed };

/// A string attribute as h5py writes it: `str` variable-length UTF-8, `bytes` fixed-length.
inline void write_string_attr(hid_t loc,
                              const std::string& name,
                              const std::string& value,
                              StringKind kind = StringKind::variable) {
  hid_t type = H5Tcopy(H5T_C_S1);
  hid_t space = H5Screate(H5S_SCALAR);
  if (kind == StringKind::variable) {
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t attr = H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
    const char* p = value.c_str();
    H5Awrite(attr, type, &p);
    H5Aclose(attr);
  } else {
    H5Tset_size(type, value.empty() ? 1 : value.size());
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    hid_t attr = H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
    std::string padded = value.empty() ? std::string(1, '\0') : value;
    H5Awrite(attr, type, padded.data());
    H5Aclose(attr);
  }
  H5Sclose(space);
  H5Tclose(type);
}

/// A list of fixed-length byte strings, as h5py writes a numpy `S` array (`layer_names`).
inline void write_string_list_attr(hid_t loc,
                                   const std::string& name,
                                   const std::vector<std::string>& values) {
  std::size_t width = 1;
  for (const auto& v : values)
    width = std::max(width, v.size());
  std::string packed(width * values.size(), '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    packed.replace(i * width, values[i].size(), values[i]);
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, width);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  hsize_t dims[1] = {values.size()};
  hid_t space = H5Screate_simple(1, dims, nullptr);
  hid_t attr = H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attr, type, packed.data());
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}

inline void write_int_attr(hid_t loc, const std::string& name, int value) {
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(loc, name.c_str(), H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attr, H5T_NATIVE_INT, &value);
  H5Aclose(attr);
  H5Sclose(space);
}

/// An empty float64 array attribute: what numpy gives h5py for a weightless layer's
/// `weight_names`.
inline void write_empty_array_attr(hid_t loc, const std::string& name) {
  hsize_t dims[1] = {0};
  hid_t space = H5Screate_simple(1, dims, nullptr);
  hid_t attr = H5Acreate2(loc, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Aclose(attr);
  H5Sclose(space);
}

/// An empty float dataset of `shape` at `path` below `loc` (intermediate groups created): the
/// shape is all shapelint reads, so no data is written.
inline void write_weight(hid_t loc, const std::string& path, const std::vector<hsize_t>& shape) {
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t space = shape.empty()
                    ? H5Screate(H5S_SCALAR)
                    : H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr);
  hid_t ds = H5Dcreate2(loc, path.c_str(), H5T_NATIVE_FLOAT, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Dclose(ds);
  H5Sclose(space);
  H5Pclose(lcpl);
}

/// One layer's weights in the legacy `model_weights` layout: name → shape.
struct LegacyLayer {
  std::string name;
  std::vector<std::pair<std::string, std::vector<hsize_t>>> weights;
};

/// Writes the legacy layout (`layer_names`, per layer `weight_names` and datasets) below `loc`.
inline void write_legacy_weights(hid_t loc, const std::vector<LegacyLayer>& layers) {
  std::vector<std::string> names;
  for (const auto& l : layers)
    names.push_back(l.name);
  write_string_list_attr(loc, "layer_names", names);
  for (const auto& l : layers) {
    hid_t g = H5Gcreate2(loc, l.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<std::string> weight_names;
    for (const auto& [w, shape] : l.weights) {
      weight_names.push_back(w);
      write_weight(g, w, shape);
    }
    if (weight_names.empty())
      write_empty_array_attr(g, "weight_names");
    else
      write_string_list_attr(g, "weight_names", weight_names);
    H5Gclose(g);
  }
}

/// What goes into a legacy `.h5` model file.
struct H5Model {
  std::optional<std::string> model_config;
  StringKind kind = StringKind::variable;
  std::optional<std::string> keras_version = "2.15.0";
  std::optional<std::string> backend = "tensorflow";
  std::vector<LegacyLayer> weights;  ///< written under model_weights when not empty
  bool weights_at_root = false;      ///< save_weights layout: no model_weights group
};

inline void write_h5(const std::string& path, const H5Model& m) {
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0)
    throw std::runtime_error("H5Fcreate failed for " + path);
  if (m.model_config)
    write_string_attr(file, "model_config", *m.model_config, m.kind);
  if (m.keras_version)
    write_string_attr(file, "keras_version", *m.keras_version);
  if (m.backend)
    write_string_attr(file, "backend", *m.backend);
  if (m.weights_at_root) {
    write_legacy_weights(file, m.weights);
  } else if (!m.weights.empty()) {
    hid_t g = H5Gcreate2(file, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    write_legacy_weights(g, m.weights);
    H5Gclose(g);
  }
  H5Fclose(file);
}

/// One top-level group of a Keras 3 `model.weights.h5`.
struct V3Layer {
  std::string group;                ///< "dense", "dense_1": Keras keys groups by class
  std::optional<std::string> name;  ///< the layer name Keras >= 3.9 writes on `vars`
  /// Paths below the group ("vars/0", "cell/vars/1") and their shapes.
  std::vector<std::pair<std::string, std::vector<hsize_t>>> weights;
};

/// Writes a Keras 3 `model.weights.h5` (`layers/<group>/vars/<i>`) to `path`; tf.keras
/// 2.13-2.15 wrote the groups under `_layer_checkpoint_dependencies` instead (`root`).
inline void write_v3_weights(const std::string& path,
                             const std::vector<V3Layer>& layers,
                             const std::string& root = "layers") {
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  for (const auto& layer : layers) {
    std::string vars_path = root + "/" + layer.group + "/vars";
    hid_t vars = H5Gcreate2(file, vars_path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (layer.name)
      write_string_attr(vars, "name", *layer.name);
    H5Gclose(vars);
    for (const auto& [relative, shape] : layer.weights)
      write_weight(file, root + "/" + layer.group + "/" + relative, shape);
  }
  H5Pclose(lcpl);
  H5Fclose(file);
}

}  // namespace shapelint::test
