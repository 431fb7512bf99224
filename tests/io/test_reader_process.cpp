// The shapelint-reader program reads .keras and .h5 files for the statically linked shapelint:
// what it sends back must be exactly what reading in process gives, and a reader that cannot
// start, crashes, hangs or answers nonsense must be one "unreadable" finding, never a crash.
#include <chrono>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/fixtures.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/io/reader_process.hpp"
#include "support/run_command.hpp"

using namespace shapelint;
using namespace shapelint::test;

namespace {

/// The reader built beside the program under test.
std::filesystem::path reader_program() {
  return std::filesystem::path(SHAPELINT_BINARY).parent_path() / io::kReaderProgramName;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

/// Everything a ModelFile holds, as one comparable text.
std::string describe(const io::ModelFile& f) {
  std::string out = fmt::format("container {} format {} member {} not_a_model {}\n",
                                io::container_argument(f.container),
                                f.format,
                                f.member,
                                f.not_a_model);
  out += fmt::format("config {}\nkeras {} backend {}\nweights_problem {}\n",
                     f.config_text.value_or("<none>"),
                     f.keras_version.value_or("<none>"),
                     f.backend.value_or("<none>"),
                     f.weights_problem);
  if (f.weights)
    for (const auto& w : *f.weights)
      out +=
          fmt::format("weight {} {} {} {}\n", w.layer, w.group, w.weight, fmt::join(w.shape, "x"));
  for (const auto& d : f.diagnostics)
    out += fmt::format("[{} {}] {} | {} | {} | {}\n",
                       d.rule,
                       to_string(d.severity),
                       d.layer.value_or("<file>"),
                       d.message,
                       d.hint,
                       d.json_path);
  return out;
}

/// A shell script standing in for the reader, to see how its failures are reported.
std::filesystem::path fake_reader(const FixtureDir& dir,
                                  const std::string& name,
                                  const std::string& body) {
  std::string path = dir.path(name);
  write_file(path, "#!/bin/sh\n" + body + "\n");
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

}  // namespace

TEST_CASE("a ModelFile survives the reader's encoding, bytes and all") {
  io::ModelFile f;
  f.container = io::Container::hdf5;
  f.format = "hdf5";
  constexpr char kNotUtf8[] = "{\"a\": \"\xff\xfe not UTF-8\"}\0tail";
  f.config_text = std::string(kNotUtf8, sizeof kNotUtf8 - 1);  // the NUL inside included
  f.member = "model_config";
  f.keras_version = "2.15.0";
  f.weights = std::vector<io::RecordedWeight>{{"dense", "dense", "dense/kernel:0", {784, 10}},
                                              {"", "g", "vars/0", {}}};
  f.weights_problem = "";
  f.diagnostics.push_back(io::file_finding(rule::kUnreadable, "message", "hint"));
  f.diagnostics.push_back(Diagnostic{.rule = "SL101",
                                     .severity = Severity::note,
                                     .layer = "conv",
                                     .message = "m",
                                     .hint = "",
                                     .json_path = "config.layers[0]"});
  f.not_a_model = true;
  std::optional<io::ModelFile> back = io::decode_model_file(io::encode_model_file(f));
  REQUIRE(back);
  CHECK(describe(*back) == describe(f));

  io::ModelFile bare;  // nothing optional set
  back = io::decode_model_file(io::encode_model_file(bare));
  REQUIRE(back);
  CHECK(describe(*back) == describe(bare));
  CHECK_FALSE(back->weights);
}

TEST_CASE("an answer that is not a whole ModelFile is refused") {
  std::string whole = io::encode_model_file(io::ModelFile{});
  for (const std::string& bad : {std::string(),
                                 whole.substr(0, whole.size() / 2),
                                 std::string("not cbor at all"),
                                 std::string("\xa0", 1)}) {  // an empty CBOR map
    INFO(bad.size());
    CHECK_FALSE(io::decode_model_file(bad));
  }
  auto j = nlohmann::json::from_cbor(whole);
  j["diagnostics"] = nlohmann::json::array({{{"rule", "SL001"},
                                             {"severity", 7},
                                             {"layer", nullptr},
                                             {"message", ""},
                                             {"hint", ""},
                                             {"json_path", ""}}});
  std::vector<std::uint8_t> cbor = nlohmann::json::to_cbor(j);
  CHECK_FALSE(io::decode_model_file(std::string(cbor.begin(), cbor.end())));
}

TEST_CASE("read limits reach the reader unchanged") {
  io::ReadLimits l;
  l.max_config_bytes = 12345;
  l.max_metadata_bytes = 7;
  l.max_weights_file_bytes = std::uint64_t{1} << 40;
  l.max_stdin_bytes = 99;
  l.max_expansion = 3;
  l.expansion_floor_bytes = 11;
  l.max_weights = 17;
  l.max_zip_members = 19;
  l.hdf5_timeout = std::chrono::milliseconds(1234);
  l.hdf5_memory_bytes = std::uint64_t{1} << 29;
  l.read_weights = false;
  std::optional<io::ReadLimits> back = io::decode_read_limits(io::encode_read_limits(l));
  REQUIRE(back);
  CHECK(back->max_config_bytes == l.max_config_bytes);
  CHECK(back->max_metadata_bytes == l.max_metadata_bytes);
  CHECK(back->max_weights_file_bytes == l.max_weights_file_bytes);
  CHECK(back->max_stdin_bytes == l.max_stdin_bytes);
  CHECK(back->max_expansion == l.max_expansion);
  CHECK(back->expansion_floor_bytes == l.expansion_floor_bytes);
  CHECK(back->max_weights == l.max_weights);
  CHECK(back->max_zip_members == l.max_zip_members);
  CHECK(back->hdf5_timeout == l.hdf5_timeout);
  CHECK(back->hdf5_memory_bytes == l.hdf5_memory_bytes);
  CHECK(back->read_weights == l.read_weights);
  CHECK_FALSE(io::decode_read_limits("{}"));
  CHECK_FALSE(io::decode_read_limits("{\"max_config_bytes\": -1}"));
  CHECK_FALSE(io::decode_read_limits("not json"));
}

TEST_CASE("the reader program reads archives and .h5 files as reading in process does") {
  FixtureDir dir;
  std::string weights_path = dir.path("model.weights.h5");
  write_v3_weights(weights_path, {{"conv2d", "conv2d", {{"vars/0", {3, 3, 1, 32}}}}});
  write_zip(dir.path("model.keras"),
            {{"config.json", sample("ok/mnist_cnn.json")},
             {"metadata.json", R"({"keras_version": "3.5.0"})"},
             {"model.weights.h5", read_file(weights_path), false}});
  write_zip(dir.path("no_config.keras"), {{"notes.txt", "hello"}});
  write_file(dir.path("broken.keras"), read_file(dir.path("model.keras")).substr(0, 100));
  H5Model h5;
  h5.model_config = sample("ok/mnist_cnn.json");
  h5.weights = {{"dense", {{"dense/kernel:0", {1600, 10}}}}};
  write_h5(dir.path("model.h5"), h5);
  H5Model weights_only;
  weights_only.weights = h5.weights;
  weights_only.weights_at_root = true;
  write_h5(dir.path("weights_only.h5"), weights_only);

  struct Row {
    const char* file;
    io::Container container;
  };

  for (const Row& row : {Row{"model.keras", io::Container::zip},
                         Row{"no_config.keras", io::Container::zip},
                         Row{"broken.keras", io::Container::zip},
                         Row{"model.h5", io::Container::hdf5},
                         Row{"weights_only.h5", io::Container::hdf5}}) {
    INFO(row.file);
    std::string path = dir.path(row.file);
    io::ModelFile in_process = io::read_model_path(path, row.container, {});
    io::Source on_disk{path, {}, false};
    CHECK(describe(io::read_in_reader_process(reader_program(), on_disk, row.container, {})) ==
          describe(in_process));
    // Standard input: the bytes go to the reader's standard input.
    std::string bytes = read_file(path);
    io::Source in_memory{"<stdin>", bytes, true};
    CHECK(describe(io::read_in_reader_process(reader_program(), in_memory, row.container, {})) ==
          describe(io::read_model_bytes(bytes, {})));
  }
}

TEST_CASE("a reader that cannot start, fails, crashes, hangs or babbles is an unreadable file") {
  FixtureDir dir;

  struct Row {
    std::filesystem::path reader;
    const char* expected;
  };

  std::vector<Row> rows{
      {dir.path("missing-reader"), "cannot run"},
      {fake_reader(dir, "fails", "exit 1"), "failed (exit status 1)"},
      {fake_reader(dir, "out_of_memory", "exit 4"), "ran out of memory"},
      {fake_reader(dir, "crashes", "kill -SEGV $$"), "crashed on it (Segmentation fault)"},
      {fake_reader(dir, "babbles", "echo hello"), "cut short or malformed"},
      {fake_reader(dir, "floods", "head -c 3000000 /dev/zero"), "exceeded its size limit"},
      {fake_reader(dir, "hangs", "exec sleep 30"), "did not finish reading it within 0.2 s"},
  };
  for (const Row& row : rows) {
    INFO(row.reader.string());
    io::ReadLimits limits;
    limits.max_config_bytes = 1;  // answers beyond ~1 MiB are then too large
    limits.max_metadata_bytes = 1;
    limits.max_weights = 1;
    io::Source source{dir.path("model.keras"), {}, false};
    auto started = std::chrono::steady_clock::now();
    io::ModelFile f = io::read_in_reader_process(
        row.reader, source, io::Container::zip, limits, std::chrono::milliseconds(200));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
    REQUIRE(f.diagnostics.size() == 1);
    CHECK(f.diagnostics[0].rule == rule::kUnreadable);
    CHECK(contains(f.diagnostics[0].message, row.expected));
    CHECK_FALSE(f.config_text);
    CHECK(f.format == "keras-archive");
  }
}

TEST_CASE("the reader program refuses a command line it does not know") {
  for (const char* args : {"", "zip", "zip {} x", "text {} x", "nope {} x"}) {
    INFO(args);
    CommandRun run =
        run_command(fmt::format("'{}' {} </dev/null 2>&1", reader_program().string(), args));
    CHECK(run.exit_code == 2);
    CHECK(contains(run.out, "usage:"));
  }
}

TEST_CASE("shapelint reads .keras and .h5 files, from disk and from standard input") {
  FixtureDir dir;
  write_zip(dir.path("model.keras"), {{"config.json", sample("ok/mnist_cnn.json")}});
  H5Model h5;
  h5.model_config = sample("ok/mnist_cnn.json");
  write_h5(dir.path("model.h5"), h5);
  for (const char* file : {"model.keras", "model.h5"}) {
    INFO(file);
    std::string path = dir.path(file);
    CommandRun from_disk =
        run_command(fmt::format("'{}' --format json '{}'", SHAPELINT_BINARY, path));
    CHECK(from_disk.exit_code == 0);
    CommandRun from_stdin =
        run_command(fmt::format("'{}' --format json - < '{}'", SHAPELINT_BINARY, path));
    CHECK(from_stdin.exit_code == 0);
    for (const std::string& out : {from_disk.out, from_stdin.out}) {
      auto report = nlohmann::json::parse(out);
      const auto& f = report.at("files").at(0);
      CHECK(f.at("status") == "ok");
      CHECK(f.at("layers").size() > 3);
    }
  }
}

TEST_CASE("the reader program reads every archive of the shared corpus as reading in process") {
  auto corpus =
      std::filesystem::path(SHAPELINT_SOURCE_DIR) / ".." / "shared" / "corpus" / "archives";
  if (!std::filesystem::is_directory(corpus)) {
    WARN("skipped: ../shared/corpus is not beside the checkout (" << corpus.string() << ")");
    return;
  }
  std::size_t compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::string path = entry.path().string();
    std::string head = read_file(path).substr(0, io::kSniffBytes);
    io::Container container = io::sniff_container(head);
    if (container == io::Container::text)
      continue;
    INFO(path);
    io::Source source{path, {}, false};
    CHECK(describe(io::read_in_reader_process(reader_program(), source, container, {})) ==
          describe(io::read_model_path(path, container, {})));
    ++compared;
  }
  CHECK(compared > 0);
}

#ifdef SHAPELINT_STATIC_PROGRAM
TEST_CASE("without shapelint-reader a .keras file is unreadable, and JSON still lints") {
  FixtureDir dir;
  write_zip(dir.path("model.keras"), {{"config.json", sample("ok/mnist_cnn.json")}});
  CommandRun run = run_command(fmt::format(
      "SHAPELINT_READER=/nonexistent/shapelint-reader '{}' --format json '{}' '{}/samples/ok/"
      "mnist_cnn.json'",
      SHAPELINT_BINARY,
      dir.path("model.keras"),
      SHAPELINT_SOURCE_DIR));
  CHECK(run.exit_code == 2);
  auto report = nlohmann::json::parse(run.out);
  const auto& archive = report.at("files").at(0);
  CHECK(archive.at("status") == "invalid");
  CHECK(archive.at("diagnostics").at(0).at("rule") == "SL001");
  CHECK(contains(archive.at("diagnostics").at(0).at("message").get<std::string>(),
                 "is not installed"));
  CHECK(report.at("files").at(1).at("status") == "ok");
}
#endif

TEST_CASE("a pool of serving readers reads file after file with one process") {
  FixtureDir dir;
  write_zip(dir.path("model.keras"), {{"config.json", sample("ok/mnist_cnn.json")}});
  write_zip(dir.path("no_config.keras"), {{"notes.txt", "hello"}});
  H5Model h5;
  h5.model_config = sample("ok/mnist_cnn.json");
  h5.weights = {{"dense", {{"dense/kernel:0", {1600, 10}}}}};
  write_h5(dir.path("model.h5"), h5);
  io::ReaderPool pool(reader_program());
  for (int round = 0; round < 3; ++round)
    for (auto [file, container] : {std::pair{"model.keras", io::Container::zip},
                                   std::pair{"model.h5", io::Container::hdf5},
                                   std::pair{"no_config.keras", io::Container::zip}}) {
      INFO(file);
      std::string path = dir.path(file);
      io::Source source{path, {}, false};
      CHECK(describe(pool.read(source, container, {})) ==
            describe(io::read_model_path(path, container, {})));
    }
  CHECK(pool.started() == 1);
  // Bytes held in memory (standard input) go to a process of their own.
  std::string bytes = read_file(dir.path("model.keras"));
  io::Source in_memory{"<stdin>", bytes, true};
  CHECK(describe(pool.read(in_memory, io::Container::zip, {})) ==
        describe(io::read_model_bytes(bytes, {})));
  CHECK(pool.started() == 1);
}

TEST_CASE(
    "a serving reader that crashes, hangs or babbles is ended, and the next file gets a new one") {
  FixtureDir dir;

  struct Row {
    std::filesystem::path reader;
    const char* expected;
  };

  std::vector<Row> rows{
      {dir.path("missing-reader"), "cannot run"},
      {fake_reader(dir, "crashes", "read line; kill -SEGV $$"),
       "crashed on it (Segmentation fault)"},
      {fake_reader(dir, "fails", "read line; exit 1"), "failed (exit status 1)"},
      {fake_reader(dir, "babbles", "read line; echo hello"), "cut short or malformed"},
      {fake_reader(dir,
                   "floods",
                   "read line; printf '\\377\\377\\377\\377\\377\\377\\377\\377'; exec sleep 30"),
       "exceeded its size limit"},
      {fake_reader(
           dir, "garbles", "read line; printf '\\005\\0\\0\\0\\0\\0\\0\\0hello'; exec sleep 30"),
       "cut short or malformed"},
      {fake_reader(dir, "hangs", "read line; exec sleep 30"),
       "did not finish reading it within 0.2 s"},
  };
  for (const Row& row : rows) {
    INFO(row.reader.string());
    io::ReaderPool pool(row.reader);
    io::ReadLimits limits;
    limits.max_config_bytes = 1;  // answers beyond ~1 MiB are then too large
    limits.max_metadata_bytes = 1;
    limits.max_weights = 1;
    io::Source source{dir.path("model.keras"), {}, false};
    for (int attempt = 1; attempt <= 2; ++attempt) {
      auto started = std::chrono::steady_clock::now();
      io::ModelFile f =
          pool.read(source, io::Container::zip, limits, std::chrono::milliseconds(200));
      CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
      REQUIRE(f.diagnostics.size() == 1);
      CHECK(f.diagnostics[0].rule == rule::kUnreadable);
      CHECK(contains(f.diagnostics[0].message, row.expected));
      CHECK_FALSE(f.config_text);
    }
    if (row.reader.filename() != "missing-reader")
      CHECK(pool.started() == 2);  // each failure ended its reader
  }
}

TEST_CASE("a serving reader's requests and framed answers read back") {
  io::ReadLimits limits;
  limits.max_weights = 5;
  std::string line = io::encode_read_request(io::Container::hdf5, limits, "a\nb \"c\".h5");
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);  // one line, whatever the path holds
  auto request = io::decode_read_request(line);
  REQUIRE(request);
  CHECK(request->container == io::Container::hdf5);
  CHECK(request->path == "a\nb \"c\".h5");
  CHECK(request->limits.max_weights == 5);
  CHECK_FALSE(io::decode_read_request("{}"));
  CHECK_FALSE(io::decode_read_request(R"({"container": "text", "limits": {}, "path": "x"})"));
  std::string framed = io::frame_answer("abc");
  CHECK(framed == std::string("\x03\0\0\0\0\0\0\0abc", 11));
}
