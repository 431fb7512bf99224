// Model JSON mutated as JSON: a custom mutator parses the input and changes one value at a
// random path (a hostile number or size, the wrong type, a deletion, a copy of another value
// of the same file: a name that now points at another layer, a subtree that now appears
// twice), then writes it back. Byte mutations of JSON text mostly end in a syntax error at
// the parser; these reach the loader, the graph builder and every shape rule with input a
// user's file (or an attacker's) can hold. Inputs it cannot parse get libFuzzer's own
// mutations, so the byte level is still covered.
#include <cstring>
#include <random>
#include <vector>

#include "fuzz_support.hpp"
#include "shapelint/io/model_file.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max);

namespace {

using nlohmann::json;

/// A value of the document and where it sits, so that it can be replaced or removed.
struct Slot {
  json* parent = nullptr;  ///< nullptr for the root
  std::string key;         ///< in an object parent
  std::size_t index = 0;   ///< in an array parent
  json* value = nullptr;
};

void collect(
    json& value, json* parent, std::string key, std::size_t index, std::vector<Slot>& out) {
  out.push_back(Slot{parent, key, index, &value});
  if (value.is_object()) {
    for (auto& [k, v] : value.items())
      collect(v, &value, k, 0, out);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      collect(value[i], &value, "", i, out);
  }
}

/// Values a hostile or damaged config holds where a well-formed one has a size, a name or a
/// flag.
json hostile_value(std::mt19937& rng) {
  static const std::vector<json> values = [] {
    std::vector<json> v{nullptr,
                        true,
                        false,
                        0,
                        1,
                        -1,
                        -7,
                        3,
                        1'000'000'000,
                        std::numeric_limits<std::int64_t>::min(),
                        std::numeric_limits<std::int64_t>::max(),
                        std::numeric_limits<std::uint64_t>::max(),
                        0.5,
                        -0.0,
                        1e308,
                        "",
                        "same",
                        "valid",
                        "causal",
                        "full",
                        "channels_first",
                        "None",
                        "float16",
                        "mixed_float16",
                        "relu",
                        "Dense",
                        "Conv2D",
                        "InputLayer",
                        "Model",
                        "Sequential",
                        json::array(),
                        json::object()};
    v.push_back(json::array({nullptr, 28, 28, 1}));
    v.push_back(json::array({-1, -1}));
    v.push_back(json::array({0, 0}));
    v.push_back(json::array({std::int64_t{1} << 40, std::int64_t{1} << 40}));
    v.push_back(json::array({nullptr}));
    v.push_back(json::array({json::array({"input_1", 0, 0, json::object()})}));
    v.push_back(json::array({"x", 0, 0}));
    v.push_back(json::object({{"class_name", "Dense"}, {"config", json::object()}}));
    v.push_back(std::string(300, 'a'));
    return v;
  }();
  return values[rng() % values.size()];
}

/// One change at a random slot.
void mutate_once(json& doc, std::mt19937& rng) {
  std::vector<Slot> slots;
  collect(doc, nullptr, "", 0, slots);
  Slot& s = slots[rng() % slots.size()];
  switch (rng() % 6) {
    case 0:
    case 1:
      *s.value = hostile_value(rng);
      break;
    case 2:  // a copy of another value of the same file
      *s.value = json(*slots[rng() % slots.size()].value);
      break;
    case 3:  // removed
      if (s.parent && s.parent->is_object())
        s.parent->erase(s.key);
      else if (s.parent && s.parent->is_array())
        s.parent->erase(s.index);
      break;
    case 4:  // an array element twice
      if (s.parent && s.parent->is_array())
        s.parent->insert(s.parent->begin() + static_cast<std::ptrdiff_t>(s.index), *s.value);
      break;
    default:  // a nearby number, or a string of the file put elsewhere
      if (s.value->is_number_integer()) {
        // Wrapping arithmetic: the mutator itself must have no undefined behaviour.
        auto v = static_cast<std::uint64_t>(s.value->get<std::int64_t>());
        std::uint64_t choices[] = {v + 1, v - 1, 0 - v, v * 1000, v >> 1, 0};
        *s.value = static_cast<std::int64_t>(choices[rng() % std::size(choices)]);
      } else if (s.value->is_string()) {
        for (int tries = 0; tries < 8; ++tries) {
          const json& other = *slots[rng() % slots.size()].value;
          if (other.is_string()) {
            *s.value = other;
            break;
          }
        }
      }
      break;
  }
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data,
                                               std::size_t size,
                                               std::size_t max_size,
                                               unsigned int seed) {
  std::mt19937 rng(seed);
  json doc = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || rng() % 8 == 0)
    return LLVMFuzzerMutate(data, size, max_size);
  for (unsigned n = 1 + rng() % 3; n > 0; --n)
    mutate_once(doc, rng);
  std::string text = doc.dump();
  if (text.size() > max_size)
    return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, text.data(), text.size());
  return text.size();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return shapelint::fuzz::lint_one(data, size, shapelint::io::Container::text, "fuzz.json");
}
