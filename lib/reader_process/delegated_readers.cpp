// The container readers of the statically linked shapelint program: every `.keras` archive and
// `.h5` file is read by the shapelint-reader program (io/reader_process.hpp), because a static
// program cannot load libzip or the HDF5 reader module. Linked instead of the in-process
// readers (io/keras_archive.cpp, io/hdf5_model.cpp), which shapelint-reader itself runs.
#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/io/reader_process.hpp"

namespace shapelint::io {

namespace {

/// The reader program, looked up once per run, and its processes, kept for the whole run.
struct ReaderProgram {
  ReaderProgram() {
    if (auto path = find_reader_program(error))
      pool.emplace(*path);
  }

  std::optional<ReaderPool> pool;
  std::string error;  ///< why it was not found
};

ReaderProgram& reader_program() {
  static ReaderProgram program;  // once, thread-safe
  return program;
}

ModelFile read_with_reader_program(const Source& source,
                                   Container container,
                                   const ReadLimits& limits) {
  ReaderProgram& reader = reader_program();
  if (reader.pool)
    return reader.pool->read(source, container, limits);
  ModelFile out;
  out.container = container;
  out.format = container == Container::zip ? "keras-archive" : "hdf5";
  out.diagnostics.push_back(
      file_finding(rule::kUnreadable,
                   fmt::format("cannot read this file: {}", reader.error),
                   "install shapelint with its lib/shapelint folder, or set SHAPELINT_READER to "
                   "the shapelint-reader program"));
  return out;
}

}  // namespace

ModelFile read_keras_archive(const Source& source, const ReadLimits& limits) {
  return read_with_reader_program(source, Container::zip, limits);
}

ModelFile read_hdf5_model(const Source& source, const ReadLimits& limits) {
  return read_with_reader_program(source, Container::hdf5, limits);
}

}  // namespace shapelint::io
