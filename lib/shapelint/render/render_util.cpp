#include "shapelint/render/render_util.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "shapelint/render/render.hpp"

namespace shapelint::render_util {

namespace fs = std::filesystem;

std::string shapes_text(const Shapes& shapes) {
  if (shapes.empty())
    return "?";
  std::string out;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (i)
      out += ", ";
    if (shapes[i].has_rank())
      append_shape(out, shapes[i]);
    else
      out += '?';
  }
  return out;
}

std::string portable_path(const std::string& path) {
  fs::path p(path);
  if (p.is_absolute()) {
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);
    if (!ec) {
      fs::path rel = p.lexically_relative(cwd);
      if (!rel.empty() && *rel.begin() != "..")
        p = rel;
    }
  }
  std::string out = p.lexically_normal().generic_string();
  return out.empty() ? path : out;
}

bool has_file(const FileReport& f) {
  return !f.path.empty() && f.path != "-";
}

std::vector<Finding> findings_by_importance(const RunReport& run) {
  struct Ranked {
    Finding finding;
    Severity severity;
    std::size_t rank_in_file;  ///< among the file's findings of the same severity
    std::size_t file_index;
  };

  std::vector<Ranked> ranked;
  for (std::size_t fi = 0; fi < run.files.size(); ++fi) {
    const FileReport& f = run.files[fi];
    if (f.skipped)
      continue;
    std::size_t seen[3] = {0, 0, 0};
    for (const auto& d : f.diagnostics) {
      auto& n = seen[static_cast<int>(d.severity)];
      ranked.push_back({{&f, &d}, d.severity, n++, fi});
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.severity != b.severity)
      return a.severity > b.severity;
    if (a.rank_in_file != b.rank_in_file)
      return a.rank_in_file < b.rank_in_file;
    return a.file_index < b.file_index;
  });
  std::vector<Finding> out;
  for (const auto& r : ranked)
    out.push_back(r.finding);
  return out;
}

std::vector<const FileReport*> reported_files(const RunReport& run) {
  std::vector<const FileReport*> out;
  for (const auto& f : run.files)
    if (!f.skipped)
      out.push_back(&f);
  return out;
}

/// Length of the UTF-8 sequence starting at `i`, or 0 when it is malformed.
static std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t length = lead < 0x80           ? 1
                       : (lead >> 5) == 0x6  ? 2
                       : (lead >> 4) == 0xE  ? 3
                       : (lead >> 3) == 0x1E ? 4
                                             : 0;
  if (length == 0 || i + length > text.size())
    return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte(i + k) >> 6) != 0x2)
      return 0;
  // Overlong forms, surrogates and code points past U+10FFFF.
  if ((length == 2 && lead < 0xC2) || (length == 3 && lead == 0xE0 && byte(i + 1) < 0xA0) ||
      (length == 3 && lead == 0xED && byte(i + 1) >= 0xA0) ||
      (length == 4 && lead == 0xF0 && byte(i + 1) < 0x90) ||
      (length == 4 && (lead > 0xF4 || (lead == 0xF4 && byte(i + 1) >= 0x90))))
    return 0;
  return length;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string GraphView::Edge::label() const {
  return shapes ? shapes_text(*shapes) : "?";
}

RowOfLayer::RowOfLayer(const std::vector<LayerRow>& rows, bool nested) {
  entries_.reserve(rows.size());  // all of them, unless nested rows are added
  // No report has 2^32 rows (the input limits stop such a file long before).
  for (std::size_t i = 0; i < rows.size() && i <= UINT32_MAX; ++i)
    add(rows[i], i, nested);
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.row->name < b.row->name;
  });
}

std::optional<std::size_t> RowOfLayer::find(std::string_view name) const {
  auto it = std::lower_bound(
      entries_.begin(), entries_.end(), name, [](const Entry& e, std::string_view n) {
        return std::string_view(e.row->name) < n;
      });
  if (it == entries_.end() || it->row->name != name)
    return std::nullopt;
  return it->top;
}

void RowOfLayer::add(const LayerRow& row, std::size_t top, bool nested) {
  entries_.push_back({&row, static_cast<std::uint32_t>(top)});
  if (nested)
    for (const auto& inner : row.layers)
      add(inner, top, nested);
}

GraphView graph_view(const FileReport& f) {
  GraphView g;
  std::vector<bool> consumed(f.layers.size(), false);
  RowOfLayer rows_by_name(f.layers, false);
  auto known_outputs = [](const LayerRow& row) {
    return row.status == "ok" ? &row.output_shapes : nullptr;
  };
  g.nodes.reserve(f.layers.size());
  for (const auto& row : f.layers)
    g.nodes.push_back({&row, {}});
  for (std::size_t i = 0; i < f.layers.size(); ++i) {
    const LayerRow& row = f.layers[i];
    bool linked = false;
    for (const auto& in : row.inbound) {
      auto from = rows_by_name.find(in);
      if (!from)
        continue;
      consumed[*from] = true;
      linked = true;
      g.edges.push_back({*from, i, known_outputs(f.layers[*from])});
    }
    // A model whose first layer carries the input shape has no InputLayer row.
    if (!linked && row.class_name != "InputLayer") {
      g.nodes.push_back({nullptr, "input"});
      g.edges.push_back({g.nodes.size() - 1, i, &row.input_shapes});
    }
  }
  for (std::size_t i = 0; i < f.layers.size(); ++i) {
    if (consumed[i])
      continue;
    g.nodes.push_back({nullptr, "output"});
    g.edges.push_back({i, g.nodes.size() - 1, known_outputs(f.layers[i])});
  }
  return g;
}

std::vector<std::string> layer_label_lines(const LayerRow& row) {
  std::vector<std::string> lines{row.name, row.class_name};
  if (row.params && *row.params > 0)
    lines.push_back(fmt::format("{} params", group_thousands(*row.params)));
  return lines;
}

std::string error_rules(const FileReport& f, const std::string& layer) {
  std::vector<std::string> ids;
  for (const auto& d : f.diagnostics)
    if (d.severity == Severity::error && d.layer == layer &&
        std::find(ids.begin(), ids.end(), d.rule) == ids.end())
      ids.push_back(d.rule);
  return fmt::format("{}", fmt::join(ids, ", "));
}

namespace {

/// The length of the control character at `i`: 1 for C0 and DEL, 2 for C1 (U+0080 to U+009F,
/// UTF-8 C2 80 to C2 9F; some terminals take U+009B for an escape), 0 for anything else.
std::size_t control_at(std::string_view text, std::size_t i) {
  auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x20 || c == 0x7f)
    return 1;
  if (c == 0xc2 && i + 1 < text.size()) {
    auto next = static_cast<unsigned char>(text[i + 1]);
    if (next >= 0x80 && next <= 0x9f)
      return 2;
  }
  return 0;
}

}  // namespace

std::string printable(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && control_at(text, i) == 0)
    ++i;
  if (i == text.size())
    return std::string(text);
  std::string out(text.substr(0, i));
  for (; i < text.size(); ++i) {
    char c = text[i];
    switch (control_at(text, i)) {
      case 0:
        out += c;
        break;
      case 1:
        out += c == '\n'   ? std::string("\\n")
               : c == '\r' ? std::string("\\r")
               : c == '\t' ? std::string("\\t")
                           : fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        break;
      default:
        out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[++i]));
        break;
    }
  }
  return out;
}

namespace {

/// Calls `f` on every string a file can put in the report (names from a hostile file among
/// them), mutable or not as `Report` is.
template <typename Row, typename F>
void for_each_row_text(Row& row, F& f) {
  if constexpr (std::is_const_v<Row>) {
    for (std::string_view held : {row.name.view(), row.class_name.view()})
      f(held);
  } else {  // held as InlineText: edited as strings, then held again
    for (InlineText* held : {&row.name, &row.class_name}) {
      std::string text = held->str();
      f(text);
      *held = text;
    }
  }
  if constexpr (std::is_const_v<Row>) {
    for (std::string_view in : row.inbound)
      f(in);
  } else {  // the names are packed in one string: edited one by one, then packed again
    NameList edited;
    for (std::string_view in : row.inbound) {
      std::string name(in);
      f(name);
      edited.push_back(name);
    }
    row.inbound = std::move(edited);
  }
  for (auto& inner : row.layers)
    for_each_row_text(inner, f);
}

template <typename Report, typename F>
void for_each_text(Report& run, F&& f) {
  auto text = [&f](auto& s) {
    if constexpr (requires { s.has_value(); }) {
      if (s)
        f(*s);
    } else {
      f(s);
    }
  };
  for (auto& file : run.files) {
    text(file.path);
    text(file.member);
    text(file.model_name);
    text(file.model_class);
    text(file.keras_version);
    text(file.what_if);
    for (auto& row : file.layers)
      for_each_row_text(row, text);
    for (auto& d : file.diagnostics) {
      text(d.layer);
      text(d.message);
      text(d.hint);
      text(d.json_path);
    }
    for (auto& v : file.valid_sizes) {
      text(v.input);
      text(v.description);
    }
    if (file.signature)
      for (auto* tensors : {&file.signature->inputs, &file.signature->outputs})
        for (auto& t : *tensors) {
          text(t.name);
          text(t.dtype);
        }
  }
}

/// Whether a byte of the 8 in `word` is below 0x20, DEL or 0xC2 (exact for the word as a
/// whole, the classic bit tricks for "has a byte less than" and "has a zero byte").
bool word_may_hold_control(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHighs = 0x8080808080808080;
  auto has_zero_byte = [](std::uint64_t w) { return (w - kOnes) & ~w & kHighs; };
  return (((word - kOnes * 0x20) & ~word & kHighs) | has_zero_byte(word ^ (kOnes * 0x7f)) |
          has_zero_byte(word ^ (kOnes * 0xc2))) != 0;
}

/// Whether some byte of `text` may begin a control character: C0, DEL, or 0xC2 (the lead
/// byte of C1 controls but also of printable characters such as U+00A3, which `control_at`
/// tells apart). Eight bytes at a time: every name is checked on every run, and nearly all
/// are clean.
bool may_hold_control(std::string_view text) {
  const char* p = text.data();
  std::size_t n = text.size();
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      auto c = static_cast<unsigned char>(p[i]);
      if (c < 0x20 || c == 0x7f || c == 0xc2)
        return true;
    }
    return false;
  }
  std::uint64_t word = 0;
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    std::memcpy(&word, p + i, 8);
    if (word_may_hold_control(word))
      return true;
  }
  // The last eight bytes, overlapping words already checked, instead of a loop over the tail.
  std::memcpy(&word, p + n - 8, 8);
  return word_may_hold_control(word);
}

bool is_printable(std::string_view text) {
  if (!may_hold_control(text))
    return true;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (control_at(text, i) != 0)
      return false;
  return true;
}

}  // namespace

const RunReport& printable_report(const RunReport& run, std::optional<RunReport>& copy) {
  bool printable_already = true;
  for_each_text(
      run, [&](std::string_view s) { printable_already = printable_already && is_printable(s); });
  if (printable_already)
    return run;
  copy = run;
  for_each_text(*copy, [](std::string& s) { s = printable(s); });
  return *copy;
}

std::string count_noun(std::size_t n, std::string_view singular) {
  return fmt::format("{} {}{}", n, singular, n == 1 ? "" : "s");
}

void append_int(std::string& out, std::int64_t n) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

void append_grouped(std::string& out, std::int64_t n) {
  // The magnitude as unsigned: -n overflows for the smallest int64.
  std::uint64_t magnitude =
      n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  char digits[24];
  std::size_t count = static_cast<std::size_t>(
      std::to_chars(digits, digits + sizeof digits, magnitude).ptr - digits);
  if (n < 0)
    out += '-';
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0 && (count - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
}

WrappedLines::WrappedLines(std::string_view text, std::size_t width, bool prose)
    : done_(false), width_(width == 0 ? 1 : width), prose_(prose) {
  begin_paragraph(text);
}

bool WrappedLines::next(std::string_view& line) {
  if (done_)
    return false;
  if (rest_.size() > width_) {
    line = cut_line();
    return true;
  }
  line = rest_;
  if (more_paragraphs_)
    begin_paragraph(after_);
  else
    done_ = true;
  return true;
}

void WrappedLines::begin_paragraph(std::string_view text) {
  std::size_t nl = text.find('\n');
  more_paragraphs_ = nl != std::string_view::npos;
  rest_ = text.substr(0, nl);
  after_ = more_paragraphs_ ? text.substr(nl + 1) : std::string_view();
}

/// The first line of `rest_`, which is wider than the width, taken off it: the break (", "
/// keeps its comma, a space goes) is searched only within the width, so a line costs its
/// width whatever the text's length.
std::string_view WrappedLines::cut_line() {
  std::string_view line;
  std::size_t comma = prose_ ? std::string_view::npos : rest_.rfind(", ", width_ - 1);
  if (comma != std::string_view::npos && comma > 0) {
    line = rest_.substr(0, comma + 1);
    rest_.remove_prefix(comma + 2);
    return line;
  }
  std::size_t space = rest_.rfind(' ', width_);
  if (space != std::string_view::npos && space > 0) {
    line = rest_.substr(0, space);
    rest_.remove_prefix(space + 1);
  } else {
    line = rest_.substr(0, width_);
    rest_.remove_prefix(width_);
  }
  return line;
}

}  // namespace shapelint::render_util
