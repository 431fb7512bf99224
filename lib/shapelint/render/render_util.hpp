#pragma once
// Helpers the output formats share; not part of the library's interface.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/lint/report.hpp"

namespace shapelint::render_util {

/// "(None, 26, 26, 32)"; several tensors joined by ", "; "?" for an unknown shape or none.
std::string shapes_text(const Shapes& shapes);

/// A report path as other tools want it: relative to the working directory when it lies
/// below it, '/'-separated.
std::string portable_path(const std::string& path);

/// Whether the file's path names a real file (not standard input).
bool has_file(const FileReport& f);

/// A finding together with the file it belongs to.
struct Finding {
  const FileReport* file;
  const Diagnostic* diagnostic;
};

/// Every finding of the run, most useful first: errors, then warnings, then notes; within a
/// severity, each file's first finding before any file's second (findings follow the
/// model's layer order), then file order.
std::vector<Finding> findings_by_importance(const RunReport& run);

/// The files that are reported (not skipped).
std::vector<const FileReport*> reported_files(const RunReport& run);

/// A model as a graph for the picture formats (dot, mermaid): one node per layer of the
/// table, an edge per inbound connection labelled with the producer's output shapes, plus
/// terminal nodes so that the model's inputs and outputs show their shapes too.
/// Its parts point into the report's rows, and an edge's label is written when it is asked
/// for: a model of 100,000 layers has as many nodes and edges.
struct GraphView {
  struct Node {
    const LayerRow* row = nullptr;  ///< none for a terminal node
    std::string_view label;         ///< a terminal's text ("input", "output")
  };

  struct Edge {
    std::size_t from = 0;
    std::size_t to = 0;
    const Shapes* shapes = nullptr;  ///< the shapes it carries; null when they are unknown

    /// "(None, 28, 28, 1)", or "?".
    std::string label() const;
  };

  std::vector<Node> nodes;
  std::vector<Edge> edges;
};

GraphView graph_view(const FileReport& f);

/// Which top-level row holds a layer name, the first such row winning: every row (with
/// `nested`, nested models' rows too, under their model's row), sorted by name, beside its
/// top-level row's index. A lookup is a binary search, in 16 bytes a row where a hash map
/// took about 50.
class RowOfLayer {
 public:
  RowOfLayer(const std::vector<LayerRow>& rows, bool nested);

  std::optional<std::size_t> find(std::string_view name) const;

 private:
  struct Entry {
    const LayerRow* row;  ///< the row of this name (a nested model's row, perhaps)
    std::uint32_t top;    ///< the top-level row it is in
  };

  void add(const LayerRow& row, std::size_t top, bool nested);

  std::vector<Entry> entries_;
};

/// The label of a layer's node: name, class, and parameter count when it has any.
std::vector<std::string> layer_label_lines(const LayerRow& row);

/// The rule ids of the errors that name `layer`, "SL104, SL102".
std::string error_rules(const FileReport& f, const std::string& layer);

/// `text` with every byte sequence that is not UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

/// `text` with its control characters (C0, DEL, C1) written as escapes, `\n`, `\x1b`,
/// `\u009b`: a name in a hostile file must not drive the terminal (colors, clearing it) or
/// add lines to line-based output (a CI log reads `::error::` lines as commands).
std::string printable(std::string_view text);

/// The report with `printable` applied to every string a file can put there; the renderers
/// for terminals and logs (table, compact, markdown) print this. `run` itself when nothing
/// needs an escape (the usual case: no copy of a large report), else a copy made in `copy`.
const RunReport& printable_report(const RunReport& run, std::optional<RunReport>& copy);

/// "1 error", "2 warnings".
std::string count_noun(std::size_t n, std::string_view singular);

/// Appends `n` in decimal: no string made for it.
void append_int(std::string& out, std::int64_t n);

/// Appends `group_thousands(n)`, "1,234,567".
void append_grouped(std::string& out, std::int64_t n);

/// Append `human_count(n)`, "1.23K", and `human_bytes(n)`, "13.5 MiB".
void append_human_count(std::string& out, std::int64_t n);
void append_human_bytes(std::string& out, std::int64_t n);

/// The lines of `text` wrapped to `width` columns (1 when 0), one at a time: at '\n', then
/// after ", " where possible (shapes) or at spaces (prose), mid-word only when nothing else
/// fits. A table lays a row's cells out side by side as they wrap, with no vector of lines
/// per cell. The lines are views into `text`, which must outlive them; a hostile
/// megabyte-long name wraps in linear time.
class WrappedLines {
 public:
  WrappedLines() = default;  ///< no lines
  WrappedLines(std::string_view text, std::size_t width, bool prose);

  /// The next line into `line`, false after the last one. Any text, even an empty one, has
  /// at least one line; a text ending in '\n' ends with an empty line.
  bool next(std::string_view& line);

 private:
  void begin_paragraph(std::string_view text);
  std::string_view cut_line();

  std::string_view rest_;   ///< what is left of the paragraph being wrapped
  std::string_view after_;  ///< the text after that paragraph's '\n'
  bool more_paragraphs_ = false;
  bool done_ = true;
  std::size_t width_ = 1;
  bool prose_ = false;
};

}  // namespace shapelint::render_util
