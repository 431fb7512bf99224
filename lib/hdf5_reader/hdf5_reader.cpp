// The HDF5 reader, a module of its own (shapelint-hdf5.so) that shapelint loads only when a
// file needs it: the HDF5 library brings some thirty shared libraries (curl, Kerberos, LDAP)
// whose loading would otherwise be most of the start-up time of every run.
//
// Legacy HDF5 models: the `model_config`, `keras_version` and `backend` root attributes that
// tf.keras 2 and Keras 3's legacy writer store (keras/src/legacy/saving/legacy_h5_format.py),
// and the shapes of the weights (never their data).
//
// The HDF5 library follows the offsets and sizes a file declares, so a hostile file can make
// it read out of bounds, loop or allocate without end. Every read here checks sizes first, the
// library's error printing is off (errors become findings), links to other files are refused,
// and `read_hdf5_isolated` runs all of it in a child process with limits (hdf5_isolation.cpp).
#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "shapelint/diag/limit_hint.hpp"
#include "shapelint/io/readers.hpp"
#include <hdf5.h>

namespace shapelint::io {

namespace {

/// Owns one HDF5 identifier and closes it with the matching H5xclose.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle(hid_t id, Closer close) : id_(id), close_(close) {}

  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }

  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle& operator=(Handle&&) = delete;

  ~Handle() {
    if (id_ >= 0)
      close_(id_);
  }

  hid_t get() const { return id_; }

  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  Closer close_;
};

/// The innermost message of the HDF5 error stack: the most specific ("truncated file: ...").
std::string take_hdf5_error() {
  std::string innermost;
  H5Ewalk2(
      H5E_DEFAULT,
      H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        if (e->desc && *e->desc)
          *static_cast<std::string*>(data) = e->desc;
        return 0;
      },
      &innermost);
  H5Eclear2(H5E_DEFAULT);
  return innermost.empty() ? "the HDF5 library could not read it" : innermost;
}

/// External links would make the library open other files named inside this one.
herr_t refuse_external_link(
    const char*, const char*, const char*, const char*, unsigned*, hid_t, void*) {
  return -1;
}

/// Access property lists for every open (links, datasets and groups each take their own
/// class): no external links, short soft-link chains.
struct Access {
  Handle link{H5Pcreate(H5P_LINK_ACCESS), H5Pclose};
  Handle dataset{H5Pcreate(H5P_DATASET_ACCESS), H5Pclose};
  Handle group{H5Pcreate(H5P_GROUP_ACCESS), H5Pclose};

  Access() {
    for (hid_t list : {link.get(), dataset.get(), group.get()}) {
      if (list < 0)
        continue;
      H5Pset_elink_cb(list, refuse_external_link, nullptr);
      H5Pset_nlinks(list, 4);
    }
  }
};

/// Whether `name` is a direct child of `loc` reached through a hard link.
bool has_hard_link(hid_t loc, const char* name) {
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  H5L_info_t info;
  if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  return info.type == H5L_TYPE_HARD;
}

/// Frees the strings H5Aread allocated for a variable-length string read.
void reclaim_strings(hid_t memtype, hid_t space, std::vector<char*>& buffer) {
#if H5_VERSION_GE(1, 12, 0)
  H5Treclaim(memtype, space, H5P_DEFAULT, buffer.data());
#else
  H5Dvlen_reclaim(memtype, space, H5P_DEFAULT, buffer.data());
#endif
}

/// The text of one fixed-length string element: up to its first NUL, trailing pad removed.
std::string fixed_string(const char* data, std::size_t size, H5T_str_t pad) {
  std::size_t n = strnlen(data, size);
  std::string s(data, n);
  if (pad == H5T_STR_SPACEPAD)
    while (!s.empty() && s.back() == ' ')
      s.pop_back();
  return s;
}

/// A cap on what one attribute may hold, and the limit setting it comes from: a message that
/// refuses an attribute names it, so that a genuine file is one option away from being read.
struct Cap {
  std::uint64_t value;
  const char* setting;  ///< null when the cap is not a setting (a single string's one element)
};

/// ", shapelint's limit (NAME)" for a cap that is a setting.
std::string cap_note(const Cap& cap) {
  return cap.setting ? ", " + shapelint::limit_note(cap.setting) : std::string{};
}

/// Reads a string attribute (scalar or a list; fixed or variable length; h5py writes `str` as
/// variable-length UTF-8 and `bytes` as fixed-length). Nullopt with `error` set when it is
/// there but cannot be read; nullopt with `error` empty when it is absent.
std::optional<std::vector<std::string>> read_string_attribute(
    hid_t loc, const char* name, Cap bytes, Cap elements, std::string& error) {
  const std::uint64_t max_bytes = bytes.value;
  const std::uint64_t max_elements = elements.value;
  error.clear();
  htri_t exists = H5Aexists(loc, name);
  if (exists <= 0) {
    if (exists < 0)
      error = take_hdf5_error();
    return std::nullopt;
  }
  Handle attr(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) {
    error = take_hdf5_error();
    return std::nullopt;
  }
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  if (!type.ok() || !space.ok()) {
    error = take_hdf5_error();
    return std::nullopt;
  }
  hssize_t points = H5Sget_simple_extent_npoints(space.get());
  if (points < 0 || static_cast<std::uint64_t>(points) > max_elements) {
    error = fmt::format("the '{}' attribute has {} elements, more than the {} read{}",
                        name,
                        points,
                        max_elements,
                        cap_note(elements));
    return std::nullopt;
  }
  // numpy writes an empty list as an empty float array (a weightless layer's `weight_names`).
  if (points == 0)
    return std::vector<std::string>{};
  if (H5Tget_class(type.get()) != H5T_STRING) {
    error = fmt::format("the '{}' attribute is not a string", name);
    return std::nullopt;
  }
  auto count = static_cast<std::size_t>(points);
  std::vector<std::string> out;
  out.reserve(count);
  htri_t variable = H5Tis_variable_str(type.get());
  if (variable < 0) {
    error = take_hdf5_error();
    return std::nullopt;
  }
  if (variable > 0) {
    Handle memtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memtype.get(), H5T_VARIABLE);
    H5Tset_cset(memtype.get(), H5Tget_cset(type.get()));
    std::vector<char*> buffer(count, nullptr);
    if (count > 0 && H5Aread(attr.get(), memtype.get(), buffer.data()) < 0) {
      error = take_hdf5_error();
      return std::nullopt;
    }
    std::uint64_t total = 0;
    for (char* s : buffer) {
      std::size_t n = s ? strnlen(s, max_bytes + 1) : 0;
      total += n;
      if (total > max_bytes)
        break;
      out.emplace_back(s ? s : "", n);
    }
    if (count > 0)
      reclaim_strings(memtype.get(), space.get(), buffer);
    if (total > max_bytes) {
      error = fmt::format("the '{}' attribute holds more than {}{}: refusing it",
                          name,
                          readable_size(max_bytes),
                          cap_note(bytes));
      return std::nullopt;
    }
    return out;
  }
  std::size_t element = H5Tget_size(type.get());
  if (element == 0 || (count > 0 && element > max_bytes / count)) {
    error = fmt::format("the '{}' attribute declares {} elements of {} bytes, more than {}{}",
                        name,
                        count,
                        element,
                        readable_size(max_bytes),
                        cap_note(bytes));
    return std::nullopt;
  }
  Handle memtype(H5Tcopy(type.get()), H5Tclose);
  std::vector<char> buffer(element * count + 1, '\0');
  if (count > 0 && H5Aread(attr.get(), memtype.get(), buffer.data()) < 0) {
    error = take_hdf5_error();
    return std::nullopt;
  }
  H5T_str_t pad = H5Tget_strpad(type.get());
  for (std::size_t i = 0; i < count; ++i)
    out.push_back(fixed_string(buffer.data() + i * element, element, pad));
  return out;
}

/// One string attribute that must hold exactly one string.
std::optional<std::string> read_single_string(hid_t loc,
                                              const char* name,
                                              Cap bytes,
                                              std::string& error) {
  auto values = read_string_attribute(loc, name, bytes, Cap{1, nullptr}, error);
  if (!values)
    return std::nullopt;
  if (values->size() != 1) {
    error = fmt::format("the '{}' attribute is not a single string", name);
    return std::nullopt;
  }
  return std::move(values->front());
}

/// A list attribute Keras may split into `name0`, `name1`, ... when it outgrows HDF5's 64 KiB
/// attribute header (legacy_h5_format.py save_attributes_to_hdf5_group).
std::optional<std::vector<std::string>> read_chunked_list(hid_t loc,
                                                          const std::string& name,
                                                          const ReadLimits& limits,
                                                          std::string& error) {
  const Cap bytes{limits.max_config_bytes, "max-config-size"};
  const Cap entries{limits.max_weights, "max-weights"};
  auto whole = read_string_attribute(loc, name.c_str(), bytes, entries, error);
  if (whole || !error.empty())
    return whole;
  std::vector<std::string> out;
  for (std::size_t chunk = 0;; ++chunk) {
    std::string chunk_name = fmt::format("{}{}", name, chunk);
    auto part = read_string_attribute(loc, chunk_name.c_str(), bytes, entries, error);
    if (!part) {
      if (!error.empty())
        return std::nullopt;
      break;
    }
    if (out.size() + part->size() > limits.max_weights) {
      error = fmt::format("more than {} '{}' entries, {}",
                          limits.max_weights,
                          name,
                          shapelint::limit_note("max-weights"));
      return std::nullopt;
    }
    out.insert(out.end(), part->begin(), part->end());
  }
  if (out.empty())
    return std::nullopt;
  return out;
}

/// The shape of an open dataset: its dataspace only, never its data.
std::optional<std::vector<std::int64_t>> open_dataset_shape(hid_t dataset,
                                                            const std::string& name,
                                                            std::string& error) {
  Handle space(H5Dget_space(dataset), H5Sclose);
  int rank = space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (rank < 0 || rank > H5S_MAX_RANK) {
    error = fmt::format("weight '{}': {}", name, take_hdf5_error());
    return std::nullopt;
  }
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0) {
    error = fmt::format("weight '{}': {}", name, take_hdf5_error());
    return std::nullopt;
  }
  std::vector<std::int64_t> shape;
  for (hsize_t d : dims) {
    if (d > static_cast<hsize_t>(INT64_MAX)) {
      error = fmt::format("weight '{}' declares a dimension of {}", name, d);
      return std::nullopt;
    }
    shape.push_back(static_cast<std::int64_t>(d));
  }
  return shape;
}

/// The shape of the dataset at `name` (a path) below `loc`.
std::optional<std::vector<std::int64_t>> dataset_shape(hid_t loc,
                                                       const std::string& name,
                                                       const Access& access,
                                                       std::string& error) {
  Handle dataset(H5Dopen2(loc, name.c_str(), access.dataset.get()), H5Dclose);
  if (!dataset.ok()) {
    error = fmt::format("weight '{}': {}", name, take_hdf5_error());
    return std::nullopt;
  }
  return open_dataset_shape(dataset.get(), name, error);
}

/// Legacy layout: `model_weights` (or the root, for save_weights files) lists its layers in
/// `layer_names`, each layer group its weights in `weight_names`, paths relative to the group.
std::optional<std::vector<RecordedWeight>> read_legacy_weights(hid_t weights_root,
                                                               const Access& access,
                                                               const ReadLimits& limits,
                                                               std::string& error) {
  auto layers = read_chunked_list(weights_root, "layer_names", limits, error);
  if (!layers)
    return std::nullopt;
  std::vector<RecordedWeight> out;
  for (const auto& layer : *layers) {
    if (layer.empty() || !has_hard_link(weights_root, layer.c_str()))
      continue;  // Keras lists weightless layers too; some writers omit their groups
    Handle group(H5Gopen2(weights_root, layer.c_str(), access.group.get()), H5Gclose);
    if (!group.ok()) {
      error = fmt::format("layer '{}': {}", layer, take_hdf5_error());
      return std::nullopt;
    }
    auto names = read_chunked_list(group.get(), "weight_names", limits, error);
    if (!names) {
      if (!error.empty())
        return std::nullopt;
      continue;
    }
    for (const auto& name : *names) {
      if (out.size() >= limits.max_weights) {
        error = fmt::format(
            "more than {} weights, {}", limits.max_weights, shapelint::limit_note("max-weights"));
        return std::nullopt;
      }
      auto shape = dataset_shape(group.get(), name, access, error);
      if (!shape)
        return std::nullopt;
      out.push_back(RecordedWeight{layer, layer, name, std::move(*shape)});
    }
  }
  return out;
}

/// The names of a group's hard-linked members, in HDF5's name order.
std::vector<std::string> member_names(hid_t group, std::size_t max_members, bool& too_many) {
  struct Collect {
    std::vector<std::string> names;
    std::size_t max = 0;
    bool too_many = false;
  } collect{{}, max_members, false};

  hsize_t index = 0;
  // Unversioned names: HDF5's API macros map them onto 1.10's and 1.12's versions alike.
  H5Literate(
      group,
      H5_INDEX_NAME,
      H5_ITER_INC,
      &index,
      [](hid_t, const char* name, const H5L_info_t* info, void* data) -> herr_t {
        auto* c = static_cast<Collect*>(data);
        if (c->names.size() >= c->max) {
          c->too_many = true;
          return 1;
        }
        if (info->type == H5L_TYPE_HARD)
          c->names.emplace_back(name);
        return 0;
      },
      &collect);
  H5Eclear2(H5E_DEFAULT);
  too_many = collect.too_many;
  return std::move(collect.names);
}

/// Orders `vars/0`, `vars/1`, ..., `vars/10` by number (HDF5 sorts names as text).
bool numeric_less(const std::string& a, const std::string& b) {
  std::int64_t x = 0, y = 0;
  auto [pa, ea] = std::from_chars(a.data(), a.data() + a.size(), x);
  auto [pb, eb] = std::from_chars(b.data(), b.data() + b.size(), y);
  bool a_number = ea == std::errc() && pa == a.data() + a.size();
  bool b_number = eb == std::errc() && pb == b.data() + b.size();
  if (a_number && b_number)
    return x < y;
  if (a_number != b_number)
    return a_number;
  return a < b;
}

struct V3Walk {
  const Access& access;
  const ReadLimits& limits;
  std::string layer_name;  ///< the `name` Keras >= 3.9 writes on the layer's `vars` group
  std::vector<RecordedWeight>& out;
  std::string& error;
  std::size_t visited = 0;
};

/// Keras 3 layout below one top-level layer: `vars/<i>` datasets, and sublayers (a wrapped
/// layer, an RNN cell, a nested model's `layers/<name>`) as further groups.
bool walk_v3_layer(
    V3Walk& walk, hid_t group, const std::string& layer, const std::string& prefix, int depth) {
  // Each nested model adds two groups (`layers/<name>`), a wrapper one or two: deep enough
  // for the deepest model the loader may be allowed to read (max-model-depth and
  // max-wrapper-depth at their ceilings, 256 and 12), and still a small stack.
  constexpr int kMaxDepth = 1024;
  if (depth > kMaxDepth) {
    walk.error = fmt::format("layer '{}' nests more than {} levels", layer, kMaxDepth);
    return false;
  }
  bool too_many = false;
  auto names = member_names(group, walk.limits.max_weights, too_many);
  std::sort(names.begin(), names.end(), numeric_less);
  for (const auto& name : names) {
    if (++walk.visited > walk.limits.max_weights || too_many) {
      walk.error = fmt::format("more than {} objects in the weights file, {}",
                               walk.limits.max_weights,
                               shapelint::limit_note("max-weights"));
      return false;
    }
    std::string path = prefix + name;
    Handle object(H5Oopen(group, name.c_str(), walk.access.link.get()), H5Oclose);
    if (!object.ok()) {
      walk.error = fmt::format("layer '{}', '{}': {}", layer, path, take_hdf5_error());
      return false;
    }
    H5I_type_t kind = H5Iget_type(object.get());
    if (kind == H5I_DATASET) {
      auto shape = open_dataset_shape(object.get(), path, walk.error);
      if (!shape)
        return false;
      walk.out.push_back(RecordedWeight{walk.layer_name, layer, path, std::move(*shape)});
    } else if (kind == H5I_GROUP) {
      if (!walk_v3_layer(walk, object.get(), layer, path + "/", depth + 1))
        return false;
    }
  }
  return true;
}

/// The layer name Keras >= 3.9 records on a layer's `vars` group; empty when it does not.
std::string recorded_layer_name(hid_t layer_group, const Access& access, const ReadLimits& limits) {
  if (!has_hard_link(layer_group, "vars"))
    return {};
  Handle vars(H5Gopen2(layer_group, "vars", access.group.get()), H5Gclose);
  if (!vars.ok()) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  std::string error;
  return read_single_string(
             vars.get(), "name", Cap{limits.max_metadata_bytes, "max-metadata-size"}, error)
      .value_or("");
}

/// Keras 3 (`layers/`) or Keras 2.13-2.15 (`_layer_checkpoint_dependencies/`) weights files.
std::optional<std::vector<RecordedWeight>> read_v3_weights(hid_t file,
                                                           const Access& access,
                                                           const ReadLimits& limits,
                                                           std::string& error) {
  const char* root_name = has_hard_link(file, "layers") ? "layers"
                          : has_hard_link(file, "_layer_checkpoint_dependencies")
                              ? "_layer_checkpoint_dependencies"
                              : nullptr;
  if (!root_name)
    return std::nullopt;
  Handle root(H5Gopen2(file, root_name, access.group.get()), H5Gclose);
  if (!root.ok()) {
    error = take_hdf5_error();
    return std::nullopt;
  }
  std::vector<RecordedWeight> out;
  V3Walk walk{access, limits, {}, out, error};
  bool too_many = false;
  for (const auto& layer : member_names(root.get(), limits.max_weights, too_many)) {
    Handle group(H5Gopen2(root.get(), layer.c_str(), access.group.get()), H5Gclose);
    if (!group.ok()) {
      H5Eclear2(H5E_DEFAULT);
      continue;  // a dataset where a layer group should be: nothing to compare
    }
    walk.layer_name = recorded_layer_name(group.get(), access, limits);
    if (!walk_v3_layer(walk, group.get(), layer, "", 0))
      return std::nullopt;
  }
  if (too_many) {
    error = fmt::format("more than {} layers in the weights file, {}",
                        limits.max_weights,
                        shapelint::limit_note("max-weights"));
    return std::nullopt;
  }
  return out;
}

/// Opens the file read-only, from disk or from the bytes in memory; on failure says why (taken
/// at once: every later HDF5 call, even a close, clears the error stack).
hid_t open_file(const Source& source, std::string& error) {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.ok()) {
    error = take_hdf5_error();
    return -1;
  }
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
#if H5_VERSION_GE(1, 10, 7)
  // Locking needs write access to lock files on some file systems; we only read.
  H5Pset_file_locking(fapl.get(), false, true);
#endif
  hid_t file = -1;
  if (source.in_memory) {
    H5Pset_fapl_core(fapl.get(), 1 << 16, false);
    // Copies the image: the library gets a buffer of its own.
    if (H5Pset_file_image(
            fapl.get(), const_cast<char*>(source.bytes.data()), source.bytes.size()) >= 0)
      file = H5Fopen("in-memory.h5", H5F_ACC_RDONLY, fapl.get());
  } else {
    file = H5Fopen(source.path.c_str(), H5F_ACC_RDONLY, fapl.get());
  }
  if (file < 0)
    error = take_hdf5_error();
  return file;
}

/// Whether a file without model_config has the layout of saved weights.
bool looks_like_weights(hid_t file) {
  if (H5Aexists(file, "layer_names") > 0)
    return true;
  H5Eclear2(H5E_DEFAULT);
  return has_hard_link(file, "layers") || has_hard_link(file, "_layer_checkpoint_dependencies") ||
         has_hard_link(file, "model_weights") || has_hard_link(file, "vars");
}

}  // namespace

}  // namespace shapelint::io

namespace {

using namespace shapelint::io;

Hdf5Contents read_hdf5_file(const Source& source, WeightsLayout layout, const ReadLimits& limits) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Hdf5Contents out;
  std::string open_error;
  Handle file(open_file(source, open_error), H5Fclose);
  if (!file.ok()) {
    out.error = open_error;
    return out;
  }
  out.opened = true;
  Access access;
  std::string error;
  if (layout == WeightsLayout::legacy_model) {
    const Cap metadata{limits.max_metadata_bytes, "max-metadata-size"};
    out.model_config = read_single_string(
        file.get(), "model_config", {limits.max_config_bytes, "max-config-size"}, error);
    if (!error.empty()) {
      out.error = "model_config: " + error;
      return out;
    }
    std::string version_error;
    out.keras_version = read_single_string(file.get(), "keras_version", metadata, version_error);
    std::string backend_error;  // only reported; a backend past the limit is left unread
    out.backend = read_single_string(file.get(), "backend", metadata, backend_error);
    if (!out.model_config) {
      out.weights_only = looks_like_weights(file.get());
      return out;
    }
    bool has_weights = limits.read_weights && has_hard_link(file.get(), "model_weights");
    if (has_weights && !shapelint::limit_in(version_error).empty()) {
      // The version decides how Keras reads the weights (Keras 1 converts them on load).
      out.weights_error = fmt::format(
          "the Keras version that decides how they are read was not read: {}", version_error);
      return out;
    }
    if (has_weights) {
      Handle weights(H5Gopen2(file.get(), "model_weights", access.group.get()), H5Gclose);
      if (!weights.ok())
        out.weights_error = take_hdf5_error();
      else
        out.weights = read_legacy_weights(weights.get(), access, limits, out.weights_error);
    }
    return out;
  }
  out.weights = read_v3_weights(file.get(), access, limits, out.weights_error);
  return out;
}

}  // namespace

/// The module's one entry point, found with dlsym by hdf5_plugin.cpp (C linkage: an
/// unmangled name).
extern "C" __attribute__((visibility("default"))) void shapelint_read_hdf5(
    const shapelint::io::Source* source,
    shapelint::io::WeightsLayout layout,
    const shapelint::io::ReadLimits* limits,
    shapelint::io::Hdf5Contents* out) {
  *out = read_hdf5_file(*source, layout, *limits);
}
