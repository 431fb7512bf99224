// The terminal table: model.summary() with both sides of every layer, the failing layer
// marked so it stands out with and without color, and every finding with its fix.
//
// The table is the default output, so it is written for speed: the whole text is built in
// one buffer (cells in one more), integers and shapes are appended in place, cells wrap
// line by line without vectors, and the stream gets a few large writes.
#include <algorithm>
#include <iterator>
#include <numeric>
#include <span>

#include <fmt/format.h>

#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"

namespace shapelint {

namespace {

using render_util::append_grouped;
using render_util::append_human_bytes;
using render_util::append_human_count;
using render_util::append_int;

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kCyan = "\x1b[36m";
constexpr std::string_view kBoldRed = "\x1b[1m\x1b[31m";
constexpr std::string_view kBoldYellow = "\x1b[1m\x1b[33m";
constexpr std::string_view kBoldCyan = "\x1b[1m\x1b[36m";

/// The text of the run, written to the stream in large pieces: one write for most runs, and
/// memory bounded for a model of a million layers.
class Output {
 public:
  // Room for a piece and the row that passes it: the text is written out once it holds a
  // piece (spill_if_large, between rows).
  Output(std::ostream& stream, bool use_color) : color(use_color), stream_(stream) {
    text.reserve(kPiece + kPiece / 4);
  }

  std::string text;
  const bool color;

  /// Appends `text` in `style` when coloring (an empty text gets no codes).
  void styled(std::string_view style, std::string_view s) {
    if (!color || s.empty()) {
      text += s;
      return;
    }
    text += style;
    text += s;
    text += kReset;
  }

  /// Called between rows: writes the text once it is large.
  void spill_if_large() {
    if (text.size() >= kPiece)
      flush();
  }

  void flush() {
    stream_.write(text.data(), static_cast<std::streamsize>(text.size()));
    text.clear();
  }

 private:
  static constexpr std::size_t kPiece = 64 * 1024;
  std::ostream& stream_;
};

/// "(None, 8), (None, 4)"; "?" for a shape of unknown rank, "-" for none.
void append_shapes_cell(std::string& out, const Shapes& shapes) {
  if (shapes.empty()) {
    out += '-';
    return;
  }
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (i)
      out += ", ";
    if (shapes[i].has_rank())
      append_shape(out, shapes[i]);
    else
      out += '?';
  }
}

/// "dense (Dense)", and in a graph "\n  <- a, b" for its inbound layers.
void append_name_cell(std::string& out, const LayerRow& row, bool functional) {
  out += row.name;
  out += " (";
  out += row.class_name;
  out += ')';
  if (!functional || row.inbound.empty())
    return;
  out += "\n  <- ";
  bool first = true;
  for (std::string_view producer : row.inbound) {
    if (!first)
      out += ", ";
    out += producer;
    first = false;
  }
}

/// Cells one after another in a few buffers of about kChunkBytes: a string per cell would be
/// an allocation per cell, and one buffer grown by doubling takes the blocks it outgrew from
/// memory too (they are kept for later blocks of their sizes): a table of 2,000 layers had
/// 230 KiB of cells in blocks of 455 KiB, which pushed its lint into one more 2 MiB page.
class Cells {
 public:
  Cells() : chunks_(1) {}

  /// The cell being written is appended here, then ended with `end_cell`. The same string
  /// for all the cells of a row (start_row).
  std::string& text() { return chunks_.back(); }

  void end_cell() {
    ends_.push_back((std::uint64_t{chunks_.size() - 1} << 32) | chunks_.back().size());
  }

  /// Called before a row's first cell: the row goes to a new buffer once the current one
  /// holds kChunkBytes.
  void start_row() {
    if (chunks_.back().size() < kChunkBytes)
      return;
    chunks_.emplace_back();
    chunks_.back().reserve(kChunkBytes + kChunkBytes / 4);  // room for the row that passes it
  }

  /// Room for `count` cells' ends.
  void reserve_cells(std::size_t count) { ends_.reserve(count); }

  void clear() {
    chunks_.resize(1);
    chunks_.back().clear();
    ends_.clear();
  }

  /// The i-th cell written since the last clear().
  std::string_view at(std::size_t i) const {
    std::uint64_t end = ends_[i];
    std::uint64_t chunk = end >> 32;
    std::uint64_t begin = i != 0 && ends_[i - 1] >> 32 == chunk ? ends_[i - 1] & kOffsetMask : 0;
    return std::string_view(chunks_[chunk]).substr(begin, (end & kOffsetMask) - begin);
  }

 private:
  static constexpr std::size_t kChunkBytes = std::size_t{32} << 10;
  static constexpr std::uint64_t kOffsetMask = 0xFFFFFFFF;

  std::vector<std::string> chunks_;
  std::vector<std::uint64_t> ends_;  ///< each cell's buffer (high half) and end in it
};

struct Column {
  std::string_view header;
  bool right_align = false;
  std::size_t min_width = 0;  ///< shrinks no further; equal to the width for fixed columns
  std::size_t width = 0;
};

/// Shrinks the column with the most room above its minimum until the row fits `available`.
void fit_columns(std::vector<Column>& cols, std::size_t available) {
  auto total = [&] {
    return std::accumulate(
        cols.begin(), cols.end(), std::size_t{0}, [](std::size_t s, const Column& c) {
          return s + c.width;
        });
  };
  while (total() > available) {
    auto roomiest =
        std::max_element(cols.begin(), cols.end(), [](const Column& a, const Column& b) {
          return a.width - std::min(a.width, a.min_width) <
                 b.width - std::min(b.width, b.min_width);
        });
    if (roomiest->width <= roomiest->min_width)
      break;
    --roomiest->width;
  }
}

/// The width of the longest line of `text`.
std::size_t longest_line(std::string_view text) {
  std::size_t longest = 0;
  for (std::size_t start = 0;;) {
    std::size_t nl = text.find('\n', start);
    longest = std::max(longest, (nl == std::string_view::npos ? text.size() : nl) - start);
    if (nl == std::string_view::npos)
      return longest;
    start = nl + 1;
  }
}

/// Every column as wide as its header and its widest cell (`measure`), a right-aligned one
/// no narrower.
/// A table's cells, asked for row by row (to size the columns, then to write the rows), from
/// `make_row(r, cells)`, which appends row r's. A table of up to kRowsKept rows is made once
/// and kept; a larger one is made again row by row, each time asked: kept, a 100,000-layer
/// model's cells were a sixth of the peak memory of its lint.
template <typename MakeRow>
class TableCells {
 public:
  static constexpr std::size_t kRowsKept = 4096;

  TableCells(std::size_t rows, std::size_t columns, MakeRow make_row)
      : rows_(rows), columns_(columns), make_row_(make_row), all_kept_(rows <= kRowsKept) {
    if (!all_kept_)
      return;
    cells_.reserve_cells(rows * columns);
    for (std::size_t r = 0; r < rows; ++r) {
      cells_.start_row();
      make_row_(r, cells_);
    }
  }

  std::size_t rows() const { return rows_; }

  /// Row r's cell in column c. Rows are asked for in order.
  std::string_view at(std::size_t r, std::size_t c) {
    if (all_kept_)
      return cells_.at(r * columns_ + c);
    if (r != current_row_) {
      cells_.clear();
      make_row_(r, cells_);
      current_row_ = r;
    }
    return cells_.at(c);
  }

 private:
  std::size_t rows_;
  std::size_t columns_;
  MakeRow make_row_;
  bool all_kept_;
  Cells cells_;
  std::size_t current_row_ = static_cast<std::size_t>(-1);
};

template <typename MakeRow, typename Measure>
void size_columns(std::vector<Column>& cols, TableCells<MakeRow>& cells, Measure measure) {
  for (auto& col : cols)
    col.width = col.header.size();
  for (std::size_t r = 0; r < cells.rows(); ++r)
    for (std::size_t c = 0; c < cols.size(); ++c)
      cols[c].width = std::max(cols[c].width, measure(cells.at(r, c)));
  for (auto& col : cols)
    if (col.right_align)
      col.min_width = col.width;
}

constexpr std::size_t kIndent = 2, kGap = 2;

/// The dashes under the header and under the last row: as wide as the columns, at most
/// `width`.
std::size_t rule_length(const std::vector<Column>& cols, std::size_t width) {
  std::size_t length = kIndent + kGap * (cols.size() - 1);
  for (const auto& c : cols)
    length += c.width;
  return std::min(length, width);
}

/// Lays rows out under sized columns: each cell wrapped to its column, a row as many lines as
/// its tallest cell, trailing spaces trimmed. Lines are written straight into the output, the
/// padding after a cell only once text follows it (a graph's second line, the inbound layers,
/// would otherwise end in some sixty spaces to trim); the wrapping state is reused from row
/// to row.
class RowWriter {
 public:
  RowWriter(const std::vector<Column>& cols, Output& out)
      : cols_(cols), out_(out), wrapped_(cols.size()) {}

  /// The headers, in bold, each whole even where wider than its column.
  void header() {
    begin_line("  ", kBold);
    for (std::size_t c = 0; c < cols_.size(); ++c)
      append_cell(c, cols_[c].header);
    end_line();
  }

  /// A row of `cells` (the first column's text wrapped as prose), `mark` before its first
  /// line, every line in `style` ("" for none).
  void row(std::span<const std::string_view> cells, std::string_view mark, std::string_view style) {
    for (std::size_t c = 0; c < cols_.size(); ++c)
      wrapped_[c] = render_util::WrappedLines(cells[c], cols_[c].width, c == 0);
    // Every text has a first line, so a row has at least one.
    for (bool first = true; begin_row_line(first ? mark : "  ", style); first = false)
      end_line();
  }

 private:
  /// Starts a line: its style's code when coloring, then `indent`.
  void begin_line(std::string_view indent, std::string_view style) {
    std::string& text = out_.text;
    line_start_ = text.size();
    styled_ = out_.color && !style.empty();
    if (styled_)
      text += style;
    body_start_ = text.size();
    text += indent;
    pending_spaces_ = 0;
  }

  /// Lays out the rows' next line, false (and nothing written) when every cell has ended.
  bool begin_row_line(std::string_view indent, std::string_view style) {
    begin_line(indent, style);
    bool any = false;
    for (std::size_t c = 0; c < cols_.size(); ++c) {
      std::string_view text;
      any = wrapped_[c].next(text) || any;
      append_cell(c, text);
    }
    if (!any)
      out_.text.resize(line_start_);
    return any;
  }

  /// Appends `text` padded to column `c`'s width (on the left when it is right-aligned),
  /// after the gap from the column before.
  void append_cell(std::size_t c, std::string_view text) {
    const Column& col = cols_[c];
    if (c)
      pending_spaces_ += kGap;
    std::size_t fill = col.width > text.size() ? col.width - text.size() : 0;
    if (col.right_align)
      pending_spaces_ += fill;
    if (!text.empty()) {
      out_.text.append(pending_spaces_, ' ');
      out_.text += text;
      pending_spaces_ = 0;
    }
    if (!col.right_align)
      pending_spaces_ += fill;
  }

  /// Ends the line: trailing spaces (of the indent or of a text) trimmed, then the style's
  /// reset, or no code at all around a line left empty.
  void end_line() {
    std::string& text = out_.text;
    std::size_t end = text.size();
    while (end > body_start_ && text[end - 1] == ' ')
      --end;
    if (styled_ && end == body_start_)
      end = line_start_;
    text.resize(end);
    if (styled_ && end != line_start_)
      text += kReset;
    text += '\n';
  }

  const std::vector<Column>& cols_;
  Output& out_;
  std::vector<render_util::WrappedLines> wrapped_;
  std::size_t line_start_ = 0;  ///< where the line begins in the output, its style code first
  std::size_t body_start_ = 0;  ///< where its text begins, after the code
  bool styled_ = false;
  std::size_t pending_spaces_ = 0;  ///< padding not yet written: only text after it needs it
};

/// A row of the table's cells: name (with its inbound layers in a graph), input and output
/// shapes, parameter count.
void model_row(const FileReport& f, std::size_t i, Cells& cells) {
  const LayerRow& row = f.layers[i];
  std::string& text = cells.text();
  append_name_cell(text, row, f.functional);
  cells.end_cell();
  append_shapes_cell(text, row.input_shapes);
  cells.end_cell();
  if (row.status == "ok")
    append_shapes_cell(text, row.output_shapes);
  else
    text += '?';
  cells.end_cell();
  if (row.params)
    append_grouped(text, *row.params);
  else
    text += '?';
  cells.end_cell();
}

void append_param_totals(std::string& out, const ParamTotals& params) {
  out += "Total params: ";
  append_grouped(out, params.total);
  if (params.unknown_layers) {
    out += " (+ ";
    append_int(out, static_cast<std::int64_t>(params.unknown_layers));
    out += " layer(s) whose count is unknown)";
  }
  out += "\nTrainable params: ";
  append_grouped(out, params.trainable);
  out += "\nNon-trainable params: ";
  append_grouped(out, params.non_trainable);
  out += '\n';
}

void render_model_table(const FileReport& f, const RenderOptions& options, Output& out) {
  // A graph's inbound layers go under the layer's name, so four columns fit 80 terminal
  // columns; cells wrap (shapes after a comma) rather than truncate.
  std::vector<Column> cols{{f.functional ? "Layer (type) <- inbound" : "Layer (type)", false, 20},
                           {"Input shape", false, 18},
                           {"Output shape", false, 18},
                           {"Param #", true, 0}};
  TableCells cells(
      f.layers.size(), cols.size(), [&](std::size_t i, Cells& row) { model_row(f, i, row); });
  size_columns(cols, cells, [](std::string_view cell) {
    return std::min<std::size_t>(longest_line(cell), 1000);
  });
  std::size_t fixed = kIndent + kGap * (cols.size() - 1);
  fit_columns(cols, options.width > fixed ? options.width - fixed : 40);
  std::size_t rule = rule_length(cols, options.width);

  RowWriter writer(cols, out);
  writer.header();
  out.text.append(rule, '-');
  out.text += '\n';
  bool any_failed = false;
  for (std::size_t i = 0; i < f.layers.size(); ++i) {
    const LayerRow& row = f.layers[i];
    bool failed = row.status == "error";
    any_failed = any_failed || failed;
    std::string_view row_cells[] = {cells.at(i, 0), cells.at(i, 1), cells.at(i, 2), cells.at(i, 3)};
    std::string_view style = failed ? kBoldRed : row.status == "unknown" ? kDim : "";
    writer.row(row_cells, failed ? "> " : "  ", style);
    out.spill_if_large();
  }
  out.text.append(rule, '-');
  out.text += '\n';
  if (any_failed)
    out.text += "> marks the layer where Keras fails; '?' is a shape that cannot be known there\n";
  append_param_totals(out.text, f.params);
}

/// "3x3 (stride 2)": the receptive field of a layer's output in input positions.
void append_receptive_field(std::string& out, const LayerCost& cost) {
  if (!cost.receptive_field) {
    out += '-';
    return;
  }
  auto append_joined = [&](const std::vector<std::int64_t>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i)
        out += 'x';
      append_int(out, values[i]);
    }
  };
  append_joined(cost.receptive_field->size);
  const auto& stride = cost.receptive_field->stride;
  if (stride.empty())
    return;
  out += " (stride ";
  if (std::all_of(stride.begin(), stride.end(), [&](std::int64_t s) { return s == stride[0]; }))
    append_int(out, stride[0]);
  else
    append_joined(stride);
  out += ')';
}

void append_optional(std::string& out,
                     const std::optional<std::int64_t>& v,
                     void (*append)(std::string&, std::int64_t)) {
  if (v)
    append(out, *v);
  else
    out += '?';
}

/// A row of the cost table's cells: name, MACs, weight and activation memory, receptive field.
void cost_row(const FileReport& f, std::size_t i, Cells& cells) {
  const LayerRow& row = f.layers[i];
  std::string& text = cells.text();
  text += row.name;
  cells.end_cell();
  append_optional(text, row.cost.macs, append_human_count);
  cells.end_cell();
  append_optional(text, row.cost.weight_bytes, append_human_bytes);
  cells.end_cell();
  append_optional(text, row.cost.activation_bytes, append_human_bytes);
  cells.end_cell();
  append_receptive_field(text, row.cost);
  cells.end_cell();
}

/// " (+ 2 layer(s) unknown)" after a total, when some layers' numbers are unknown.
void append_unknown_layers(std::string& out, std::size_t n) {
  if (!n)
    return;
  out += " (+ ";
  append_int(out, static_cast<std::int64_t>(n));
  out += " layer(s) unknown)";
}

void append_cost_totals(std::string& out, const CostTotals& totals) {
  out += "Total MACs: ";
  append_grouped(out, totals.macs);
  out += " (";
  append_human_count(out, totals.macs);
  out += ')';
  append_unknown_layers(out, totals.macs_unknown_layers);
  out += "\nWeight memory: ";
  append_human_bytes(out, totals.weight_bytes);
  const auto& by_dtype = totals.weight_bytes_by_dtype;
  if (!by_dtype.empty()) {
    out += " (";
    bool first = true;
    for (const auto& [dtype, bytes] : by_dtype) {
      if (!first)
        out += ", ";
      first = false;
      if (by_dtype.size() > 1) {
        append_human_bytes(out, bytes);
        out += ' ';
      }
      out += dtype;
    }
    out += ')';
  }
  append_unknown_layers(out, totals.weight_unknown_layers);
  out += "\nActivation memory: ";
  append_human_bytes(out, totals.activation_bytes);
  out += " (every layer's outputs)";
  append_unknown_layers(out, totals.activation_unknown_layers);
  out += '\n';
}

/// --cost: a second table, so the first keeps its 80 columns: each layer's MACs, weight and
/// activation memory and receptive field, then the totals (docs/cost.md).
void render_cost_table(const FileReport& f, const RenderOptions& options, Output& out) {
  const CostTotals& totals = *f.cost;
  std::vector<Column> cols{{"Layer", false, 12},
                           {"MACs", true, 0},
                           {"Weights", true, 0},
                           {"Activations", true, 0},
                           {"Receptive field", false, 10}};
  TableCells cells(
      f.layers.size(), cols.size(), [&](std::size_t i, Cells& row) { cost_row(f, i, row); });
  size_columns(cols, cells, [](std::string_view cell) { return cell.size(); });
  std::size_t fixed = kIndent + kGap * (cols.size() - 1);
  fit_columns(cols, options.width > fixed + 20 ? options.width - fixed : 40);
  std::size_t rule = rule_length(cols, options.width);

  out.text += '\n';
  out.styled(kBold, fmt::format("Cost for a batch of {} (docs/cost.md)", totals.batch_size));
  out.text += '\n';
  RowWriter writer(cols, out);
  writer.header();
  out.text.append(rule, '-');
  out.text += '\n';
  for (std::size_t i = 0; i < f.layers.size(); ++i) {
    std::string_view row_cells[] = {
        cells.at(i, 0), cells.at(i, 1), cells.at(i, 2), cells.at(i, 3), cells.at(i, 4)};
    writer.row(row_cells, "  ", "");
    out.spill_if_large();
  }
  out.text.append(rule, '-');
  out.text += '\n';
  append_cost_totals(out.text, totals);
}

/// The lines of `text` wrapped as prose to `width`, each indented by `indent`; in `style`
/// ("" for none).
void append_wrapped(Output& out,
                    std::string_view text,
                    std::size_t width,
                    std::string_view first_indent,
                    std::string_view indent,
                    std::string_view style) {
  render_util::WrappedLines lines(text, width, true);
  std::string_view line;
  for (bool first = true; lines.next(line); first = false) {
    out.text += first ? first_indent : indent;
    if (style.empty())
      out.text += line;
    else
      out.styled(style, line);
    out.text += '\n';
  }
}

/// The width prose is wrapped to under a four-column indent.
std::size_t prose_width(const RenderOptions& options) {
  return options.width > 10 ? options.width - 4 : 40;
}

/// --valid-sizes: the sizes each input accepts, in words.
void render_valid_sizes(const FileReport& f, const RenderOptions& options, Output& out) {
  out.text += '\n';
  out.styled(kBold, "Valid input sizes");
  out.text += '\n';
  std::string head;
  for (const auto& s : f.valid_sizes) {
    head = s.input;
    if (s.rebuilt)
      head += " (rebuilt for each size)";
    head += ": ";
    head += s.description;
    if (s.smallest) {
      head += "; smallest ";
      head += *s.smallest;
    }
    append_wrapped(out, head, prose_width(options), "  ", "    ", "");
  }
}

/// "models/net.json:12:7 (config.layers[1])", or the path and JSON path without a line.
void append_location(std::string& out, const FileReport& f, const Diagnostic& d) {
  std::string at = location_path(f);
  if (d.line > 0)
    fmt::format_to(std::back_inserter(out), "{}:{}:{} ({})", at, d.line, d.column, d.json_path);
  else if (d.json_path.empty())
    out += at;
  else
    fmt::format_to(std::back_inserter(out), "{} at {}", at, d.json_path);
}

void render_diagnostic(const FileReport& f,
                       const Diagnostic& d,
                       const RenderOptions& options,
                       Output& out) {
  std::string_view head_style = d.severity == Severity::error     ? kBoldRed
                                : d.severity == Severity::warning ? kBoldYellow
                                                                  : kBoldCyan;
  out.styled(head_style, fmt::format("{}[{}]", to_string(d.severity), d.rule));
  if (d.layer)
    out.styled(kBold, fmt::format(" layer '{}'", *d.layer));
  out.text += '\n';
  append_wrapped(out, d.message, prose_width(options), "    ", "    ", "");
  if (!d.hint.empty())
    append_wrapped(out, "hint: " + d.hint, prose_width(options), "    ", "    ", kCyan);
  std::string where = "    --> ";
  append_location(where, f, d);
  out.styled(kDim, where);
  out.text += '\n';
}

/// The path, and the model's class, name and format when known.
void append_title(Output& out, const FileReport& f) {
  std::string title = f.path;
  if (f.model_class)
    fmt::format_to(std::back_inserter(title),
                   ": {} '{}' ({})",
                   *f.model_class,
                   f.model_name.value_or(""),
                   f.format);
  else if (f.format != "unknown")
    fmt::format_to(std::back_inserter(title), " ({})", f.format);
  out.styled(kBold, title);
  out.text += '\n';
}

/// "ok: no shape errors", and how many layers could not be checked.
void append_verdict(Output& out, const FileReport& f) {
  std::size_t unknown = 0;
  for (const auto& row : f.layers)
    unknown += row.status == "unknown" ? 1 : 0;
  std::string verdict = "ok: no shape errors";
  if (unknown)
    fmt::format_to(std::back_inserter(verdict), " ({} layer(s) could not be checked)", unknown);
  out.styled(kBold, verdict);
  out.text += '\n';
}

void render_file(const FileReport& f, const RenderOptions& options, Output& out) {
  append_title(out, f);
  if (f.what_if)
    fmt::format_to(
        std::back_inserter(out.text), "what-if: replaying the built model on {}\n", *f.what_if);
  if (!options.quiet && !f.layers.empty())
    render_model_table(f, options, out);
  if (!options.quiet && options.cost && f.cost && !f.layers.empty())
    render_cost_table(f, options, out);
  if (!f.valid_sizes.empty())
    render_valid_sizes(f, options, out);
  if (!f.diagnostics.empty()) {
    if (!options.quiet && !f.layers.empty())
      out.text += '\n';
    for (const auto& d : f.diagnostics) {
      render_diagnostic(f, d, options, out);
      out.spill_if_large();
    }
  }
  if (f.status == "ok")
    append_verdict(out, f);
}

}  // namespace

void render_table(const RunReport& raw, const RenderOptions& options, std::ostream& stream) {
  std::optional<RunReport> escaped;
  const RunReport& run = render_util::printable_report(raw, escaped);  // names from hostile files
  Output out(stream, options.color);
  std::size_t files = 0;
  for (const auto& f : run.files) {
    if (f.skipped)
      continue;
    if (files++)
      out.text += '\n';
    render_file(f, options, out);
    out.spill_if_large();
  }
  if (files > 1)
    fmt::format_to(std::back_inserter(out.text),
                   "\n{} file(s): {} error(s), {} warning(s), {} note(s)\n",
                   files,
                   run.errors,
                   run.warnings,
                   run.notes);
  out.flush();
}

}  // namespace shapelint
