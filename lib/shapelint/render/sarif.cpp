// SARIF 2.1.0 for code-scanning services (GitHub code scanning and others): one run, the
// whole rule catalogue as tool.driver.rules, one result per finding with its physical
// location (line and column of the layer's object), the layer as a logical location, and a
// fingerprint that survives unrelated edits of the file.
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"
#include "shapelint/render/rule_docs.hpp"

namespace shapelint {

using nlohmann::ordered_json;

namespace {

constexpr std::string_view kSchemaUri =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
constexpr std::string_view kFingerprintKey = "shapelintFinding/v1";

const char* sarif_level(Severity s) {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::note:
      return "note";
  }
  return "error";
}

/// A rule's name when its page is missing: the title in PascalCase.
std::string name_from_title(std::string_view title) {
  std::string name;
  bool upper = true;
  for (char c : title) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    } else {
      upper = true;
    }
  }
  return name;
}

ordered_json rule_json(const RuleInfo& info) {
  auto doc = find_rule_doc(info.id);
  std::string title(info.title);
  std::string full = doc && !doc->full_description.empty() ? doc->full_description : title;
  std::string fix = doc ? doc->how_to_fix : std::string{};
  std::string url = rule_doc_url(info.id);
  std::string help_markdown =
      fmt::format("{}See [{}]({}).", fix.empty() ? "" : fix + "\n\n", info.id, url);
  std::string help_text =
      fmt::format("{}See {}", fix.empty() ? "" : markdown_to_text(fix) + "\n\n", url);
  return {
      {"id", info.id},
      {"name", doc ? doc->name : name_from_title(title)},
      {"shortDescription", {{"text", title}}},
      {"fullDescription", {{"text", markdown_to_text(full)}}},
      {"help", {{"text", help_text}, {"markdown", help_markdown}}},
      {"helpUri", url},
      {"defaultConfiguration", {{"level", sarif_level(info.severity)}}},
      {"properties", {{"tags", {"keras", "shape"}}}},
  };
}

/// Percent-encodes what RFC 3986 does not allow in a path.
std::string uri_path(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) ||
        std::string_view("-._~/!$&'()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos)
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

/// Digits and whitespace runs collapsed, so that a fingerprint does not change when only a
/// size in the message does (the layer and the kind of finding stay the same alert).
std::string normalised_message(std::string_view message) {
  std::string out;
  for (char c : message) {
    bool digit = std::isdigit(static_cast<unsigned char>(c));
    bool space = std::isspace(static_cast<unsigned char>(c));
    char mapped = digit ? '0' : space ? ' ' : c;
    if ((digit || space) && !out.empty() && out.back() == mapped)
      continue;
    out += mapped;
  }
  return out;
}

/// 64-bit FNV-1a: stable across platforms and runs, enough to tell findings apart.
std::string fingerprint(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("{:016x}", hash);
}

ordered_json physical_location(const FileReport& f, const Diagnostic& d) {
  std::string path = render_util::portable_path(location_path(f));
  // "model.keras!config.json": the archive is the artifact; lines inside it mean nothing
  // to a viewer of the zip.
  std::size_t bang = path.find('!');
  bool member = bang != std::string::npos;
  ordered_json location = {
      {"artifactLocation",
       {{"uri", uri_path(member ? path.substr(0, bang) : path)}, {"uriBaseId", "%SRCROOT%"}}}};
  // GitHub code scanning places a result only with region.startLine: a finding without a
  // known line (or inside an archive) is anchored at the top of the file.
  bool located = !member && d.line > 0;
  ordered_json region = {{"startLine", located ? d.line : 1}};
  if (located && d.column > 0)
    region["startColumn"] = d.column;
  location["region"] = std::move(region);
  return location;
}

ordered_json logical_locations(const FileReport& f, const Diagnostic& d) {
  ordered_json out = ordered_json::array();
  if (d.layer) {
    std::string model = f.model_name.value_or("model");
    out.push_back({{"name", *d.layer},
                   {"fullyQualifiedName", fmt::format("{}/{}", model, *d.layer)},
                   {"kind", "member"}});
  }
  if (!d.json_path.empty())
    out.push_back({{"fullyQualifiedName", d.json_path}, {"kind", "object"}});
  return out;
}

ordered_json result_json(const FileReport& f, const Diagnostic& d) {
  std::string text = d.layer ? fmt::format("Layer '{}': {}", *d.layer, d.message) : d.message;
  if (!d.hint.empty())
    text += fmt::format("\nHint: {}", d.hint);
  ordered_json location = ordered_json::object();
  if (render_util::has_file(f))
    location["physicalLocation"] = physical_location(f, d);
  ordered_json logical = logical_locations(f, d);
  if (!logical.empty())
    location["logicalLocations"] = std::move(logical);
  ordered_json result = {
      {"ruleId", d.rule},
      {"level", sarif_level(d.severity)},
      {"message", {{"text", text}}},
  };
  if (const RuleInfo* info = find_rule_info(d.rule)) {
    auto catalog = rule_catalog();
    result["ruleIndex"] = static_cast<std::size_t>(info - catalog.data());
  }
  if (!location.empty())
    result["locations"] = ordered_json::array({std::move(location)});
  std::string key = fmt::format("{}\n{}\n{}\n{}",
                                d.rule,
                                render_util::portable_path(f.path),
                                d.layer.value_or(""),
                                normalised_message(d.message));
  result["partialFingerprints"] = {{kFingerprintKey, fingerprint(key)}};
  return result;
}

}  // namespace

void render_sarif(const RunReport& run, const RenderOptions&, std::ostream& out) {
  ordered_json rules = ordered_json::array();
  for (const auto& info : rule_catalog())
    rules.push_back(rule_json(info));
  ordered_json results = ordered_json::array();
  for (const FileReport* f : render_util::reported_files(run))
    for (const auto& d : f->diagnostics)
      results.push_back(result_json(*f, d));
  ordered_json driver = {
      {"name", "shapelint"},
      {"version", run.tool_version},
      {"semanticVersion", run.tool_version},
      {"informationUri", project_homepage_url()},
      {"rules", std::move(rules)},
  };
  ordered_json doc = {
      {"$schema", kSchemaUri},
      {"version", "2.1.0"},
      {"runs",
       ordered_json::array({{
           {"tool", {{"driver", std::move(driver)}}},
           {"columnKind", "unicodeCodePoints"},
           {"results", std::move(results)},
       }})},
  };
  out << doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace shapelint
