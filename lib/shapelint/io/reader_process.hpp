#pragma once
// Reading `.keras` archives and `.h5` files in a separate program, shapelint-reader.
//
// The shapelint program is linked statically (no dynamic loader at start-up: a fifth of a
// small model's lint went to it), and a static program cannot load libzip or the HDF5 reader
// module. So it runs shapelint-reader, a small dynamically linked program that reads the
// container in the usual way and sends back the ModelFile as CBOR on its standard output.
// A crash or hang of libzip or HDF5 on a hostile file then ends that program only: the file
// gets an "unreadable" finding and the other files are still linted.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/io/model_file.hpp"
#include "shapelint/io/readers.hpp"

namespace shapelint::io {

/// The program's file name.
inline constexpr const char* kReaderProgramName = "shapelint-reader";

/// A ModelFile as the reader program sends it: CBOR, which carries any byte of a config
/// (the loader, not the transport, says where text is not UTF-8).
std::string encode_model_file(const ModelFile& file);

/// The ModelFile `bytes` holds; nothing when they are not one (cut short, another program).
std::optional<ModelFile> decode_model_file(std::string_view bytes);

/// The read limits as one command-line argument (JSON), and back.
std::string encode_read_limits(const ReadLimits& limits);
std::optional<ReadLimits> decode_read_limits(std::string_view text);

/// The container names of the reader's command line: "zip", "hdf5".
std::string_view container_argument(Container container);
std::optional<Container> container_from_argument(std::string_view name);

/// Where shapelint-reader is: SHAPELINT_READER (a path) when it is set, else beside the
/// running program (the build tree), in ../lib/shapelint beside it (an installed tree), and
/// where this build put it. Nothing, with `error` naming the places tried, when it is in none.
std::optional<std::filesystem::path> find_reader_program(std::string& error);

/// Reads the container `source` with the reader program at `reader`: a file by its path, a
/// buffer (standard input) through the program's standard input. A program that cannot be
/// started, crashes, runs past its time or answers something else is an unreadable-file
/// finding. The program may take `time_allowed`, by default reader_time_allowed(limits).
ModelFile read_in_reader_process(const std::filesystem::path& reader,
                                 const Source& source,
                                 Container container,
                                 const ReadLimits& limits,
                                 std::optional<std::chrono::milliseconds> time_allowed = {});

/// shapelint-reader kept running for a whole run, one process per file being read at a time
/// (files are linted on several threads): it loads libzip and the HDF5 library once, where a
/// process per file spent 10 ms loading them each time. A reader that crashes, runs past its
/// time or answers something else is ended (the file gets an unreadable-file finding) and the
/// next file gets a new one. A file held in memory (standard input) gets a process of its own
/// (read_in_reader_process).
class ReaderPool {
 public:
  explicit ReaderPool(std::filesystem::path reader) : reader_(std::move(reader)) {}

  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;
  /// Idle readers see the end of their requests and exit.
  ~ReaderPool();

  ModelFile read(const Source& source,
                 Container container,
                 const ReadLimits& limits,
                 std::optional<std::chrono::milliseconds> time_allowed = {});

  /// Readers started so far (each failure costs one).
  int started() const { return started_; }

 private:
  struct Server {
    int pid = -1;
    int fd = -1;  ///< our end of the socket the reader reads requests from and answers on
  };

  std::optional<Server> take(std::string& error);
  void give_back(Server server);
  static int end(Server server);

  std::filesystem::path reader_;
  std::mutex mutex_;
  std::vector<Server> idle_;
  std::atomic<int> started_ = 0;
};

/// The request a serving reader (`shapelint-reader --serve`) reads, one line of JSON, and back.
std::string encode_read_request(Container container,
                                const ReadLimits& limits,
                                const std::string& path);

struct ReadRequest {
  Container container = Container::zip;
  ReadLimits limits;
  std::string path;
};

std::optional<ReadRequest> decode_read_request(std::string_view line);

/// A serving reader's answer on the wire: the CBOR's length in 8 bytes, little-endian, then it.
std::string frame_answer(std::string_view cbor);

/// How long the reader program may take: the HDF5 reader it runs for the weights may take
/// hdf5-timeout, and unpacking the archive comes on top, so twice that plus 30 s.
std::chrono::milliseconds reader_time_allowed(const ReadLimits& limits);

}  // namespace shapelint::io
