// Weights stored in the file against the weights the config builds. Keras loads a `.keras`
// archive variable by variable (`Layer.load_own_variables` → `variable.assign`, which raises
// when the shapes differ) and a legacy `.h5` layer by layer (`legacy_h5_format.py`, "Weight
// expects shape ..."); either way a stored shape that the built layer cannot hold stops the
// load.
//
// No false alarms: shapes are compared as a multiset per layer, so the order in which a file
// stores them (Keras 3 numbers them, trainable ones first; a Bidirectional stores its backward
// layer first by name) does not matter, and a stored shape that is a permutation of a built
// one counts as a fit (some versions store kernels in another axis order and convert them on
// load). Extra or missing weights alone are not reported: files carry state the engine does
// not model (random generator seeds, lookup tables).
#include "shapelint/lint/recorded_weights.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <regex>
#include <string>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

struct BuiltWeight {
  std::string name;  ///< "kernel"; a nested model's weights as "dense_1/kernel"
  Shape shape;
};

using StoredShape = std::vector<std::int64_t>;

/// Every weight the engine built for `layer`, or nullopt when it cannot know all of them.
std::optional<std::vector<BuiltWeight>> built_weights(const Layer& layer,
                                                      const LayerResult& result,
                                                      const std::string& prefix) {
  if (const Model* nested = layer.nested()) {
    if (!result.nested() || result.nested()->layers.size() != nested->layers.size())
      return std::nullopt;
    std::vector<BuiltWeight> all;
    for (std::size_t i = 0; i < nested->layers.size(); ++i) {
      const Layer& sub = nested->layers[i];
      auto weights = built_weights(sub, result.nested()->layers[i], prefix + sub.name + "/");
      if (!weights)
        return std::nullopt;
      all.insert(all.end(), weights->begin(), weights->end());
    }
    return all;
  }
  if (layer.rule_class() == "InputLayer")
    return std::vector<BuiltWeight>{};
  if (!result.built || !layer.builtin_rule())
    return std::nullopt;
  std::vector<BuiltWeight> out;
  for (const auto& w : result.weights())
    out.push_back(BuiltWeight{prefix + w.name, w.shape});
  return out;
}

bool same_shape(const Shape& built, const StoredShape& stored) {
  if (!built.has_rank() || built.rank() != stored.size())
    return false;
  for (std::size_t i = 0; i < stored.size(); ++i)
    if (!built.dims()[i].is_known() || built.dims()[i].value() != stored[i])
      return false;
  return true;
}

/// Unknown dims (a weight built from an unknown input size) fit anything; so does another
/// axis order of the same sizes.
bool fits(const Shape& built, const StoredShape& stored) {
  if (!built.has_rank())
    return true;
  if (built.rank() != stored.size())
    return false;
  std::vector<std::int64_t> known;
  std::size_t unknown = 0;
  for (auto d : built.dims()) {
    if (d.is_known())
      known.push_back(d.value());
    else
      ++unknown;
  }
  if (unknown == 0) {
    StoredShape a = stored;
    std::sort(a.begin(), a.end());
    std::sort(known.begin(), known.end());
    return a == known;
  }
  for (std::size_t i = 0; i < stored.size(); ++i)
    if (built.dims()[i].is_known() && built.dims()[i].value() != stored[i])
      return false;
  return true;
}

std::string tuple_text(const StoredShape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

/// Pairs stored with built weights; what is left on both sides cannot be loaded.
void compare_layer(const Layer& layer,
                   const std::vector<BuiltWeight>& built,
                   const std::vector<const io::RecordedWeight*>& stored,
                   Diagnostics& sink) {
  std::vector<bool> built_used(built.size()), stored_used(stored.size());
  auto pair_up = [&](auto&& matches) {
    for (std::size_t b = 0; b < built.size(); ++b) {
      if (built_used[b])
        continue;
      for (std::size_t s = 0; s < stored.size(); ++s) {
        if (!stored_used[s] && matches(built[b].shape, stored[s]->shape)) {
          built_used[b] = stored_used[s] = true;
          break;
        }
      }
    }
  };
  pair_up(same_shape);
  pair_up(fits);
  constexpr std::size_t kMaxPerLayer = 8;
  std::size_t reported = 0;
  for (std::size_t b = 0; b < built.size() && reported < kMaxPerLayer; ++b) {
    if (built_used[b])
      continue;
    // The leftover stored weight of the same rank is the one meant for it (kernel to kernel,
    // bias to bias); else the first leftover.
    std::optional<std::size_t> partner;
    for (std::size_t s = 0; s < stored.size(); ++s) {
      if (stored_used[s])
        continue;
      if (!partner)
        partner = s;
      if (built[b].shape.has_rank() && stored[s]->shape.size() == built[b].shape.rank()) {
        partner = s;
        break;
      }
    }
    if (!partner)
      return;  // the file stores fewer weights than the layer has: not judged
    stored_used[*partner] = true;
    const io::RecordedWeight& w = *stored[*partner];
    ++reported;
    sink.push_back(Diagnostic{
        .rule = std::string(rule::kRecordedWeightsMismatch),
        .severity = Severity::error,
        .layer = layer.name,
        .message = fmt::format(
            "the file stores weight '{}' of layer '{}' with shape {}, but the config builds its "
            "'{}' with shape {}: loading fails (The shape of the target variable and the shape "
            "of the target value in `variable.assign(value)` must match. variable.shape={}, "
            "Received: value.shape={})",
            w.weight,
            layer.name,
            tuple_text(w.shape),
            built[b].name,
            to_string(built[b].shape),
            to_string(built[b].shape),
            tuple_text(w.shape)),
        .hint = "the config was changed after the weights were saved, or the weights belong to "
                "another model: save the model again from the code that trained it",
        .json_path = layer.path()});
  }
}

/// Keras 3 saves a random layer's seed generator state beside its weights; it is no weight.
bool is_weight(const io::RecordedWeight& w) {
  return w.weight.find("seed_generator") == std::string::npos;
}

/// Keras's `naming.to_snake_case`: "Conv2D" → "conv2d", "ReLU" → "re_lu", "MaxPooling2D" →
/// "max_pooling2d".
std::string to_snake_case(const std::string& class_name) {
  std::string word;
  for (char ch : class_name)
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')
      word += ch;
  static const std::regex kCapitalized("(.)([A-Z][a-z]+)");
  static const std::regex kLowerUpper("([a-z])([A-Z])");
  std::string out = std::regex_replace(word, kCapitalized, "$1_$2");
  out = std::regex_replace(out, kLowerUpper, "$1_$2");
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char ch) {
    return static_cast<char>(std::tolower(ch));
  });
  return out;
}

/// The group key Keras 3 gives each layer of `model.layers` (saving_lib `_get_unique_name`):
/// its class in snake case, "_1", "_2", ... for the later ones of a class. A Sequential's
/// `layers` leave its InputLayer out; a Functional's keep theirs.
std::map<std::string, std::string> layers_by_group_key(const Model& model) {
  std::map<std::string, std::string> out;
  std::map<std::string, int> used;
  for (const auto& layer : model.layers) {
    if (layer.implicit_input || (model.sequential && layer.class_name == "InputLayer"))
      continue;
    std::string key = to_snake_case(layer.class_name);
    auto [it, first] = used.try_emplace(key, 0);
    if (!first)
      key += "_" + std::to_string(++it->second);
    out[key] = layer.name;
  }
  return out;
}

/// The group key tf.keras 2.13-2.15 gives each layer of `model.layers` in a `.keras` archive
/// (`_layer_checkpoint_dependencies/<key>`). `Model._layer_checkpoint_dependencies` lists a
/// layer with weights twice ("layer_with_weights-k", then "layer-i") and the saver numbers
/// every entry by class, saving a layer at its first entry only: the layers with weights of a
/// class are "conv2d", "conv2d_2", "conv2d_4", the others "re_lu", "re_lu_1" (seen in real
/// 2.13.1 archives). nullopt when a layer's weights cannot be known.
std::optional<std::map<std::string, std::string>> layers_by_keras2_group_key(
    const Model& model, const ModelResult& built) {
  std::map<std::string, std::string> out;
  std::map<std::string, int> next;
  for (std::size_t i = 0; i < model.layers.size() && i < built.layers.size(); ++i) {
    const Layer& layer = model.layers[i];
    if (layer.implicit_input || (model.sequential && layer.class_name == "InputLayer"))
      continue;
    const auto& params = built.layers[i].params;
    if (!params)
      return std::nullopt;
    std::string key = to_snake_case(layer.class_name);
    int& n = next[key];
    out[n == 0 ? key : key + "_" + std::to_string(n)] = layer.name;
    n += *params > 0 ? 2 : 1;
  }
  return out;
}

}  // namespace

void check_recorded_weights(const Model& model,
                            const ModelResult& built,
                            const std::vector<io::RecordedWeight>& recorded,
                            bool class_keyed_groups,
                            Diagnostics& sink,
                            bool keras2_archive) {
  std::map<std::string, std::string> group_layer;
  if (class_keyed_groups && keras2_archive) {
    auto keys = layers_by_keras2_group_key(model, built);
    if (!keys)
      return;  // which group is which layer cannot be known: compare nothing
    group_layer = std::move(*keys);
  } else if (class_keyed_groups) {
    group_layer = layers_by_group_key(model);
  }
  std::map<std::string, std::vector<const io::RecordedWeight*>, std::less<>> by_layer;
  for (const auto& w : recorded) {
    if (!is_weight(w))
      continue;
    if (!w.layer.empty()) {
      by_layer[w.layer].push_back(&w);
      continue;
    }
    auto it = group_layer.find(w.group);
    if (it == group_layer.end())
      return;  // the file is not laid out as assumed: compare nothing rather than guess
    by_layer[it->second].push_back(&w);
  }
  for (std::size_t i = 0; i < model.layers.size() && i < built.layers.size(); ++i) {
    const Layer& layer = model.layers[i];
    auto stored = by_layer.find(layer.name);
    if (layer.implicit_input || stored == by_layer.end())
      continue;
    auto weights = built_weights(layer, built.layers[i], "");
    if (!weights)
      continue;
    compare_layer(layer, *weights, stored->second, sink);
  }
}

}  // namespace shapelint

namespace shapelint {

namespace {

/// A manifest entry's shape: a list of non-negative integers, or nullopt.
std::optional<std::vector<std::int64_t>> manifest_shape(JsonValue shape) {
  if (!shape.is_array() || shape.size() > 32)
    return std::nullopt;
  std::vector<std::int64_t> out;
  for (const auto& d : shape) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
      return std::nullopt;
    out.push_back(d.get<std::int64_t>());
  }
  return out;
}

/// Which top-level layer each layer name belongs to, nested models' layers included (tf.keras 2
/// names a nested layer's weights without its model). A name used twice anywhere in the model
/// maps to "" and its weights are not attributed.
void collect_owners(const Model& model,
                    const Text* top,
                    std::map<std::string, std::string, std::less<>>& owner) {
  for (const auto& layer : model.layers) {
    const Text& owner_name = top ? *top : layer.name;
    auto [it, fresh] = owner.try_emplace(layer.name, owner_name);
    if (!fresh)
      it->second.clear();
    if (layer.nested())
      collect_owners(*layer.nested(), &owner_name, owner);
  }
}

}  // namespace

std::vector<io::RecordedWeight> tfjs_manifest_weights(JsonValue document, const Model& model) {
  std::vector<io::RecordedWeight> out;
  JsonValue manifest = document.find("weightsManifest");
  if (!manifest.is_array())
    return out;
  std::map<std::string, std::string, std::less<>> owner;
  collect_owners(model, nullptr, owner);
  for (JsonValue group : manifest) {
    JsonValue weights = group.find("weights");
    if (!weights.is_array())
      continue;
    for (JsonValue entry : weights) {
      if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
          !entry.contains("shape"))
        continue;
      std::string name = entry["name"].get<std::string>();
      auto shape = manifest_shape(entry["shape"]);
      if (!shape)
        continue;
      // "sequential/dense/kernel": the first component naming a layer, short of the last
      // (the weight itself).
      std::string layer;
      for (std::size_t start = 0, slash = name.find('/'); slash != std::string::npos;
           start = slash + 1, slash = name.find('/', start)) {
        auto it = owner.find(std::string_view(name).substr(start, slash - start));
        if (it != owner.end()) {
          layer = it->second;  // "" when the name is ambiguous
          break;
        }
      }
      if (!layer.empty())
        out.push_back(io::RecordedWeight{layer, layer, name, std::move(*shape)});
    }
  }
  return out;
}

}  // namespace shapelint
