// Globs as .gitignore writes them, matched with a memo so no pattern takes exponential time.
#include <vector>

#include "shapelint/config/config.hpp"

namespace shapelint::config {

namespace {

std::string_view strip_dot_slash(std::string_view s) {
  while (s.size() >= 2 && s[0] == '.' && s[1] == '/')
    s.remove_prefix(2);
  return s;
}

/// The end of the `[...]` class starting at `open`, or npos when it is not closed. A `]`
/// right after `[` or `[!` is a member, as in shells.
std::size_t class_end(std::string_view p, std::size_t open) {
  std::size_t i = open + 1;
  if (i < p.size() && (p[i] == '!' || p[i] == '^'))
    ++i;
  if (i < p.size() && p[i] == ']')
    ++i;
  for (; i < p.size(); ++i)
    if (p[i] == ']')
      return i;
  return std::string_view::npos;
}

bool class_matches(std::string_view p, std::size_t open, std::size_t close, char c) {
  std::size_t i = open + 1;
  bool negate = p[i] == '!' || p[i] == '^';
  if (negate)
    ++i;
  bool hit = false;
  for (; i < close; ++i) {
    if (i + 2 < close && p[i + 1] == '-') {  // a range, `a-z`
      hit = hit || (c >= p[i] && c <= p[i + 2]);
      i += 2;
    } else {
      hit = hit || c == p[i];
    }
  }
  return hit != negate;
}

class Matcher {
 public:
  Matcher(std::string_view pattern, std::string_view path)
      : p_(pattern), s_(path), memo_((pattern.size() + 1) * (path.size() + 1), 0) {}

  bool match(std::size_t pi, std::size_t si) {
    signed char& m = memo_[pi * (s_.size() + 1) + si];
    if (m == 0)
      m = compute(pi, si) ? 1 : -1;
    return m > 0;
  }

 private:
  /// `**` standing alone as a path segment.
  bool whole_segment_stars(std::size_t pi) const {
    return p_.compare(pi, 2, "**") == 0 && (pi == 0 || p_[pi - 1] == '/') &&
           (pi + 2 == p_.size() || p_[pi + 2] == '/');
  }

  bool compute(std::size_t pi, std::size_t si) {
    if (pi == p_.size())
      return si == s_.size();
    if (whole_segment_stars(pi)) {
      if (pi + 2 == p_.size())
        return true;  // `dir/**`: everything below
      // `**/`: zero or more whole directories.
      for (std::size_t k = si; k <= s_.size(); ++k)
        if ((k == si || s_[k - 1] == '/') && match(pi + 3, k))
          return true;
      return false;
    }
    char c = p_[pi];
    if (c == '*') {
      std::size_t next = pi + 1;
      while (next < p_.size() && p_[next] == '*')
        ++next;  // `a**b` inside a segment is `a*b`
      for (std::size_t k = si;; ++k) {
        if (match(next, k))
          return true;
        if (k == s_.size() || s_[k] == '/')
          return false;
      }
    }
    if (si == s_.size())
      return false;
    if (c == '?')
      return s_[si] != '/' && match(pi + 1, si + 1);
    if (c == '[') {
      std::size_t close = class_end(p_, pi);
      if (close != std::string_view::npos)
        return s_[si] != '/' && class_matches(p_, pi, close, s_[si]) && match(close + 1, si + 1);
    }
    if (c == '\\' && pi + 1 < p_.size())
      return s_[si] == p_[pi + 1] && match(pi + 2, si + 1);
    return s_[si] == c && match(pi + 1, si + 1);
  }

  std::string_view p_;
  std::string_view s_;
  std::vector<signed char> memo_;
};

}  // namespace

bool glob_is_valid(std::string_view pattern, std::string& why) {
  if (pattern.empty()) {
    why = "an empty pattern matches no file";
    return false;
  }
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] == '[' && class_end(pattern, i) == std::string_view::npos) {
      why = "'[' opens a character class that is never closed (write \\[ for a bracket)";
      return false;
    }
  }
  return true;
}

bool glob_match(std::string_view pattern, std::string_view relative_path) {
  pattern = strip_dot_slash(pattern);
  relative_path = strip_dot_slash(relative_path);
  if (!pattern.empty() && pattern.front() == '/')
    pattern.remove_prefix(1);  // anchored at the configuration's directory, as without '/'
  else if (pattern.find('/') == std::string_view::npos)
    // No '/': the file name, in any directory.
    relative_path = relative_path.substr(relative_path.rfind('/') + 1);
  return Matcher(pattern, relative_path).match(0, 0);
}

}  // namespace shapelint::config
