#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shapelint {

/// A 1-based line and column in a text; the column counts Unicode code points, as SARIF's
/// `columnKind: unicodeCodePoints` and editors do.
struct TextPosition {
  int line = 0;
  int column = 0;
};

/// Where values stand in a JSON text, for a set of JSON paths in the dotted form the loader
/// writes (`config.layers[3].config.kernel_size`, `modelTopology.model_config.config`,
/// `config.layers[1].inbound_nodes[0][0]`; "" is the whole document).
///
/// The parsed document keeps no positions, so the text is scanned once more, but only along the
/// wanted paths: every container off those paths is skipped by counting brackets, so the
/// cost is one quick pass over the bytes, paid only when a finding needs a position.
class JsonPositions {
 public:
  /// Scans `text` once for every path in `wanted`.
  JsonPositions(std::string_view text, const std::vector<std::string>& wanted);

  /// Where the value at `path` begins (its first character: `{`, `[`, `"`, a digit...).
  /// A path the text does not hold (a key the loader translated, say) gets the position of
  /// its deepest ancestor that it does hold; nothing when even the first step is missing or
  /// `path` was not among the wanted ones.
  std::optional<TextPosition> find(const std::string& path) const;

  /// A trie of the wanted paths; each node is one prefix of a wanted path.
  struct Node {
    int parent = -1;
    std::unordered_map<std::string, int> keys;
    std::unordered_map<long long, int> indices;
    std::optional<TextPosition> position;
  };

 private:
  int add_path(const std::string& path);

  std::vector<Node> nodes_;
  std::unordered_map<std::string, int> node_of_path_;
};

/// One step of a dotted JSON path: a key, or an index into an array.
struct JsonPathStep {
  std::string key;
  long long index = -1;  ///< >= 0 for an array index

  bool is_index() const { return index >= 0; }
};

/// Splits `a.b[3].c` into steps; false when the path is malformed (`a..b`, `a[x]`).
bool split_json_path(std::string_view path, std::vector<JsonPathStep>& steps);

}  // namespace shapelint
