#pragma once
// What the programs that read containers for shapelint (the forked HDF5 reader, the
// shapelint-reader program) send back through a pipe, collected with a deadline and a size cap.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "shapelint/io/model_file.hpp"

namespace shapelint::io {

/// How collecting an answer ended.
enum class Collected { complete, timed_out, too_large };

/// Reads `fd` until the writer closes it, the answer outgrows `max_bytes`, or `deadline` passes.
Collected collect_answer(int fd,
                         std::chrono::steady_clock::time_point deadline,
                         std::size_t max_bytes,
                         std::string& out);

/// The largest answer a reader can honestly send: no more than what it may read (the config,
/// the metadata, the weight records), plus the encoding around it.
std::size_t max_answer_bytes(const ReadLimits& limits);

/// Waits for child `pid` to end and returns its wait status.
int wait_for_child(int pid);

/// An optional string in an answer: the string, or null.
inline nlohmann::json optional_string(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json();
}

/// The string at `key` of an answer, or nothing when it is absent or of another type.
inline std::optional<std::string> string_or_none(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    return std::nullopt;
  return it->get<std::string>();
}

}  // namespace shapelint::io
