// Positions of JSON values, found by scans that descend only along the wanted paths, each
// from the deepest layer object the parsed document knows the start of.
#include "shapelint/model/json_positions.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <map>
#include <utility>

#include "shapelint/json/byte_scan.hpp"

namespace shapelint {

bool split_json_path(std::string_view path, std::vector<JsonPathStep>& steps) {
  steps.clear();
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '[') {
      std::size_t close = path.find(']', i);
      if (close == std::string_view::npos || close == i + 1)
        return false;
      long long index = -1;
      auto [end, ec] = std::from_chars(path.data() + i + 1, path.data() + close, index);
      if (ec != std::errc() || end != path.data() + close || index < 0)
        return false;
      steps.push_back(JsonPathStep{.key = {}, .index = index, .end = close + 1});
      i = close + 1;
      if (i < path.size() && path[i] == '.') {
        ++i;
        if (i == path.size())
          return false;  // "a[0]."
      }
      continue;
    }
    std::size_t end = path.find_first_of(".[", i);
    if (end == std::string_view::npos)
      end = path.size();
    if (end == i)
      return false;  // "a..b", ".a"
    steps.push_back(
        JsonPathStep{.key = std::string(path.substr(i, end - i)), .index = -1, .end = end});
    i = end;
    if (i < path.size() && path[i] == '.') {
      ++i;
      if (i == path.size())
        return false;  // "a."
    }
  }
  return true;
}

namespace {

/// Reads JSON text from a value's first character on, down the paths of one trie. Malformed
/// text stops the scan (the caller keeps what was found until then); it never reads past the
/// end.
///
/// Most of the text is skipped, so moving is cheap: a skipped container or string is read a
/// block of bytes at a time (json/byte_scan.hpp). A found value's offset is recorded; lines
/// and columns are counted afterwards (LineCounter), once for all of them.
class Scanner {
 public:
  Scanner(std::string_view text, std::vector<JsonPositions::Node>& nodes, std::size_t wanted)
      : text_(text), nodes_(nodes), remaining_(wanted) {}

  /// Scans the value at `start` (or the first one after it) down trie node `root`.
  void run(std::size_t start, int root) {
    pos_ = start;
    skip_whitespace();
    if (!at_end())
      scan_value(root);
  }

 private:
  bool at_end() const { return stopped_ || pos_ >= text_.size(); }

  char peek() const { return text_[pos_]; }

  void advance() { ++pos_; }

  const char* begin() const { return text_.data(); }

  const char* end() const { return text_.data() + text_.size(); }

  std::size_t offset_of(const char* p) const { return static_cast<std::size_t>(p - begin()); }

  void skip_whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      advance();
  }

  /// Moves past a string whose opening quote is current; returns its raw content (escapes
  /// left as written, which the keys of Keras configs never need). An unterminated string
  /// stops the scan.
  std::string_view skip_string() {
    const std::size_t start = pos_ + 1;  // after the opening quote
    const char* p = begin() + start;
    while (true) {
      p = find_quote_or_backslash(p, end());
      if (p == end()) {
        pos_ = text_.size();
        stopped_ = true;
        return {};
      }
      if (*p == '"')
        break;
      // A backslash and the byte it escapes, which may be a quote; a backslash that is the
      // last byte leaves the string unterminated.
      p += end() - p >= 2 ? 2 : 1;
    }
    pos_ = offset_of(p) + 1;  // past the closing quote
    return text_.substr(start, offset_of(p) - start);
  }

  /// Moves past a number, `true`, `false` or `null`: up to the next delimiter.
  void skip_scalar() {
    while (!at_end() && peek() != ',' && peek() != '}' && peek() != ']' && peek() != ' ' &&
           peek() != '\n' && peek() != '\r' && peek() != '\t')
      advance();
  }

  /// Moves past a container whose opening bracket is current (skip_to_container_end); text
  /// that ends inside one of its strings stops the scan.
  void skip_container() {
    BracketSkip state;
    pos_ = offset_of(skip_to_container_end(begin() + pos_ + 1, end(), state));
    if (state.in_string)
      stopped_ = true;
  }

  /// Moves past a value nobody wants.
  void skip_value() {
    if (peek() == '"')
      skip_string();
    else if (peek() == '{' || peek() == '[')
      skip_container();
    else
      skip_scalar();
  }

  /// Records where the value at trie node `node` begins, then descends into the children
  /// the node has; everything else is skipped.
  void scan_value(int node) {
    auto& n = nodes_[static_cast<std::size_t>(node)];
    if (!n.offset) {
      n.offset = pos_;
      if (--remaining_ == 0) {
        stopped_ = true;  // every wanted path found: no need to read further
        return;
      }
    }
    char c = peek();
    if (c == '{' && !n.keys.empty())
      scan_object(node);
    else if (c == '[' && !n.indices.empty())
      scan_array(node);
    else
      skip_value();
  }

  /// Steps over `,` or the closing bracket after a member; false when the container ends.
  bool next_member(char close) {
    skip_whitespace();
    if (at_end())
      return false;
    if (peek() == ',') {
      advance();
      skip_whitespace();
      return !at_end();
    }
    if (peek() != close)
      stopped_ = true;
    else
      advance();
    return false;
  }

  void scan_object(int node) {
    advance();  // '{'
    skip_whitespace();
    if (!at_end() && peek() == '}') {
      advance();
      return;
    }
    while (!at_end()) {
      if (peek() != '"') {
        stopped_ = true;
        return;
      }
      std::string key(skip_string());
      skip_whitespace();
      if (at_end() || peek() != ':') {
        stopped_ = true;
        return;
      }
      advance();
      skip_whitespace();
      if (at_end())
        return;
      const auto& keys = nodes_[static_cast<std::size_t>(node)].keys;
      if (auto it = keys.find(key); it != keys.end())
        scan_value(it->second);
      else
        skip_value();
      if (!next_member('}'))
        return;
    }
  }

  void scan_array(int node) {
    advance();  // '['
    skip_whitespace();
    if (!at_end() && peek() == ']') {
      advance();
      return;
    }
    for (long long index = 0; !at_end(); ++index) {
      const auto& indices = nodes_[static_cast<std::size_t>(node)].indices;
      if (auto it = indices.find(index); it != indices.end())
        scan_value(it->second);
      else
        skip_value();
      if (!next_member(']'))
        return;
    }
  }

  std::string_view text_;
  std::vector<JsonPositions::Node>& nodes_;
  std::size_t remaining_;
  std::size_t pos_ = 0;
  bool stopped_ = false;
};

/// Lines and columns of offsets in a text, asked for in increasing order. Each is worked out
/// from the one before: every byte is counted at most once whatever the layout, and a file
/// written on one long line costs one pass, not one pass per position.
class LineCounter {
 public:
  explicit LineCounter(std::string_view text) : text_(text) {}

  /// The line and code-point column of the character at `offset` (not before the last one).
  TextPosition at(std::size_t offset) {
    count_lines_to(offset);
    count_code_points_to(offset);
    return TextPosition{line_, static_cast<int>(code_points_ + 1)};
  }

 private:
  const char* begin() const { return text_.data(); }

  /// Brings `line_` and `line_start_` from `lines_counted_to_` up to `offset`.
  void count_lines_to(std::size_t offset) {
    const char* from = begin() + lines_counted_to_;
    const char* to = begin() + offset;
    if (const char* last = find_last_newline(from, to)) {
      // The newlines before the last one need counting only, not finding.
      line_ += static_cast<int>(count_newlines(from, last) + 1);
      line_start_ = static_cast<std::size_t>(last - begin()) + 1;
    }
    lines_counted_to_ = offset;
  }

  /// Brings `code_points_`, those of the current line before `code_points_to_`, up to
  /// `offset`; a new line starts the count afresh.
  void count_code_points_to(std::size_t offset) {
    if (code_points_to_ < line_start_) {
      code_points_to_ = line_start_;
      code_points_ = 0;
    }
    code_points_ += count_code_points(begin() + code_points_to_, begin() + offset);
    code_points_to_ = offset;
  }

  std::string_view text_;
  int line_ = 1;
  std::size_t line_start_ = 0;        ///< where the current line begins
  std::size_t lines_counted_to_ = 0;  ///< `line_` counts the newlines before this offset
  std::size_t code_points_to_ = 0;    ///< `code_points_` counts those before this offset
  std::size_t code_points_ = 0;
};

}  // namespace

int JsonPositions::add_path(const std::string& path, std::string_view rest, int root) {
  if (auto it = node_of_path_.find(path); it != node_of_path_.end())
    return it->second;
  std::vector<JsonPathStep> steps;
  if (!split_json_path(rest, steps))
    return -1;
  int node = root;
  for (const auto& step : steps) {
    auto& parent = nodes_[static_cast<std::size_t>(node)];
    int next = static_cast<int>(nodes_.size());
    bool added = false;
    int child = next;  // read before push_back moves the nodes
    if (step.is_index()) {
      auto [it, inserted] = parent.indices.try_emplace(step.index, next);
      child = it->second;
      added = inserted;
    } else {
      auto [it, inserted] = parent.keys.try_emplace(step.key, next);
      child = it->second;
      added = inserted;
    }
    if (added) {
      nodes_.push_back(Node{.parent = node});
      ++nodes_[static_cast<std::size_t>(root)].trie_size;
    }
    node = child;
  }
  node_of_path_.emplace(path, node);
  return node;
}

JsonPositions::JsonPositions(std::string_view text, const std::vector<std::string>& wanted) {
  std::vector<WantedPath> from_top;
  from_top.reserve(wanted.size());
  for (const auto& path : wanted)
    from_top.push_back(WantedPath::from_top(path));
  find_all(text, from_top);
}

JsonPositions::JsonPositions(std::string_view text, std::span<const WantedPath> wanted) {
  find_all(text, wanted);
}

void JsonPositions::find_all(std::string_view text, std::span<const WantedPath> wanted) {
  nodes_.push_back(Node{});  // the document itself, path ""
  // One trie per place a search starts; the top's is node 0. A start that is not an object's
  // `{` (the file changed since it was parsed) is not trusted: its paths are looked for
  // from the top.
  std::map<std::size_t, int> roots{{0, 0}};
  for (const auto& w : wanted) {
    bool at_object = w.start > 0 && w.start < text.size() && text[w.start] == '{';
    if (!at_object) {
      add_path(w.path, w.path, 0);
      continue;
    }
    auto [it, inserted] = roots.try_emplace(w.start, static_cast<int>(nodes_.size()));
    if (inserted)
      nodes_.push_back(Node{});  // the object at w.start: a root of its own, no parent
    add_path(w.path, w.rest, it->second);
  }
  for (const auto& [start, root] : roots)
    Scanner(text, nodes_, nodes_[static_cast<std::size_t>(root)].trie_size).run(start, root);
  count_lines(text);
}

void JsonPositions::count_lines(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> found;  // (offset, node)
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].offset)
      found.emplace_back(*nodes_[i].offset, i);
  std::sort(found.begin(), found.end());
  LineCounter counter(text);
  for (const auto& [offset, node] : found)
    nodes_[node].position = counter.at(offset);
}

std::optional<TextPosition> JsonPositions::find(const std::string& path) const {
  auto it = node_of_path_.find(path);
  if (it == node_of_path_.end())
    return std::nullopt;
  // The nearest ancestor found, but not the document itself unless asked for: "somewhere in
  // the file" is no location. A search that started inside the text found its start.
  for (int node = it->second; node >= 0; node = nodes_[static_cast<std::size_t>(node)].parent) {
    if (node == 0 && it->second != 0)
      break;
    if (nodes_[static_cast<std::size_t>(node)].position)
      return nodes_[static_cast<std::size_t>(node)].position;
  }
  return std::nullopt;
}

WantedPath wanted_path_in(JsonValue root, const std::string& path) {
  WantedPath wanted = WantedPath::from_top(path);
  std::vector<JsonPathStep> steps;
  if (!split_json_path(path, steps))
    return wanted;
  JsonValue value = root;
  std::size_t rest_from = 0;  // where the rest of the path begins in `path`
  for (const auto& step : steps) {
    value = step.is_index() ? value[static_cast<std::size_t>(step.index)] : value.find(step.key);
    if (!value)
      break;
    if (auto offset = value.text_offset()) {
      wanted.start = *offset;
      rest_from = step.end;
    }
  }
  // "a.b" after "x" is "a.b"; after "x[2]" it is "a.b" too (the dot dropped).
  if (rest_from < path.size() && path[rest_from] == '.')
    ++rest_from;
  wanted.rest = path.substr(rest_from);
  return wanted;
}

}  // namespace shapelint
