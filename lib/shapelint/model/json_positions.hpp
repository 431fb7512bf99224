#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shapelint/hash/string_hash.hpp"
#include "shapelint/json/document.hpp"

namespace shapelint {

/// A 1-based line and column in a text; the column counts Unicode code points, as SARIF's
/// `columnKind: unicodeCodePoints` and editors do.
struct TextPosition {
  int line = 0;
  int column = 0;
};

/// A JSON path to look for, and where in the text its search may start: at the value of one
/// of its prefixes (a model's layer object, whose offset the parsed document knows:
/// JsonValue::text_offset), with the rest of the path from there. By default the search
/// starts at the top of the text with the whole path.
struct WantedPath {
  std::string path;       ///< the whole path, as JsonPositions::find is asked for it
  std::size_t start = 0;  ///< where an object along the path begins; 0 for the top
  std::string rest;       ///< the path from that object on (the whole path from the top)

  /// `path` looked for from the top of the text.
  static WantedPath from_top(const std::string& path) {
    return WantedPath{.path = path, .start = 0, .rest = path};
  }
};

/// Where values stand in a JSON text, for a set of JSON paths in the dotted form the loader
/// writes (`config.layers[3].config.kernel_size`, `modelTopology.model_config.config`,
/// `config.layers[1].inbound_nodes[0][0]`; "" is the whole document).
///
/// The parsed document keeps no positions (only where the layer objects begin), so the text is
/// scanned once more, but only along the wanted paths and from the deepest layer object
/// along each (WantedPath::start): every container off those paths is skipped by counting
/// brackets, and the lines before a start are only counted. The cost, paid only when a
/// finding needs a position, is a quick pass over the bytes up to the last one found.
/// A path's nodes below a start form a trie of their own, rooted there.
class JsonPositions {
 public:
  /// Scans `text` once for every path in `wanted`.
  JsonPositions(std::string_view text, const std::vector<std::string>& wanted);
  /// Scans `text` from each start of `wanted` (wanted_path_in), for the paths starting there.
  JsonPositions(std::string_view text, std::span<const WantedPath> wanted);

  /// Where the value at `path` begins (its first character: `{`, `[`, `"`, a digit...).
  /// A path the text does not hold (a key the loader translated, say) gets the position of
  /// its deepest ancestor that it does hold (a search's start at least); nothing when even
  /// the first step from the top is missing or `path` was not among the wanted ones.
  std::optional<TextPosition> find(const std::string& path) const;

  /// A trie of the wanted paths; each node is one prefix of a wanted path.
  struct Node {
    int parent = -1;
    std::unordered_map<std::string, int, StringHash> keys;
    std::unordered_map<long long, int> indices;
    std::optional<std::size_t> offset;  ///< where the value begins, once found
    std::optional<TextPosition> position;
    std::size_t trie_size = 1;  ///< of a trie's root: its nodes, itself included
  };

 private:
  void find_all(std::string_view text, std::span<const WantedPath> wanted);
  /// Adds `path` as `rest`, its steps below trie root `root`.
  int add_path(const std::string& path, std::string_view rest, int root);
  /// Turns the offsets found into lines and columns.
  void count_lines(std::string_view text);

  std::vector<Node> nodes_;
  std::unordered_map<std::string, int, StringHash> node_of_path_;
};

/// One step of a dotted JSON path: a key, or an index into an array.
struct JsonPathStep {
  std::string key;
  long long index = -1;  ///< >= 0 for an array index
  std::size_t end = 0;   ///< just past the step in its path

  bool is_index() const { return index >= 0; }
};

/// Splits `a.b[3].c` into steps; false when the path is malformed (`a..b`, `a[x]`).
bool split_json_path(std::string_view path, std::vector<JsonPathStep>& steps);

/// Where to look for `path` in the text `root`'s document was parsed from: from the last
/// object along the path whose offset the document knows (the top of the text when none).
WantedPath wanted_path_in(JsonValue root, const std::string& path);

}  // namespace shapelint
