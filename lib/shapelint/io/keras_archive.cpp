// `.keras` archives (keras/src/saving/saving_lib.py): a zip holding `config.json` (the model
// config), `metadata.json` (`keras_version`, `date_saved`) and `model.weights.h5`.
//
// A zip declares each member's inflated size in its central directory; a hostile one lies, or
// inflates a few KiB into gigabytes. So a member is refused when its declared size is over the
// limit or far beyond its stored size (Keras's own loader uses the same 100:1 ratio), and while
// inflating, reading stops as soon as the data outgrows what was declared.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/diag/limit_hint.hpp"
#include "shapelint/io/libzip.hpp"
#include "shapelint/io/readers.hpp"
#include <unistd.h>

namespace shapelint::io {

namespace {

/// libzip's functions; read_keras_archive loads it before anything here runs.
const LibZip& zip() {
  std::string unused;
  return *load_libzip(unused);
}

constexpr const char* kConfigMember = "config.json";
constexpr const char* kMetadataMember = "metadata.json";
constexpr const char* kWeightsMember = "model.weights.h5";

struct ArchiveCloser {
  void operator()(zip_t* za) const { zip().zip_discard(za); }
};

using Archive = std::unique_ptr<zip_t, ArchiveCloser>;

struct MemberCloser {
  void operator()(zip_file_t* f) const { zip().zip_fclose(f); }
};

using Member = std::unique_ptr<zip_file_t, MemberCloser>;

/// Why a zip could not be opened, in the user's terms where libzip's are terse.
std::string zip_error_text(int code) {
  switch (code) {
    case ZIP_ER_NOZIP:
      return "its central directory (the end of a zip) is missing: the file was cut short";
    case ZIP_ER_INCONS:
      return "its headers contradict each other (a damaged or hand-crafted archive)";
    case ZIP_ER_MULTIDISK:
      return "it is split over several disks";
    case ZIP_ER_EXISTS:
      // Python's zipfile (and so Keras) would read the last of them: refuse to guess.
      return "two of its members have the same name (a hand-crafted archive)";
    default:
      break;
  }
  zip_error_t error;
  zip().zip_error_init_with_code(&error, code);
  std::string text = zip().zip_error_strerror(&error);
  zip().zip_error_fini(&error);
  return text;
}

/// `n` bytes of the source from `offset` (fewer at its end).
std::string read_at(const Source& source, std::uint64_t offset, std::size_t n) {
  if (source.in_memory)
    return offset < source.bytes.size() ? std::string(source.bytes.substr(offset, n)) : "";
  std::ifstream in(source.path, std::ios::binary);
  std::string out(n, '\0');
  if (!in.seekg(static_cast<std::streamoff>(offset)))
    return {};
  in.read(out.data(), static_cast<std::streamsize>(n));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

std::uint64_t little_endian(std::string_view bytes, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = width; i-- > 0;)
    v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

/// How many members the end of the archive declares (its end-of-central-directory record, or
/// the zip64 one), read before libzip opens it; nullopt when there is no such record (libzip
/// then says what is wrong).
std::optional<std::uint64_t> declared_members(const Source& source) {
  std::uint64_t size = source.bytes.size();
  if (!source.in_memory) {
    std::error_code ec;
    size = std::filesystem::file_size(source.path, ec);
    if (ec)
      return std::nullopt;
  }
  constexpr std::uint64_t kTail = 22 + 65535;  // the record and the longest archive comment
  std::uint64_t start = size > kTail ? size - kTail : 0;
  std::string tail = read_at(source, start, static_cast<std::size_t>(size - start));
  std::size_t eocd = tail.rfind(std::string_view("PK\x05\x06", 4));
  if (eocd == std::string::npos || eocd + 22 > tail.size())
    return std::nullopt;
  std::uint64_t members = little_endian(tail, eocd + 10, 2);
  if (members != 0xFFFF || eocd < 20 ||
      tail.compare(eocd - 20, 4, std::string_view("PK\x06\x07", 4)) != 0)
    return members;
  // Zip64: the locator before the record gives the offset of the zip64 record.
  std::string record = read_at(source, little_endian(tail, eocd - 20 + 8, 8), 56);
  if (record.size() < 56 || record.compare(0, 4, std::string_view("PK\x06\x06", 4)) != 0)
    return std::nullopt;
  return little_endian(record, 32, 8);
}

/// Opens the archive with libzip's stricter consistency checks (central directory against the
/// local headers, overlapping members).
Archive open_archive(const Source& source, std::string& error) {
  int flags = ZIP_RDONLY | ZIP_CHECKCONS;
  if (!source.in_memory) {
    int code = 0;
    zip_t* za = zip().zip_open(source.path.c_str(), flags, &code);
    if (!za)
      error = zip_error_text(code);
    return Archive(za);
  }
  zip_error_t zerror;
  zip().zip_error_init(&zerror);
  zip_source_t* src =
      zip().zip_source_buffer_create(source.bytes.data(), source.bytes.size(), 0, &zerror);
  zip_t* za = src ? zip().zip_open_from_source(src, flags, &zerror) : nullptr;
  if (!za) {
    error = zip_error_text(zip().zip_error_code_zip(&zerror));
    if (src)
      zip().zip_source_free(src);
  }
  zip().zip_error_fini(&zerror);
  return Archive(za);
}

/// Receives a member's bytes as they inflate; false stops reading.
using Sink = std::function<bool(const char*, std::size_t)>;

/// Inflates member `index` into `sink`, never past `limit` bytes (the limit `setting`, named
/// when it refuses the member) nor past its declared size.
bool read_member(zip_t* za,
                 zip_int64_t index,
                 const char* name,
                 std::uint64_t limit,
                 std::string_view setting,
                 const ReadLimits& limits,
                 const Sink& sink,
                 std::string& error) {
  zip_stat_t st;
  zip().zip_stat_init(&st);
  if (zip().zip_stat_index(za, static_cast<zip_uint64_t>(index), 0, &st) != 0) {
    error = fmt::format("{}: {}", name, zip().zip_strerror(za));
    return false;
  }
  if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE)) {
    error = fmt::format("{}: the archive does not declare its size", name);
    return false;
  }
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
    error = fmt::format("{} is encrypted", name);
    return false;
  }
  if (st.size > limit) {
    error = fmt::format("{} would inflate to {}, more than the {} allowed, {}: refusing it",
                        name,
                        readable_size(st.size),
                        readable_size(limit),
                        limit_note(setting));
    return false;
  }
  if (st.size > limits.expansion_floor_bytes && st.size / limits.max_expansion > st.comp_size) {
    error = fmt::format(
        "{} declares {} stored in {}, a compression ratio over {}:1, {}: refusing a probable "
        "zip bomb",
        name,
        readable_size(st.size),
        readable_size(st.comp_size),
        limits.max_expansion,
        limit_note("max-compression-ratio"));
    return false;
  }
  Member member(zip().zip_fopen_index(za, static_cast<zip_uint64_t>(index), 0));
  if (!member) {
    error = fmt::format("{}: {}", name, zip().zip_strerror(za));
    return false;
  }
  std::uint64_t total = 0;
  char buffer[1 << 16];
  for (;;) {
    zip_int64_t n = zip().zip_fread(member.get(), buffer, sizeof buffer);
    if (n < 0) {
      error = fmt::format("{}: {}", name, zip().zip_file_strerror(member.get()));
      return false;
    }
    if (n == 0)
      break;
    total += static_cast<std::uint64_t>(n);
    if (total > st.size) {
      error = fmt::format(
          "{} inflates past the {} its archive declares: refusing a corrupt archive or zip bomb",
          name,
          readable_size(st.size));
      return false;
    }
    if (!sink(buffer, static_cast<std::size_t>(n)))
      return false;
  }
  if (total != st.size) {
    error = fmt::format("{} is cut short: {} of the {} declared",
                        name,
                        readable_size(total),
                        readable_size(st.size));
    return false;
  }
  return true;
}

/// A small member, whole, as a string.
std::optional<std::string> read_text_member(zip_t* za,
                                            zip_int64_t index,
                                            const char* name,
                                            std::uint64_t limit,
                                            std::string_view setting,
                                            const ReadLimits& limits,
                                            std::string& error) {
  std::string text;
  Sink append = [&](const char* data, std::size_t n) {
    text.append(data, n);
    return true;
  };
  if (!read_member(za, index, name, limit, setting, limits, append, error))
    return std::nullopt;
  return text;
}

/// `keras_version` from metadata.json; nullopt when absent or malformed (it is only reported).
std::optional<std::string> version_from_metadata(const std::string& text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object())
    return std::nullopt;
  auto it = doc.find("keras_version");
  if (it == doc.end() || !it->is_string())
    return std::nullopt;
  return it->get<std::string>();
}

/// Why the weights cannot be compared when the Keras version was not read (`problem`, a
/// limit's message; empty when it was read): the version decides how the weights are keyed.
std::string unknown_layout(const std::string& problem) {
  if (problem.empty())
    return {};
  return fmt::format("the Keras version that decides how they are laid out was not read: {}",
                     problem);
}

/// A temporary file removed when this goes out of scope.
class TempFile {
 public:
  TempFile() {
    std::error_code ec;
    auto dir = std::filesystem::temp_directory_path(ec);
    path_ = (ec ? std::filesystem::path("/tmp") : dir) / "shapelint-weights-XXXXXX";
    std::string pattern = path_.string();
    fd_ = mkstemp(pattern.data());
    path_ = pattern;
  }

  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  ~TempFile() {
    close_fd();
    if (ok()) {
      std::error_code ec;
      std::filesystem::remove(path_, ec);
    }
  }

  bool ok() const { return created_ok_; }

  int fd() const { return fd_; }

  void close_fd() {
    if (fd_ >= 0) {
      created_ok_ = true;
      ::close(fd_);
      fd_ = -1;
    }
  }

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool created_ok_ = false;
};

/// The weight shapes in model.weights.h5: inflated to a temporary file (it may be large), read
/// by the isolated HDF5 reader.
void read_archive_weights(
    zip_t* za, zip_int64_t index, const ReadLimits& limits, ModelFile& out, std::string& error) {
  zip_stat_t st;
  zip().zip_stat_init(&st);
  if (zip().zip_stat_index(za, static_cast<zip_uint64_t>(index), 0, &st) == 0 &&
      (st.valid & ZIP_STAT_SIZE) && st.size > limits.max_weights_file_bytes) {
    // Larger than we unpack for a shape check: our limit, not the file's fault.
    error = fmt::format("{} inflates to {}, more than the {} unpacked for the check, {}",
                        kWeightsMember,
                        readable_size(st.size),
                        readable_size(limits.max_weights_file_bytes),
                        limit_note("max-weights-size"));
    return;
  }
  TempFile temp;
  if (temp.fd() < 0) {
    error = "cannot create a temporary file to unpack model.weights.h5";
    return;
  }
  int fd = temp.fd();
  Sink to_file = [fd](const char* data, std::size_t n) {
    while (n > 0) {
      ssize_t w = write(fd, data, n);
      if (w <= 0)
        return false;
      data += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  };
  bool complete = read_member(za,
                              index,
                              kWeightsMember,
                              limits.max_weights_file_bytes,
                              "max-weights-size",
                              limits,
                              to_file,
                              error);
  temp.close_fd();
  if (!complete) {
    if (error.empty())
      error = "cannot unpack model.weights.h5 to a temporary file";
    return;
  }
  Source weights_source{temp.path(), {}, false};
  Hdf5Contents contents = read_hdf5_isolated(weights_source, WeightsLayout::keras_v3, limits);
  if (!contents.opened || !contents.error.empty()) {
    error = contents.error;
    return;
  }
  error = contents.weights_error;
  out.weights = std::move(contents.weights);
}

}  // namespace

ModelFile read_keras_archive(const Source& source, const ReadLimits& limits) {
  ModelFile out;
  out.container = Container::zip;
  out.format = "keras-archive";
  out.member = kConfigMember;
  std::string error;
  if (!load_libzip(error)) {
    out.diagnostics.push_back(file_finding(rule::kUnreadable,
                                           fmt::format("cannot read zip archives: {}", error),
                                           "install libzip (Debian: libzip4)"));
    return out;
  }
  if (auto members = declared_members(source); members && *members > limits.max_zip_members) {
    out.diagnostics.push_back(
        file_finding(rule::kUnreadable,
                     fmt::format("this zip archive declares {} members, more than {}, {}",
                                 *members,
                                 limits.max_zip_members,
                                 limit_note("max-zip-members")),
                     raise_limit_hint("a .keras archive holds config.json, metadata.json and "
                                      "model.weights.h5: check that this is one",
                                      "max-zip-members")));
    return out;
  }
  Archive za = open_archive(source, error);
  if (!za) {
    out.diagnostics.push_back(file_finding(
        rule::kUnreadable,
        fmt::format("cannot read this zip archive: {}", error),
        "the archive is damaged or was cut short (an interrupted download or copy): save the "
        "model again"));
    return out;
  }
  zip_int64_t config = zip().zip_name_locate(za.get(), kConfigMember, 0);
  zip_int64_t metadata = zip().zip_name_locate(za.get(), kMetadataMember, 0);
  zip_int64_t weights = zip().zip_name_locate(za.get(), kWeightsMember, 0);
  if (config < 0) {
    out.not_a_model = true;
    bool keras_like = metadata >= 0 || weights >= 0;
    if (!keras_like)
      out.format = "unknown";
    out.diagnostics.push_back(file_finding(
        rule::kNotAModel,
        keras_like ? "this .keras archive has no config.json: there is no model config to check"
                   : "this zip archive is not a .keras model: it has no config.json",
        "pass a .keras archive written by model.save(), or the model's to_json() output"));
    return out;
  }
  std::string metadata_problem;  ///< metadata.json was past a limit, so not read
  if (metadata >= 0) {
    std::string meta_error;
    auto text = read_text_member(za.get(),
                                 metadata,
                                 kMetadataMember,
                                 limits.max_metadata_bytes,
                                 "max-metadata-size",
                                 limits,
                                 meta_error);
    if (text)
      out.keras_version = version_from_metadata(*text);
    else if (!limit_in(meta_error).empty())
      metadata_problem = meta_error;
  }
  out.config_text = read_text_member(
      za.get(), config, kConfigMember, limits.max_config_bytes, "max-config-size", limits, error);
  if (!out.config_text) {
    out.diagnostics.push_back(file_finding(
        rule::kUnreadable,
        fmt::format("cannot read this .keras archive: {}", error),
        hint_for_limit(error,
                       "the archive is damaged, or was not written by Keras: save the model "
                       "again")));
    return out;
  }
  if (weights >= 0 && limits.read_weights) {
    std::string weights_error = unknown_layout(metadata_problem);
    if (weights_error.empty())
      read_archive_weights(za.get(), weights, limits, out, weights_error);
    if (!weights_error.empty()) {
      out.weights.reset();
      out.weights_problem = weights_error;
    }
  }
  return out;
}

}  // namespace shapelint::io
