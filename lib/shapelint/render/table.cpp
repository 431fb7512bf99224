// The terminal table: model.summary() with both sides of every layer, the failing layer
// marked so it stands out with and without color, and every finding with its fix.
#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"

namespace shapelint {

namespace {

constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kCyan = "\x1b[36m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kReset = "\x1b[0m";

class Painter {
 public:
  explicit Painter(bool enabled) : enabled_(enabled) {}

  std::string operator()(std::string_view style, std::string_view text) const {
    if (!enabled_ || text.empty())
      return std::string(text);
    return fmt::format("{}{}{}", style, text, kReset);
  }

 private:
  bool enabled_;
};

std::string shape_cell(const Shapes& shapes) {
  if (shapes.empty())
    return "-";
  std::string out;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (i)
      out += ", ";
    out += shapes[i].has_rank() ? to_string(shapes[i]) : "?";
  }
  return out;
}

/// Splits `text` into lines of at most `width` columns: at '\n', then after ", " where
/// possible (shapes) or at spaces (prose), and mid-word only when nothing else fits.
std::vector<std::string_view> wrap(std::string_view text, std::size_t width, bool prose = false) {
  std::vector<std::string_view> lines;
  if (width == 0)
    width = 1;
  std::size_t start = 0;
  while (true) {
    std::size_t nl = text.find('\n', start);
    // A view, not a copy: a hostile megabyte-long name must wrap in linear time.
    std::string_view rest =
        text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    while (rest.size() > width) {
      std::size_t comma = prose ? std::string::npos : rest.rfind(", ", width - 1);
      if (comma != std::string::npos && comma > 0) {
        lines.emplace_back(rest.substr(0, comma + 1));
        rest.remove_prefix(comma + 2);
        continue;
      }
      std::size_t space = rest.rfind(' ', width);
      if (space != std::string::npos && space > 0) {
        lines.emplace_back(rest.substr(0, space));
        rest.remove_prefix(space + 1);
      } else {
        lines.emplace_back(rest.substr(0, width));
        rest.remove_prefix(width);
      }
    }
    lines.emplace_back(rest);
    if (nl == std::string::npos)
      break;
    start = nl + 1;
  }
  return lines;
}

struct Column {
  std::string header;
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

/// Appends `text` padded with spaces to `width` columns, on the left when `right`.
void append_padded(std::string& out, std::string_view text, std::size_t width, bool right) {
  std::size_t fill = width > text.size() ? width - text.size() : 0;
  if (right)
    out.append(fill, ' ');
  out.append(text);
  if (!right)
    out.append(fill, ' ');
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

void render_model_table(const FileReport& f, const RenderOptions& options, std::ostream& out) {
  Painter paint(options.color);
  // A graph's inbound layers go under the layer's name, so four columns fit 80 terminal
  // columns; cells wrap (shapes after a comma) rather than truncate.
  std::vector<Column> cols{{f.functional ? "Layer (type) <- inbound" : "Layer (type)", false, 20},
                           {"Input shape", false, 18},
                           {"Output shape", false, 18},
                           {"Param #", true, 0}};
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : f.layers) {
    std::string name = fmt::format("{} ({})", row.name, row.class_name);
    if (f.functional && !row.inbound.empty())
      name += fmt::format("\n  <- {}", fmt::join(row.inbound, ", "));
    cells.push_back({std::move(name),
                     shape_cell(row.input_shapes),
                     row.status == "ok" ? shape_cell(row.output_shapes) : "?",
                     row.params ? group_thousands(*row.params) : "?"});
  }
  for (std::size_t c = 0; c < cols.size(); ++c) {
    cols[c].width = cols[c].header.size();
    for (const auto& r : cells)
      cols[c].width = std::max(cols[c].width, std::min<std::size_t>(longest_line(r[c]), 1000));
    if (cols[c].right_align)
      cols[c].min_width = cols[c].width;
  }
  constexpr std::size_t kMark = 2, kGap = 2;
  std::size_t available = options.width > kMark + kGap * (cols.size() - 1)
                              ? options.width - kMark - kGap * (cols.size() - 1)
                              : 40;
  fit_columns(cols, available);
  std::size_t rule_width = kMark + kGap * (cols.size() - 1);
  for (const auto& c : cols)
    rule_width += c.width;
  std::string rule(std::min(rule_width, options.width), '-');

  std::string header = std::string(kMark, ' ');
  for (std::size_t c = 0; c < cols.size(); ++c) {
    if (c)
      header.append(kGap, ' ');
    append_padded(header, cols[c].header, cols[c].width, cols[c].right_align);
  }
  while (!header.empty() && header.back() == ' ')
    header.pop_back();
  out << paint(kBold, header) << '\n' << rule << '\n';

  bool any_failed = false;
  for (std::size_t i = 0; i < f.layers.size(); ++i) {
    const LayerRow& row = f.layers[i];
    bool failed = row.status == "error";
    any_failed = any_failed || failed;
    std::vector<std::vector<std::string_view>> wrapped;
    std::size_t height = 1;
    for (std::size_t c = 0; c < cols.size(); ++c) {
      wrapped.push_back(wrap(cells[i][c], cols[c].width, c == 0));
      height = std::max(height, wrapped.back().size());
    }
    for (std::size_t line = 0; line < height; ++line) {
      std::string text = line == 0 && failed ? "> " : std::string(kMark, ' ');
      for (std::size_t c = 0; c < cols.size(); ++c) {
        std::string_view cell = line < wrapped[c].size() ? wrapped[c][line] : "";
        if (c)
          text.append(kGap, ' ');
        append_padded(text, cell, cols[c].width, cols[c].right_align);
      }
      while (!text.empty() && text.back() == ' ')
        text.pop_back();
      if (failed)
        out << paint(fmt::format("{}{}", kBold, kRed), text) << '\n';
      else if (row.status == "unknown")
        out << paint(kDim, text) << '\n';
      else
        out << text << '\n';
    }
  }
  out << rule << '\n';
  if (any_failed)
    out << "> marks the layer where Keras fails; '?' is a shape that cannot be known there\n";
  std::string unknown_note;
  if (f.params.unknown_layers)
    unknown_note = fmt::format(" (+ {} layer(s) whose count is unknown)", f.params.unknown_layers);
  out << fmt::format("Total params: {}{}\n", group_thousands(f.params.total), unknown_note);
  out << fmt::format("Trainable params: {}\n", group_thousands(f.params.trainable));
  out << fmt::format("Non-trainable params: {}\n", group_thousands(f.params.non_trainable));
}

/// "3x3 (stride 2)": the receptive field of a layer's output in input positions.
std::string receptive_field_cell(const LayerCost& cost) {
  if (cost.receptive_field.empty())
    return "-";
  std::string text = fmt::format("{}", fmt::join(cost.receptive_field, "x"));
  bool uniform = std::all_of(cost.receptive_field_stride.begin(),
                             cost.receptive_field_stride.end(),
                             [&](std::int64_t s) { return s == cost.receptive_field_stride[0]; });
  if (!cost.receptive_field_stride.empty())
    text += uniform ? fmt::format(" (stride {})", cost.receptive_field_stride[0])
                    : fmt::format(" (stride {})", fmt::join(cost.receptive_field_stride, "x"));
  return text;
}

std::string optional_cell(const std::optional<std::int64_t>& v,
                          std::string (*format)(std::int64_t)) {
  return v ? format(*v) : "?";
}

/// --cost: a second table, so the first keeps its 80 columns: each layer's MACs, weight and
/// activation memory and receptive field, then the totals (docs/cost.md).
void render_cost_table(const FileReport& f, const RenderOptions& options, std::ostream& out) {
  Painter paint(options.color);
  const CostTotals& totals = *f.cost;
  std::vector<Column> cols{{"Layer", false, 12},
                           {"MACs", true, 0},
                           {"Weights", true, 0},
                           {"Activations", true, 0},
                           {"Receptive field", false, 10}};
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : f.layers)
    cells.push_back({row.name,
                     optional_cell(row.cost.macs, human_count),
                     optional_cell(row.cost.weight_bytes, human_bytes),
                     optional_cell(row.cost.activation_bytes, human_bytes),
                     receptive_field_cell(row.cost)});
  for (std::size_t c = 0; c < cols.size(); ++c) {
    cols[c].width = cols[c].header.size();
    for (const auto& r : cells)
      cols[c].width = std::max(cols[c].width, r[c].size());
    if (cols[c].right_align)
      cols[c].min_width = cols[c].width;
  }
  constexpr std::size_t kIndent = 2, kGap = 2;
  std::size_t fixed = kIndent + kGap * (cols.size() - 1);
  fit_columns(cols, options.width > fixed + 20 ? options.width - fixed : 40);
  std::size_t rule_width = fixed;
  for (const auto& c : cols)
    rule_width += c.width;
  std::string rule(std::min(rule_width, options.width), '-');
  auto line_of = [&](const std::vector<std::string_view>& texts) {
    std::string text(kIndent, ' ');
    for (std::size_t c = 0; c < cols.size(); ++c) {
      if (c)
        text.append(kGap, ' ');
      append_padded(text, texts[c], cols[c].width, cols[c].right_align);
    }
    while (!text.empty() && text.back() == ' ')
      text.pop_back();
    return text;
  };
  out << '\n'
      << paint(kBold, fmt::format("Cost for a batch of {} (docs/cost.md)", totals.batch_size))
      << '\n';
  std::vector<std::string_view> headers;
  for (const auto& c : cols)
    headers.push_back(c.header);
  out << paint(kBold, line_of(headers)) << '\n' << rule << '\n';
  for (const auto& r : cells) {
    std::vector<std::vector<std::string_view>> wrapped;
    std::size_t height = 1;
    for (std::size_t c = 0; c < cols.size(); ++c) {
      wrapped.push_back(wrap(r[c], cols[c].width, c == 0));
      height = std::max(height, wrapped.back().size());
    }
    for (std::size_t line = 0; line < height; ++line) {
      std::vector<std::string_view> texts;
      for (std::size_t c = 0; c < cols.size(); ++c)
        texts.push_back(line < wrapped[c].size() ? wrapped[c][line] : std::string_view());
      out << line_of(texts) << '\n';
    }
  }
  out << rule << '\n';
  auto unknown = [](std::size_t n) {
    return n ? fmt::format(" (+ {} layer(s) unknown)", n) : std::string{};
  };
  out << fmt::format("Total MACs: {} ({}){}\n",
                     group_thousands(totals.macs),
                     human_count(totals.macs),
                     unknown(totals.macs_unknown_layers));
  std::vector<std::string> dtypes;
  for (const auto& [dtype, bytes] : totals.weight_bytes_by_dtype)
    dtypes.push_back(totals.weight_bytes_by_dtype.size() == 1
                         ? dtype
                         : fmt::format("{} {}", human_bytes(bytes), dtype));
  out << fmt::format("Weight memory: {}{}{}\n",
                     human_bytes(totals.weight_bytes),
                     dtypes.empty() ? std::string{} : fmt::format(" ({})", fmt::join(dtypes, ", ")),
                     unknown(totals.weight_unknown_layers));
  out << fmt::format("Activation memory: {} (every layer's outputs){}\n",
                     human_bytes(totals.activation_bytes),
                     unknown(totals.activation_unknown_layers));
}

/// --valid-sizes: the sizes each input accepts, in words.
void render_valid_sizes(const FileReport& f, const RenderOptions& options, std::ostream& out) {
  Painter paint(options.color);
  std::size_t text_width = options.width > 10 ? options.width - 4 : 40;
  out << '\n' << paint(kBold, "Valid input sizes") << '\n';
  for (const auto& s : f.valid_sizes) {
    std::string head = fmt::format(
        "{}{}: {}", s.input, s.rebuilt ? " (rebuilt for each size)" : "", s.description);
    if (s.smallest)
      head += fmt::format("; smallest {}", *s.smallest);
    auto lines = wrap(head, text_width, true);
    for (std::size_t i = 0; i < lines.size(); ++i)
      out << (i ? "    " : "  ") << lines[i] << '\n';
  }
}

void render_diagnostics(const FileReport& f, const RenderOptions& options, std::ostream& out) {
  Painter paint(options.color);
  std::size_t text_width = options.width > 10 ? options.width - 4 : 40;
  for (const auto& d : f.diagnostics) {
    std::string_view color = d.severity == Severity::error     ? kRed
                             : d.severity == Severity::warning ? kYellow
                                                               : kCyan;
    std::string head = fmt::format("{}[{}]", to_string(d.severity), d.rule);
    std::string subject = d.layer ? fmt::format(" layer '{}'", *d.layer) : std::string{};
    out << paint(fmt::format("{}{}", kBold, color), head) << paint(kBold, subject) << '\n';
    for (const auto& line : wrap(d.message, text_width, true))
      out << "    " << line << '\n';
    // Named: wrap returns views into the text, which must outlive the loop.
    std::string hint = "hint: " + d.hint;
    if (!d.hint.empty())
      for (const auto& line : wrap(hint, text_width, true))
        out << "    " << paint(kCyan, line) << '\n';
    std::string at = location_path(f);
    std::string where = d.json_path.empty() ? at : fmt::format("{} at {}", at, d.json_path);
    if (d.line > 0)
      where = fmt::format("{}:{}:{} ({})", at, d.line, d.column, d.json_path);
    out << paint(kDim, fmt::format("    --> {}", where)) << '\n';
  }
}

}  // namespace

void render_table(const RunReport& raw, const RenderOptions& options, std::ostream& out) {
  std::optional<RunReport> escaped;
  const RunReport& run = render_util::printable_report(raw, escaped);  // names from hostile files
  Painter paint(options.color);
  bool first = true;
  for (const auto& f : run.files) {
    if (f.skipped)
      continue;
    if (!first)
      out << '\n';
    first = false;
    std::string title = f.path;
    if (f.model_class)
      title += fmt::format(": {} '{}' ({})", *f.model_class, f.model_name.value_or(""), f.format);
    else if (f.format != "unknown")
      title += fmt::format(" ({})", f.format);
    out << paint(kBold, title) << '\n';
    if (f.what_if)
      out << fmt::format("what-if: replaying the built model on {}\n", *f.what_if);
    if (!options.quiet && !f.layers.empty())
      render_model_table(f, options, out);
    if (!options.quiet && options.cost && f.cost && !f.layers.empty())
      render_cost_table(f, options, out);
    if (!f.valid_sizes.empty())
      render_valid_sizes(f, options, out);
    if (!f.diagnostics.empty()) {
      if (!options.quiet && !f.layers.empty())
        out << '\n';
      render_diagnostics(f, options, out);
    }
    if (f.status == "ok") {
      std::size_t unknown = 0;
      for (const auto& row : f.layers)
        unknown += row.status == "unknown" ? 1 : 0;
      std::string verdict = "ok: no shape errors";
      if (unknown)
        verdict += fmt::format(" ({} layer(s) could not be checked)", unknown);
      out << paint(kBold, verdict) << '\n';
    }
  }
  std::size_t files = 0;
  for (const auto& f : run.files)
    files += f.skipped ? 0 : 1;
  if (files > 1)
    out << fmt::format("\n{} file(s): {} error(s), {} warning(s), {} note(s)\n",
                       files,
                       run.errors,
                       run.warnings,
                       run.notes);
}

}  // namespace shapelint
