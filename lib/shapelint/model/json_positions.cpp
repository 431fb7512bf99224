// Positions of JSON values, found by one scan that descends only along the wanted paths.
#include "shapelint/model/json_positions.hpp"

#include <charconv>
#include <cstddef>

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
      steps.push_back(JsonPathStep{.key = {}, .index = index});
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
    steps.push_back(JsonPathStep{.key = std::string(path.substr(i, end - i)), .index = -1});
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

/// Reads JSON text from the front, keeping the line and the code-point column of where it
/// is. Malformed text stops the scan (the caller keeps what was found until then); it never
/// reads past the end.
class Scanner {
 public:
  Scanner(std::string_view text, std::vector<JsonPositions::Node>& nodes, std::size_t wanted)
      : text_(text), nodes_(nodes), remaining_(wanted) {}

  void run() {
    skip_whitespace();
    if (!at_end())
      scan_value(0);
  }

 private:
  bool at_end() const { return stopped_ || pos_ >= text_.size(); }

  char peek() const { return text_[pos_]; }

  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }

  void skip_whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      advance();
  }

  /// The position of the current character. Columns are counted incrementally, so a file
  /// written on one long line costs one pass, not one pass per position.
  TextPosition here() {
    if (counted_to_ < line_start_) {
      counted_to_ = line_start_;
      code_points_ = 0;
    }
    for (; counted_to_ < pos_; ++counted_to_)
      if ((static_cast<unsigned char>(text_[counted_to_]) & 0xC0) != 0x80)
        ++code_points_;
    return TextPosition{line_, static_cast<int>(code_points_ + 1)};
  }

  /// Moves past a string whose opening quote is current; returns its raw content (escapes
  /// left as written, which the keys of Keras configs never need).
  std::string_view skip_string() {
    advance();  // the opening quote
    std::size_t start = pos_;
    while (!at_end() && peek() != '"') {
      if (peek() == '\\' && pos_ + 1 < text_.size())
        advance();
      advance();
    }
    if (at_end()) {
      stopped_ = true;
      return {};
    }
    std::string_view content = text_.substr(start, pos_ - start);
    advance();  // the closing quote
    return content;
  }

  /// Moves past a value nobody wants: containers by bracket counting, strings by quotes.
  void skip_value() {
    if (peek() == '"') {
      skip_string();
      return;
    }
    if (peek() != '{' && peek() != '[') {
      while (!at_end() && peek() != ',' && peek() != '}' && peek() != ']' && peek() != ' ' &&
             peek() != '\n' && peek() != '\r' && peek() != '\t')
        advance();
      return;
    }
    std::size_t depth = 0;
    while (!at_end()) {
      char c = peek();
      if (c == '"') {
        skip_string();
        continue;
      }
      if (c == '{' || c == '[')
        ++depth;
      else if (c == '}' || c == ']')
        --depth;
      advance();
      if (depth == 0)
        return;
    }
  }

  /// Records where the value at trie node `node` begins, then descends into the children
  /// the node has; everything else is skipped.
  void scan_value(int node) {
    auto& n = nodes_[static_cast<std::size_t>(node)];
    if (!n.position) {
      n.position = here();
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
  int line_ = 1;
  std::size_t line_start_ = 0;
  std::size_t counted_to_ = 0;
  std::size_t code_points_ = 0;
  bool stopped_ = false;
};

}  // namespace

int JsonPositions::add_path(const std::string& path) {
  if (auto it = node_of_path_.find(path); it != node_of_path_.end())
    return it->second;
  std::vector<JsonPathStep> steps;
  if (!split_json_path(path, steps))
    return -1;
  int node = 0;
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
    if (added)
      nodes_.push_back(Node{.parent = node, .keys = {}, .indices = {}, .position = {}});
    node = child;
  }
  node_of_path_.emplace(path, node);
  return node;
}

JsonPositions::JsonPositions(std::string_view text, const std::vector<std::string>& wanted) {
  nodes_.push_back(Node{});  // the document itself, path ""
  for (const auto& path : wanted)
    add_path(path);
  Scanner(text, nodes_, nodes_.size()).run();
}

std::optional<TextPosition> JsonPositions::find(const std::string& path) const {
  auto it = node_of_path_.find(path);
  if (it == node_of_path_.end())
    return std::nullopt;
  // The nearest ancestor found, but not the document itself: "somewhere in the file" is
  // no location.
  for (int node = it->second; node > 0; node = nodes_[static_cast<std::size_t>(node)].parent)
    if (nodes_[static_cast<std::size_t>(node)].position)
      return nodes_[static_cast<std::size_t>(node)].position;
  if (it->second == 0)
    return nodes_[0].position;
  return std::nullopt;
}

}  // namespace shapelint
