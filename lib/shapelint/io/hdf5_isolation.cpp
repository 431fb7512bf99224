// Runs the HDF5 reader in a child process. The HDF5 C library is not hardened against hostile
// files (out-of-bounds reads, endless loops, huge allocations driven by declared sizes), so it
// never runs in the process that lints the other files: the child gets CPU, memory and
// wall-clock limits, sends back what it read as CBOR through a pipe, and a child that crashes,
// hangs or runs out of memory becomes an "unreadable file" finding for that file alone.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/limit_hint.hpp"
#include "shapelint/io/child_answer.hpp"
#include "shapelint/io/readers.hpp"
#include "shapelint/io/write_all.hpp"
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SHAPELINT_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHAPELINT_UNDER_ASAN 1
#endif
#endif

namespace shapelint::io {

namespace {

using nlohmann::json;

std::string to_answer(const Hdf5Contents& c) {
  json j{{"opened", c.opened},
         {"error", c.error},
         {"model_config", optional_string(c.model_config)},
         {"keras_version", optional_string(c.keras_version)},
         {"backend", optional_string(c.backend)},
         {"weights_only", c.weights_only},
         {"weights_error", c.weights_error}};
  if (c.weights) {
    json weights = json::array();
    for (const auto& w : *c.weights)
      weights.push_back(json{w.layer, w.group, w.weight, w.shape});
    j["weights"] = std::move(weights);
  }
  // CBOR carries strings byte for byte: a model_config that is not UTF-8 reaches the loader
  // as it is in the file, and the loader says where it breaks (JSON text could not hold it).
  std::vector<std::uint8_t> bytes = json::to_cbor(j);
  return std::string(bytes.begin(), bytes.end());
}

Hdf5Contents from_answer(const std::string& text) {
  Hdf5Contents c;
  json j = json::from_cbor(text);
  c.opened = j.at("opened").get<bool>();
  c.error = j.at("error").get<std::string>();
  c.model_config = string_or_none(j, "model_config");
  c.keras_version = string_or_none(j, "keras_version");
  c.backend = string_or_none(j, "backend");
  c.weights_only = j.at("weights_only").get<bool>();
  c.weights_error = j.at("weights_error").get<std::string>();
  if (auto it = j.find("weights"); it != j.end()) {
    c.weights.emplace();
    for (const auto& w : *it)
      c.weights->push_back(RecordedWeight{w.at(0).get<std::string>(),
                                          w.at(1).get<std::string>(),
                                          w.at(2).get<std::string>(),
                                          w.at(3).get<std::vector<std::int64_t>>()});
  }
  return c;
}

/// The child keeps only standard streams and its answer pipe. Files are linted on several
/// threads, so other threads' pipes are open at fork time; a child holding their write ends
/// would delay the end-of-answer those threads wait for.
void close_other_fds(int keep) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  bool below = keep <= 3 || close_range(3, static_cast<unsigned>(keep) - 1, 0) == 0;
  if (below && close_range(static_cast<unsigned>(keep) + 1, ~0U, 0) == 0)
    return;
#endif
  long max_fd = sysconf(_SC_OPEN_MAX);
  if (max_fd < 0 || max_fd > 65536)
    max_fd = 65536;
  for (int fd = 3; fd < max_fd; ++fd)
    if (fd != keep)
      close(fd);
}

void limit_resource(int resource, rlim_t value) {
  rlimit r{value, value};
  setrlimit(resource, &r);
}

/// The child: limits, read, answer, and leave without running the parent's exit handlers.
[[noreturn]] void run_child(int answer_fd,
                            const Source& source,
                            WeightsLayout layout,
                            const ReadLimits& limits) {
  close_other_fds(answer_fd);
  // Standard input and output may be shapelint-reader's answer channel: the HDF5 library has
  // nothing to read there, and nothing it might print may land in an answer.
  if (int null_fd = open("/dev/null", O_RDWR); null_fd >= 0) {
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    if (null_fd > 2)
      close(null_fd);
  }
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(limits.hdf5_timeout).count();
  limit_resource(RLIMIT_CPU, static_cast<rlim_t>(seconds + 1));
  limit_resource(RLIMIT_CORE, 0);
  limit_resource(RLIMIT_FSIZE, 0);  // the reader writes no files
#ifndef SHAPELINT_UNDER_ASAN
  // AddressSanitizer reserves terabytes of address space up front; a cap would kill it.
  limit_resource(RLIMIT_AS, static_cast<rlim_t>(limits.hdf5_memory_bytes));
#endif
  int code = 0;
  try {
    std::string answer = to_answer(read_hdf5_in_process(source, layout, limits));
    code = write_all(answer_fd, answer) ? 0 : 3;
  } catch (...) {
    code = 4;  // out of memory inside our own code, typically
  }
  close(answer_fd);
  _exit(code);
}

std::string describe_exit(int status, const ReadLimits& limits) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU)
      return fmt::format("the HDF5 library did not finish within its CPU time limit, {}",
                         limit_note("hdf5-timeout"));
    const char* name = strsignal(sig);
    return fmt::format("the HDF5 library crashed on it ({})", name ? name : "signal");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
    return fmt::format("reading it took more memory than the {} allowed, {}",
                       readable_size(limits.hdf5_memory_bytes),
                       limit_note("hdf5-memory"));
  return fmt::format("the HDF5 reader failed (exit status {})",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/// The serial HDF5 library is not thread-safe: when it must run in this process (no child
/// could be started), one file at a time.
Hdf5Contents read_in_this_process(const Source& source,
                                  WeightsLayout layout,
                                  const ReadLimits& limits) {
  static std::mutex hdf5_mutex;
  std::lock_guard lock(hdf5_mutex);
  return read_hdf5_in_process(source, layout, limits);
}

Hdf5Contents failed(std::string why) {
  Hdf5Contents c;
  // A limit that stopped the reader says so, and the hint says how to raise it; anything
  // else is the file's doing.
  c.error = limit_in(why).empty()
                ? std::move(why) + "; the file is damaged or not what it claims to be"
                : std::move(why);
  return c;
}

}  // namespace

Hdf5Contents read_hdf5_isolated(const Source& source,
                                WeightsLayout layout,
                                const ReadLimits& limits) {
  // Loaded here, before the fork: a child of a process with several threads should not
  // run the dynamic loader.
  std::string unavailable;
  if (!hdf5_reader_available(unavailable)) {
    Hdf5Contents c;
    c.error = unavailable;
    return c;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return read_in_this_process(source, layout, limits);  // no isolation to be had
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return read_in_this_process(source, layout, limits);
  }
  if (pid == 0) {
    close(fds[0]);
    run_child(fds[1], source, layout, limits);
  }
  close(fds[1]);
  std::string answer;
  auto deadline = std::chrono::steady_clock::now() + limits.hdf5_timeout;
  Collected collected = collect_answer(fds[0], deadline, max_answer_bytes(limits), answer);
  close(fds[0]);
  if (collected != Collected::complete)
    kill(pid, SIGKILL);
  int status = wait_for_child(pid);
  if (collected == Collected::timed_out)
    return failed(fmt::format("the HDF5 library did not finish reading it within {} s, {}",
                              limits.hdf5_timeout.count() / 1000.0,
                              limit_note("hdf5-timeout")));
  if (collected == Collected::too_large)
    return failed("the HDF5 reader's answer exceeded its size limit");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return failed(describe_exit(status, limits));
  try {
    return from_answer(answer);
  } catch (const std::exception&) {
    return failed("the HDF5 reader's answer was cut short");
  }
}

}  // namespace shapelint::io
