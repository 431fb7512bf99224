#pragma once
// What the fuzz targets share: the properties every report must have, whatever the input.
// A broken property aborts, so libFuzzer keeps the input as a crash like any other.
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/io/model_file.hpp"
#include "shapelint/lint/lint.hpp"
#include "shapelint/render/render.hpp"
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#include <signal.h>

namespace shapelint::fuzz {

inline void expect(bool holds, const char* property) {
  if (!holds) {
    std::fprintf(stderr, "fuzz: property broken: %s\n", property);
    std::abort();
  }
}

/// A status the contract knows, catalogued rule ids, and a message for every finding.
inline void check_report(const FileReport& report) {
  expect(report.status == "ok" || report.status == "error" || report.status == "invalid",
         "status is ok, error or invalid");
  for (const auto& d : report.diagnostics) {
    expect(find_rule_info(d.rule) != nullptr, "every finding's rule id is in the catalogue");
    expect(!d.message.empty(), "every finding has a message");
  }
}

/// Every output format renders the report; the JSON ones are valid JSON. Hostile names and
/// messages (control characters, bytes that are not UTF-8) must not break any of them.
inline void render_all(const FileReport& report) {
  RunReport run;
  run.tool_version = "fuzz";
  run.files.push_back(report);
  tally(run);
  for (const auto& renderer : renderers()) {
    std::ostringstream out;
    renderer.render(run, RenderOptions{}, out);
    if (renderer.name == "json" || renderer.name == "sarif") {
      auto doc = nlohmann::json::parse(out.str(), nullptr, /*allow_exceptions=*/false);
      expect(!doc.is_discarded(), "the json and sarif reports are valid JSON");
    }
  }
}

/// Limits that keep a fuzzing run fast: a hung HDF5 child is killed after 3 s, not 30.
inline LintOptions fuzz_options() {
  LintOptions options;
  options.read_limits.hdf5_timeout = std::chrono::seconds(3);
  return options;
}

/// The HDF5 reader forks a child per file. A crash in the child is the isolation at work
/// (the parent turns it into a finding), so the child must not run libFuzzer's crash handling,
/// which would save the input as a crash of the fuzzer: it dies as it would in production.
/// That includes the signals libFuzzer handles itself: a child past its CPU limit (SIGXCPU)
/// or its file size limit of zero (SIGXFSZ, which libFuzzer's own crash file then raised)
/// left empty "crash-" files behind while the parent went on.
inline void let_children_crash_quietly() {
  pthread_atfork(nullptr, nullptr, [] {
    __sanitizer_set_death_callback(nullptr);
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGXCPU, SIGXFSZ})
      signal(sig, SIG_DFL);
  });
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// One fuzz input of one kind: bytes of another kind are left to their own target (-1 keeps
/// them out of this corpus); the rest goes through the pipeline, its report is checked and
/// rendered in every format.
inline int lint_one(const std::uint8_t* data,
                    std::size_t size,
                    io::Container kind,
                    const char* display_name) {
  std::string_view bytes = as_text(data, size);
  if (io::sniff_container(bytes) != kind)
    return -1;
  FileReport report = lint_text(bytes, display_name, fuzz_options());
  check_report(report);
  render_all(report);
  return 0;
}

}  // namespace shapelint::fuzz
