#include "shapelint/io/reader_process.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/diag/limit_hint.hpp"
#include "shapelint/io/child_answer.hpp"
#include "shapelint/io/installed_file.hpp"
#include "shapelint/io/write_all.hpp"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace shapelint::io {

namespace {

using nlohmann::json;

json encode_diagnostic(const Diagnostic& d) {
  return json{{"rule", d.rule},
              {"severity", static_cast<int>(d.severity)},
              {"layer", optional_string(d.layer)},
              {"message", d.message},
              {"hint", d.hint},
              {"json_path", d.json_path}};
}

Diagnostic decode_diagnostic(const json& j) {
  int severity = j.at("severity").get<int>();
  if (severity < static_cast<int>(Severity::note) || severity > static_cast<int>(Severity::error))
    throw std::out_of_range("severity");
  return Diagnostic{.rule = j.at("rule").get<std::string>(),
                    .severity = static_cast<Severity>(severity),
                    .layer = string_or_none(j, "layer"),
                    .message = j.at("message").get<std::string>(),
                    .hint = j.at("hint").get<std::string>(),
                    .json_path = j.at("json_path").get<std::string>()};
}

json encode_weights(const std::vector<RecordedWeight>& weights) {
  json out = json::array();
  for (const auto& w : weights)
    out.push_back(json{w.layer, w.group, w.weight, w.shape});
  return out;
}

std::vector<RecordedWeight> decode_weights(const json& j) {
  std::vector<RecordedWeight> out;
  for (const auto& w : j)
    out.push_back(RecordedWeight{w.at(0).get<std::string>(),
                                 w.at(1).get<std::string>(),
                                 w.at(2).get<std::string>(),
                                 w.at(3).get<std::vector<std::int64_t>>()});
  return out;
}

json limits_json(const ReadLimits& l) {
  return json{{"max_config_bytes", l.max_config_bytes},
              {"max_metadata_bytes", l.max_metadata_bytes},
              {"max_weights_file_bytes", l.max_weights_file_bytes},
              {"max_stdin_bytes", l.max_stdin_bytes},
              {"max_expansion", l.max_expansion},
              {"expansion_floor_bytes", l.expansion_floor_bytes},
              {"max_weights", l.max_weights},
              {"max_zip_members", l.max_zip_members},
              {"hdf5_timeout_ms", l.hdf5_timeout.count()},
              {"hdf5_memory_bytes", l.hdf5_memory_bytes},
              {"read_weights", l.read_weights}};
}

/// The limits `j` holds; throws when a key is missing or of another type.
ReadLimits limits_from_json(const json& j) {
  ReadLimits l;
  l.max_config_bytes = j.at("max_config_bytes").get<std::uint64_t>();
  l.max_metadata_bytes = j.at("max_metadata_bytes").get<std::uint64_t>();
  l.max_weights_file_bytes = j.at("max_weights_file_bytes").get<std::uint64_t>();
  l.max_stdin_bytes = j.at("max_stdin_bytes").get<std::uint64_t>();
  l.max_expansion = j.at("max_expansion").get<std::uint64_t>();
  l.expansion_floor_bytes = j.at("expansion_floor_bytes").get<std::uint64_t>();
  l.max_weights = j.at("max_weights").get<std::size_t>();
  l.max_zip_members = j.at("max_zip_members").get<std::uint64_t>();
  l.hdf5_timeout = std::chrono::milliseconds(j.at("hdf5_timeout_ms").get<std::int64_t>());
  l.hdf5_memory_bytes = j.at("hdf5_memory_bytes").get<std::uint64_t>();
  l.read_weights = j.at("read_weights").get<bool>();
  return l;
}

/// Places shapelint-reader may be, most specific first.
std::vector<std::filesystem::path> reader_candidates() {
#ifdef SHAPELINT_READER_BUILD_PATH
  const char* build_path = SHAPELINT_READER_BUILD_PATH;
#else
  const char* build_path = nullptr;
#endif
  return installed_file_candidates("SHAPELINT_READER", kReaderProgramName, build_path);
}

ModelFile unreadable(Container container, std::string why) {
  ModelFile out;
  out.container = container;
  out.format = container == Container::zip ? "keras-archive" : "hdf5";
  std::string hint = hint_for_limit(why,
                                    "the file is damaged or was cut short (an interrupted "
                                    "download or copy): save the model again");
  if (limit_in(why).empty())
    why += "; the file is damaged or not what it claims to be";
  out.diagnostics.push_back(file_finding(
      rule::kUnreadable, fmt::format("cannot read this file: {}", why), std::move(hint)));
  return out;
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const char* name = strsignal(WTERMSIG(status));
    return fmt::format("{} crashed on it ({})", kReaderProgramName, name ? name : "signal");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
    return fmt::format("{} ran out of memory reading it", kReaderProgramName);
  return fmt::format("{} failed (exit status {})",
                     kReaderProgramName,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}

  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  ~Fd() { reset(); }

  int get() const { return fd_; }

  /// Gives the descriptor up without closing it.
  void release() { fd_ = -1; }

  void reset() {
    if (fd_ >= 0)
      close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

/// A memory file holding `bytes`, read from its start: the reader's standard input. A file,
/// not a pipe: the reader may stop reading early (a size limit) without a blocked writer here.
int memory_file_with(std::string_view bytes) {
  int fd = memfd_create("shapelint-input", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(fd);
      return -1;
    }
    done += static_cast<std::size_t>(n);
  }
  if (lseek(fd, 0, SEEK_SET) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/// Starts the reader with `input` as its standard input and `answer` as its standard output;
/// the process id, or -1 with errno's description in `error`.
int spawn_reader(const std::filesystem::path& reader,
                 const std::vector<std::string>& args,
                 int input,
                 int answer,
                 std::string& error) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (input >= 0)
    posix_spawn_file_actions_adddup2(&actions, input, 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, answer, 1);
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, reader.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    error = fmt::format("cannot run {}: {}", reader.string(), std::strerror(rc));
    return -1;
  }
  return pid;
}

}  // namespace

std::string encode_model_file(const ModelFile& file) {
  json diagnostics = json::array();
  for (const auto& d : file.diagnostics)
    diagnostics.push_back(encode_diagnostic(d));
  json j{{"container", std::string(container_argument(file.container))},
         {"format", file.format},
         {"config_text", optional_string(file.config_text)},
         {"member", file.member},
         {"keras_version", optional_string(file.keras_version)},
         {"backend", optional_string(file.backend)},
         {"weights_problem", file.weights_problem},
         {"diagnostics", std::move(diagnostics)},
         {"not_a_model", file.not_a_model}};
  if (file.weights)
    j["weights"] = encode_weights(*file.weights);
  std::vector<std::uint8_t> bytes = json::to_cbor(j);
  return std::string(bytes.begin(), bytes.end());
}

std::optional<ModelFile> decode_model_file(std::string_view bytes) {
  try {
    json j = json::from_cbor(bytes);
    ModelFile out;
    std::optional<Container> container =
        container_from_argument(j.at("container").get<std::string>());
    if (!container)
      return std::nullopt;
    out.container = *container;
    out.format = j.at("format").get<std::string>();
    out.config_text = string_or_none(j, "config_text");
    out.member = j.at("member").get<std::string>();
    out.keras_version = string_or_none(j, "keras_version");
    out.backend = string_or_none(j, "backend");
    out.weights_problem = j.at("weights_problem").get<std::string>();
    for (const auto& d : j.at("diagnostics"))
      out.diagnostics.push_back(decode_diagnostic(d));
    out.not_a_model = j.at("not_a_model").get<bool>();
    if (auto it = j.find("weights"); it != j.end())
      out.weights = decode_weights(*it);
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string encode_read_limits(const ReadLimits& limits) {
  return limits_json(limits).dump();
}

std::optional<ReadLimits> decode_read_limits(std::string_view text) {
  try {
    return limits_from_json(json::parse(text));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string encode_read_request(Container container,
                                const ReadLimits& limits,
                                const std::string& path) {
  // dump() escapes control characters: a path with a newline stays on its one line.
  return json{{"container", std::string(container_argument(container))},
              {"limits", limits_json(limits)},
              {"path", path}}
             .dump() +
         "\n";
}

std::optional<ReadRequest> decode_read_request(std::string_view line) {
  try {
    json j = json::parse(line);
    std::optional<Container> container =
        container_from_argument(j.at("container").get<std::string>());
    if (!container || *container == Container::text)
      return std::nullopt;
    return ReadRequest{
        *container, limits_from_json(j.at("limits")), j.at("path").get<std::string>()};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string_view container_argument(Container container) {
  switch (container) {
    case Container::zip:
      return "zip";
    case Container::hdf5:
      return "hdf5";
    case Container::text:
      break;
  }
  return "text";
}

std::optional<Container> container_from_argument(std::string_view name) {
  if (name == "zip")
    return Container::zip;
  if (name == "hdf5")
    return Container::hdf5;
  if (name == "text")
    return Container::text;
  return std::nullopt;
}

std::optional<std::filesystem::path> find_reader_program(std::string& error) {
  std::vector<std::string> tried;
  for (const auto& candidate : reader_candidates()) {
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
    tried.push_back(candidate.string());
  }
  error = fmt::format("shapelint's container reader ({}) is not installed; looked in {}",
                      kReaderProgramName,
                      fmt::join(tried, ", "));
  return std::nullopt;
}

std::chrono::milliseconds reader_time_allowed(const ReadLimits& limits) {
  return limits.hdf5_timeout * 2 + std::chrono::seconds(30);
}

ModelFile read_in_reader_process(const std::filesystem::path& reader,
                                 const Source& source,
                                 Container container,
                                 const ReadLimits& limits,
                                 std::optional<std::chrono::milliseconds> time_allowed) {
  std::chrono::milliseconds allowed = time_allowed ? *time_allowed : reader_time_allowed(limits);
  Fd input(source.in_memory ? memory_file_with(source.bytes) : -1);
  if (source.in_memory && input.get() < 0)
    return unreadable(
        container,
        fmt::format("cannot hand it to {}: {}", kReaderProgramName, std::strerror(errno)));
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return unreadable(container,
                      fmt::format("cannot start {}: {}", kReaderProgramName, std::strerror(errno)));
  Fd answer_read(fds[0]);
  Fd answer_write(fds[1]);
  std::vector<std::string> args{kReaderProgramName,
                                std::string(container_argument(container)),
                                encode_read_limits(limits),
                                source.in_memory ? "-" : source.path};
  std::string error;
  int pid = spawn_reader(reader, args, input.get(), answer_write.get(), error);
  answer_write.reset();  // the reader holds the write end now; end-of-answer is its exit
  input.reset();
  if (pid < 0)
    return unreadable(container, error);
  std::string answer;
  auto deadline = std::chrono::steady_clock::now() + allowed;
  Collected collected =
      collect_answer(answer_read.get(), deadline, max_answer_bytes(limits), answer);
  if (collected != Collected::complete)
    kill(pid, SIGKILL);
  int status = wait_for_child(pid);
  if (collected == Collected::timed_out)
    return unreadable(container,
                      fmt::format("{} did not finish reading it within {} s (twice {}, plus 30 s)",
                                  kReaderProgramName,
                                  static_cast<double>(allowed.count()) / 1000.0,
                                  limit_note("hdf5-timeout")));
  if (collected == Collected::too_large)
    return unreadable(container,
                      fmt::format("{}'s answer exceeded its size limit", kReaderProgramName));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return unreadable(container, describe_exit(status));
  std::optional<ModelFile> file = decode_model_file(answer);
  if (!file)
    return unreadable(container,
                      fmt::format("{}'s answer was cut short or malformed", kReaderProgramName));
  return std::move(*file);
}

}  // namespace shapelint::io

namespace shapelint::io {

namespace {

/// Sends all of `data` on socket `fd`; false when the reader is gone (no SIGPIPE: the
/// program's own output may still go to a pipe that wants it).
bool send_all(int fd, std::string_view data) {
  return write_fully(data, [fd](const char* bytes, std::size_t size) {
    return send(fd, bytes, size, MSG_NOSIGNAL);
  });
}

/// How reading a serving reader's answer ended.
enum class Answer { complete, timed_out, closed, too_large };

/// Reads exactly `n` bytes from `fd` into `out` before `deadline`.
Answer read_exactly(int fd,
                    std::size_t n,
                    std::chrono::steady_clock::time_point deadline,
                    std::string& out) {
  out.resize(n);
  std::size_t done = 0;
  while (done < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return Answer::timed_out;
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready <= 0)
      continue;  // EINTR or a second without data: look at the deadline again
    ssize_t got = read(fd, out.data() + done, n - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return Answer::closed;
    done += static_cast<std::size_t>(got);
  }
  return Answer::complete;
}

/// A serving reader's answer: an 8-byte little-endian length, then that many bytes of CBOR.
Answer read_answer(int fd,
                   std::chrono::steady_clock::time_point deadline,
                   std::size_t max_bytes,
                   std::string& out) {
  std::string length_bytes;
  Answer a = read_exactly(fd, 8, deadline, length_bytes);
  if (a != Answer::complete)
    return a;
  std::uint64_t length = 0;
  for (int i = 7; i >= 0; --i)
    length = (length << 8) | static_cast<unsigned char>(length_bytes[static_cast<std::size_t>(i)]);
  if (length > max_bytes)
    return Answer::too_large;
  return read_exactly(fd, static_cast<std::size_t>(length), deadline, out);
}

}  // namespace

std::string frame_answer(std::string_view cbor) {
  std::string out(8, '\0');
  std::uint64_t length = cbor.size();
  for (std::size_t i = 0; i < 8; ++i)
    out[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
  out.append(cbor);
  return out;
}

ReaderPool::~ReaderPool() {
  for (const Server& s : idle_)
    close(s.fd);  // the reader sees the end of its requests and exits; no need to wait
}

std::optional<ReaderPool::Server> ReaderPool::take(std::string& error) {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      Server s = idle_.back();
      idle_.pop_back();
      return s;
    }
  }
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    error = fmt::format("cannot start {}: {}", kReaderProgramName, std::strerror(errno));
    return std::nullopt;
  }
  Fd ours(fds[0]);
  Fd theirs(fds[1]);
  int pid =
      spawn_reader(reader_, {kReaderProgramName, "--serve"}, theirs.get(), theirs.get(), error);
  if (pid < 0)
    return std::nullopt;
  ++started_;
  Server s{pid, ours.get()};
  ours.release();
  return s;
}

void ReaderPool::give_back(Server server) {
  std::lock_guard lock(mutex_);
  idle_.push_back(server);
}

int ReaderPool::end(Server server) {
  kill(server.pid, SIGKILL);
  close(server.fd);
  return wait_for_child(server.pid);
}

ModelFile ReaderPool::read(const Source& source,
                           Container container,
                           const ReadLimits& limits,
                           std::optional<std::chrono::milliseconds> time_allowed) {
  if (source.in_memory)
    return read_in_reader_process(reader_, source, container, limits, time_allowed);
  std::chrono::milliseconds allowed = time_allowed ? *time_allowed : reader_time_allowed(limits);
  std::string request = encode_read_request(container, limits, source.path);
  std::string error;
  std::optional<Server> server = take(error);
  // An idle reader may have gone meanwhile (killed from outside): one more, new, try.
  if (server && !send_all(server->fd, request)) {
    end(*server);
    server = take(error);
    if (server && !send_all(server->fd, request)) {
      int status = end(*server);
      return unreadable(container, describe_exit(status));
    }
  }
  if (!server)
    return unreadable(container, error);
  std::string answer;
  auto deadline = std::chrono::steady_clock::now() + allowed;
  switch (read_answer(server->fd, deadline, max_answer_bytes(limits), answer)) {
    case Answer::complete:
      break;
    case Answer::timed_out:
      end(*server);
      return unreadable(
          container,
          fmt::format("{} did not finish reading it within {} s (twice {}, plus 30 s)",
                      kReaderProgramName,
                      static_cast<double>(allowed.count()) / 1000.0,
                      limit_note("hdf5-timeout")));
    case Answer::too_large:
      end(*server);
      return unreadable(container,
                        fmt::format("{}'s answer exceeded its size limit", kReaderProgramName));
    case Answer::closed: {
      // The reader ended while reading this file: how it ended is the finding.
      close(server->fd);
      int status = wait_for_child(server->pid);
      bool clean_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      return unreadable(
          container,
          clean_exit ? fmt::format("{}'s answer was cut short or malformed", kReaderProgramName)
                     : describe_exit(status));
    }
  }
  std::optional<ModelFile> file = decode_model_file(answer);
  if (!file) {
    end(*server);
    return unreadable(container,
                      fmt::format("{}'s answer was cut short or malformed", kReaderProgramName));
  }
  give_back(*server);
  return std::move(*file);
}

}  // namespace shapelint::io
