// The rule pages of docs/rules/, embedded at build time (see cmake/EmbedRuleDocs.cmake), taken
// apart for SARIF's rule metadata and printed whole by `shapelint --explain`.
#include "shapelint/render/rule_docs.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

namespace shapelint {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos)
      break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

/// "# SL104 MergeMismatch: merge inputs do not line up" → id, name, title.
bool parse_heading(std::string_view line, RuleDoc& doc) {
  if (line.rfind("# ", 0) != 0)
    return false;
  line.remove_prefix(2);
  std::size_t space = line.find(' ');
  std::size_t colon = line.find(": ");
  if (space == std::string_view::npos || colon == std::string_view::npos || colon < space)
    return false;
  if (line.substr(0, space) != doc.id)
    return false;
  doc.name = std::string(trim(line.substr(space + 1, colon - space - 1)));
  doc.title = std::string(trim(line.substr(colon + 2)));
  return !doc.name.empty() && !doc.title.empty();
}

/// The paragraphs of the page's opening, before the first "## " section.
std::vector<std::string> opening_paragraphs(const std::vector<std::string_view>& lines) {
  std::vector<std::string> paragraphs;
  std::string current;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.rfind("## ", 0) == 0)
      break;
    if (line.empty()) {
      if (!current.empty())
        paragraphs.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (!current.empty())
      current += ' ';
    current += line;
  }
  if (!current.empty())
    paragraphs.push_back(std::move(current));
  return paragraphs;
}

/// The body of the section headed `## <title>`, up to the next "## ", trimmed.
std::string section(const std::vector<std::string_view>& lines, std::string_view title) {
  std::string body;
  bool inside = false;
  for (std::string_view line : lines) {
    if (line.rfind("## ", 0) == 0) {
      if (inside)
        break;
      inside = trim(line.substr(3)) == title;
      continue;
    }
    if (inside) {
      body += line;
      body += '\n';
    }
  }
  return std::string(trim(body));
}

std::string normalise_id(std::string_view id) {
  std::string out;
  for (char c : id)
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out.front())))
    out = "SL" + out;
  return out;
}

}  // namespace

std::optional<RuleDoc> parse_rule_doc(std::string_view id, std::string_view page) {
  RuleDoc doc;
  doc.id = std::string(id);
  doc.page = page;
  auto lines = split_lines(page);
  if (lines.empty() || !parse_heading(lines.front(), doc))
    return std::nullopt;
  constexpr std::string_view kSeverity = "**Severity:** ";
  for (auto& paragraph : opening_paragraphs(lines)) {
    if (paragraph.rfind(kSeverity, 0) == 0)
      doc.severity = paragraph.substr(kSeverity.size());
    else if (doc.full_description.empty())
      doc.full_description = std::move(paragraph);
  }
  doc.how_to_fix = section(lines, "How to fix");
  return doc;
}

std::optional<RuleDoc> find_rule_doc(std::string_view id) {
  std::string wanted = normalise_id(id);
  for (const auto& page : embedded_rule_docs())
    if (page.id == wanted)
      return parse_rule_doc(page.id, page.text);
  return std::nullopt;
}

std::string rule_doc_url(std::string_view id) {
  return fmt::format("{}{}.md", rule_docs_base_url(), id);
}

std::string markdown_to_text(std::string_view markdown) {
  std::string out;
  for (std::size_t i = 0; i < markdown.size(); ++i) {
    char c = markdown[i];
    if (c == '`' || (c == '*' && i + 1 < markdown.size() && markdown[i + 1] == '*')) {
      i += c == '*' ? 1 : 0;
      continue;
    }
    if (c == ']' && i + 1 < markdown.size() && markdown[i + 1] == '(') {
      // "[text](target)" keeps only the text.
      std::size_t close = markdown.find(')', i);
      if (close != std::string_view::npos) {
        i = close;
        continue;
      }
    }
    if (c == '[')
      continue;
    out += c;
  }
  return out;
}

}  // namespace shapelint
