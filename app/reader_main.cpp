// shapelint-reader: reads one `.keras` archive or `.h5` file for the statically linked
// shapelint program (lib/shapelint/io/reader_process.hpp) and writes what it found, a ModelFile
// in CBOR, to standard output. Not meant to be run by hand.
//
//   shapelint-reader zip|hdf5 LIMITS PATH   (PATH "-": the file's bytes on standard input)
//   shapelint-reader --serve                (requests, one JSON line each, on standard input;
//                                            each answer framed by frame_answer)
#include <cstdio>
#include <iostream>
#include <new>
#include <string>
#include <string_view>

#include "shapelint/io/reader_process.hpp"
#include "shapelint/io/write_all.hpp"
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

using namespace shapelint;

int answer_fd = 1;  ///< where answers go (private_answer_channel)

/// Standard input whole, up to `limit` bytes; false when there is more.
bool read_stdin(std::uint64_t limit, std::string& out) {
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(0, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return true;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > limit)
      return false;
  }
}

int usage() {
  std::cerr << "usage: " << io::kReaderProgramName
            << " zip|hdf5 LIMITS PATH | --serve\n(run by shapelint to read .keras and .h5 files)\n";
  return 2;
}

int read_and_answer(io::Container container, const io::ReadLimits& limits, std::string_view path) {
  io::ModelFile file;
  if (path == "-") {
    // shapelint has read standard input within max-stdin-size already; this only guards
    // against a caller that did not.
    std::string bytes;
    if (!read_stdin(limits.max_stdin_bytes, bytes))
      return 5;
    file = io::read_model_bytes(bytes, limits);
  } else {
    file = io::read_model_path(std::string(path), container, limits);
  }
  return io::write_all(answer_fd, io::encode_model_file(file)) ? 0 : 3;
}

/// Answers requests until standard input ends: libzip and the HDF5 library are loaded once
/// for every file of shapelint's run.
int serve() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::optional<io::ReadRequest> request = io::decode_read_request(line);
    if (!request)
      return 2;
    io::ModelFile file = io::read_model_path(request->path, request->container, request->limits);
    if (!io::write_all(answer_fd, io::frame_answer(io::encode_model_file(file))))
      return 3;
  }
  return 0;
}

/// Moves the answer channel (standard output, as shapelint set it up) to a descriptor of its
/// own and points standard output at standard error: whatever libzip or the HDF5 library
/// might print can then never land inside an answer. The channel's descriptor, or -1.
int private_answer_channel() {
  int channel = fcntl(1, F_DUPFD_CLOEXEC, 3);
  if (channel >= 0)
    dup2(2, 1);
  return channel;
}

}  // namespace

int main(int argc, char** argv) {
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);  // a crash on a hostile file leaves no core dump behind
  answer_fd = private_answer_channel();
  if (answer_fd < 0)
    return 3;
  if (argc == 2 && std::string_view(argv[1]) == "--serve") {
    try {
      return serve();
    } catch (const std::bad_alloc&) {
      return 4;
    } catch (...) {
      return 6;
    }
  }
  if (argc != 4)
    return usage();
  std::optional<io::Container> container = io::container_from_argument(argv[1]);
  std::optional<io::ReadLimits> limits = io::decode_read_limits(argv[2]);
  if (!container || *container == io::Container::text || !limits)
    return usage();
  try {
    return read_and_answer(*container, *limits, argv[3]);
  } catch (const std::bad_alloc&) {
    return 4;
  } catch (...) {
    return 6;
  }
}
