#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace shapelint {

/// One page of docs/rules/, as embedded into the binary at build time.
struct EmbeddedRuleDoc {
  std::string_view id;    ///< "SL104", the file name without ".md"
  std::string_view text;  ///< the whole Markdown page
};

/// Every docs/rules/SLxxx.md, sorted by id (generated from the docs by CMake).
std::span<const EmbeddedRuleDoc> embedded_rule_docs();

/// Where the project lives, and where docs/rules/ is browsable (ends with '/').
std::string_view project_homepage_url();
std::string_view rule_docs_base_url();

/// A rule page taken apart. The page layout is:
///
///     # SL104 MergeMismatch: merge inputs do not line up
///
///     **Severity:** error
///
///     One paragraph saying what the finding means (the full description).
///     ...
///     ## How to fix
///     ...
struct RuleDoc {
  std::string id;
  std::string name;              ///< "MergeMismatch": SARIF's rule name
  std::string title;             ///< the catalogue title, after the colon
  std::string severity;          ///< as written on the page
  std::string full_description;  ///< the first paragraph, joined into one line
  std::string how_to_fix;        ///< the "How to fix" section's Markdown
  std::string_view page;         ///< the whole page
};

/// Parses one page; nullopt when the heading is not "# <id> <Name>: <title>".
std::optional<RuleDoc> parse_rule_doc(std::string_view id, std::string_view page);

/// The embedded page of `id` ("SL104"; "sl104" and "104" are accepted too), parsed.
std::optional<RuleDoc> find_rule_doc(std::string_view id);

/// The URL of a rule's page: rule_docs_base_url() + id + ".md".
std::string rule_doc_url(std::string_view id);

/// Markdown turned into plain text for consumers that show help as text: code fences,
/// emphasis and link targets dropped.
std::string markdown_to_text(std::string_view markdown);

}  // namespace shapelint
