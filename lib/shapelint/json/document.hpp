#pragma once
// A compact, read-only JSON document: what every model file is read into.
//
// A model file of tens of megabytes is read once and looked at in a few places (the loader,
// the layer configs the rules read). A DOM of std::map nodes and std::string keys costs
// about ten times the file; this one costs less than the file: one contiguous array of
// 12-byte nodes, object members carrying their key, containers owning a contiguous range of
// children, and every distinct string (keys, names, class names) stored once. Unless told
// otherwise (below), it keeps only the texts of its floats (below) and nothing else of the
// source text, which the caller may then free as soon as it is parsed.
//
// It accepts exactly the JSON nlohmann_json accepts and reads it to the same values: the same
// numbers (unsigned, signed, float), duplicate keys resolved the same way (the last wins),
// object members listed in the same (sorted) order by items(), the same error messages.
//
// Floats that can only be valid and in range are checked but not converted, and read from
// their text when asked. A config with its weights inside holds tens of thousands of them
// that nothing reads, and converting them was most of its parse (1.55 -> 1.41 ms for a
// 570 KiB config holding 57,000 weights; 31 -> 13 ms for a 4.4 MB one holding 200,000
// float32 weights written as doubles, which the fast conversion declines). Their texts are
// copied into the document after the parse, unless the caller says its text outlives the
// document (TextLifetime::outlives_document): then they are read from there.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace shapelint {

class JsonDocument;
class JsonKey;
struct JsonMember;

namespace json_detail {

enum class Kind : std::uint8_t {
  null,
  boolean,
  integer,           ///< a negative integer, as nlohmann's number_integer
  unsigned_integer,  ///< a non-negative integer, as nlohmann's number_unsigned
  floating,
  string,
  array,
  object,
};

/// In a node's kind bits: a float whose value is still its text, at (`low`, `high`) =
/// (offset, length) in the text the document was parsed from.
inline constexpr std::uint32_t kFloatInText = 0x8;

/// One value. An object member also holds its key, as the id of an interned string (0, the
/// empty string, for array elements and the root). A string is its interned id in `low`;
/// a container its (first child index, child count) in (`low`, `high`); a number or a bool
/// all 64 bits, or a float kFloatInText its place in the text.
/// A trivial type (no member initializers), so that the parser's block copies of children
/// are one memmove each rather than a loop constructing every node.
struct Node {
  std::uint32_t key_kind;  ///< Kind in the low 3 bits, kFloatInText, the key's string id above
  std::uint32_t lo;
  std::uint32_t hi;

  Kind kind() const noexcept { return static_cast<Kind>(key_kind & 0x7); }

  bool float_in_text() const noexcept { return (key_kind & kFloatInText) != 0; }

  std::uint32_t key_id() const noexcept { return key_kind >> 4; }

  std::uint32_t low() const noexcept { return lo; }

  std::uint32_t high() const noexcept { return hi; }

  std::uint64_t bits() const noexcept { return lo | (std::uint64_t{hi} << 32); }
};

static_assert(sizeof(Node) == 12);
static_assert(std::is_trivial_v<Node>);

}  // namespace json_detail

/// A view of one value in a JsonDocument, or of no value at all (a missing key): then it is
/// false and equals nullptr, and every query on it answers "no". It is used where code once
/// held a `const nlohmann::json*`: `if (v && v->is_string())`, `(*v)[0]`, `v->size()` read
/// the same. Valid while its document lives.
class JsonValue {
 public:
  JsonValue() = default;

  JsonValue(const JsonDocument* doc, const json_detail::Node* node) noexcept
      : doc_(doc), node_(node) {}

  explicit operator bool() const noexcept { return node_ != nullptr; }

  friend bool operator==(const JsonValue& v, std::nullptr_t) noexcept { return !v.node_; }

  /// As nlohmann compares a value with a number or a bool: equal values of any number
  /// type (`v == 0` is true for 0 and 0.0), never equal to another type. (Without it, a
  /// literal 0 would compare as nullptr.)
  template <class T>
  requires std::is_arithmetic_v<T>

  friend bool operator==(const JsonValue& v, T x) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return v.is_boolean() && v.as_bool() == x;
    } else if constexpr (std::is_floating_point_v<T>) {
      return v.is_number() && v.as_double() == static_cast<double>(x);
    } else {
      if (v.is_number_float())
        return v.as_double() == static_cast<double>(x);
      if (v.is_number_unsigned()) {
        if constexpr (std::is_signed_v<T>)
          if (x < 0)
            return false;
        return v.as_uint() == static_cast<std::uint64_t>(x);
      }
      return v.is_number_integer() && v.as_int() == static_cast<std::int64_t>(x);
    }
  }

  friend bool operator==(const JsonValue& v, std::string_view s) noexcept {
    return v.is_string() && v.as_string() == s;
  }

  const JsonValue* operator->() const noexcept { return this; }

  const JsonValue& operator*() const noexcept { return *this; }

  bool is_null() const noexcept { return is(json_detail::Kind::null); }

  bool is_boolean() const noexcept { return is(json_detail::Kind::boolean); }

  bool is_number() const noexcept { return is_number_integer() || is_number_float(); }

  /// Signed or unsigned, as nlohmann: every integer written without '.' or exponent.
  bool is_number_integer() const noexcept {
    return is(json_detail::Kind::integer) || is_number_unsigned();
  }

  bool is_number_unsigned() const noexcept { return is(json_detail::Kind::unsigned_integer); }

  bool is_number_float() const noexcept { return is(json_detail::Kind::floating); }

  bool is_string() const noexcept { return is(json_detail::Kind::string); }

  bool is_array() const noexcept { return is(json_detail::Kind::array); }

  bool is_object() const noexcept { return is(json_detail::Kind::object); }

  bool is_structured() const noexcept { return is_array() || is_object(); }

  /// nlohmann's name of the type: "null", "object", "array", "string", "boolean", "number".
  const char* type_name() const noexcept;

  /// As nlohmann: elements of an array, distinct keys of an object, 0 for null, 1 otherwise.
  std::size_t size() const;

  bool empty() const { return size() == 0; }

  /// Array element `i`; absent when out of range or not an array.
  JsonValue operator[](std::size_t i) const noexcept;

  /// Member `key`; absent when missing or not an object. A repeated key reads its last value.
  JsonValue operator[](std::string_view key) const noexcept { return find(key); }

  JsonValue find(std::string_view key) const noexcept;
  /// As find(key.text()); in the document the key was made for, without hashing the key.
  JsonValue find(const JsonKey& key) const noexcept;

  /// As operator[] (nlohmann's at() throws where these answer absent).
  JsonValue at(std::string_view key) const noexcept { return find(key); }

  JsonValue at(std::size_t i) const noexcept { return (*this)[i]; }

  bool contains(std::string_view key) const noexcept { return static_cast<bool>(find(key)); }

  bool as_bool() const noexcept;
  /// Integers as they are; floats truncated (saturated at the int64 limits, NaN as 0).
  std::int64_t as_int() const noexcept;
  std::uint64_t as_uint() const noexcept;
  double as_double() const noexcept;
  /// The characters of a string, escapes decoded; "" for anything else.
  std::string_view as_string() const noexcept;

  /// nlohmann-style typed read: bool, arithmetic types, std::string, std::string_view.
  /// A value of another type reads as false, 0 or "" (never throws).
  template <class T>
  T get() const {
    if constexpr (std::is_same_v<T, bool>) {
      return as_bool();
    } else if constexpr (std::is_same_v<T, std::string>) {
      return std::string(as_string());
    } else if constexpr (std::is_same_v<T, std::string_view>) {
      return as_string();
    } else if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(as_double());
    } else {
      static_assert(std::is_integral_v<T>, "JsonValue::get: unsupported type");
      if (is_number_unsigned())
        return static_cast<T>(as_uint());
      return static_cast<T>(as_int());
    }
  }

  /// Member `key` read as T, or `fallback` when missing or of another JSON type.
  std::string value(std::string_view key, std::string_view fallback) const;

  /// The key this value has in its object ("" for an array element or the root).
  std::string_view key() const noexcept;

  /// Object members sorted by key, a repeated key once with its last value: the order
  /// nlohmann_json iterates an object in.
  std::vector<JsonMember> items() const;

  /// Compact JSON, exactly as nlohmann_json dumps the same value.
  std::string dump() const;
  nlohmann::json to_nlohmann() const;

  /// The elements of an array (nothing for other values).
  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = JsonValue;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = JsonValue;

    iterator() = default;

    iterator(const JsonDocument* doc, const json_detail::Node* node) : doc_(doc), node_(node) {}

    JsonValue operator*() const noexcept { return JsonValue(doc_, node_); }

    JsonValue operator[](difference_type n) const noexcept { return JsonValue(doc_, node_ + n); }

    iterator& operator++() noexcept {
      ++node_;
      return *this;
    }

    iterator operator++(int) noexcept {
      iterator old = *this;
      ++node_;
      return old;
    }

    iterator& operator--() noexcept {
      --node_;
      return *this;
    }

    iterator operator--(int) noexcept {
      iterator old = *this;
      --node_;
      return old;
    }

    iterator& operator+=(difference_type n) noexcept {
      node_ += n;
      return *this;
    }

    iterator& operator-=(difference_type n) noexcept {
      node_ -= n;
      return *this;
    }

    friend iterator operator+(iterator it, difference_type n) noexcept { return it += n; }

    friend iterator operator+(difference_type n, iterator it) noexcept { return it += n; }

    friend iterator operator-(iterator it, difference_type n) noexcept { return it -= n; }

    friend difference_type operator-(const iterator& a, const iterator& b) noexcept {
      return a.node_ - b.node_;
    }

    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.node_ == b.node_;
    }

    friend auto operator<=>(const iterator& a, const iterator& b) noexcept {
      return a.node_ <=> b.node_;
    }

   private:
    const JsonDocument* doc_ = nullptr;
    const json_detail::Node* node_ = nullptr;
  };

  iterator begin() const noexcept;
  iterator end() const noexcept;

  /// The members of an object (a repeated key each time it is written) or the elements of
  /// an array, in file order; each member knows its key().
  struct Children {
    iterator first;
    iterator last;

    iterator begin() const noexcept { return first; }

    iterator end() const noexcept { return last; }
  };

  Children children() const noexcept;

  /// Where the value begins (its `{`) in the text the document was parsed from, for an
  /// object that is an element of an array keyed "layers" or "config": a model's layers, where
  /// the search for a finding's line and column can start instead of at the top of the file.
  /// Nothing for any other value, and for an empty object.
  std::optional<std::size_t> text_offset() const noexcept;

  /// Where the value stands in its document, as findings name it:
  /// `config.layers[3].inbound_nodes[0]` ("" for the root and for an absent value).
  std::string path() const;

  const JsonDocument* document() const noexcept { return doc_; }

  /// index() of an absent value.
  static constexpr std::uint32_t kNoIndex = 0xFFFFFFFF;

  /// Where the value is in its document, for a holder that keeps a value of the same
  /// document beside it: four bytes where a JsonValue takes sixteen (a large model's
  /// layers each keep a few). kNoIndex when absent.
  std::uint32_t index() const noexcept;

  /// The value at `index` (index()) of this value's document; absent for kNoIndex, or when
  /// this value is absent.
  JsonValue at_index(std::uint32_t index) const noexcept;

  /// How many values an object or array holds, nested ones included; 0 for any other value.
  std::size_t held_count() const noexcept;

  /// A hash of an object or array as written, less the values of its own members keyed
  /// `skip` (a layer config's "name"): values same_written() finds alike hash alike.
  std::uint64_t written_hash(const JsonKey& skip) const noexcept;

  /// Whether `other`, an object or array of the same document, is written as this one is,
  /// less the values of the members keyed `skip` of both: the same members in the same
  /// order (nested values compared whole), equal strings, integers and bools, floats of the
  /// same text. False for any other value.
  bool same_written(const JsonValue& other, const JsonKey& skip) const noexcept;

 private:
  bool is(json_detail::Kind k) const noexcept { return node_ && node_->kind() == k; }

  /// The value of a float node, read from the text when it was left there.
  double float_value() const noexcept;

  /// The member whose key is string `id` of the document (the last when repeated).
  JsonValue find_id(std::uint32_t id) const noexcept;

  /// The children of an array or object in file order; empty otherwise.
  const json_detail::Node* children_begin() const noexcept;
  const json_detail::Node* children_end() const noexcept;

  const JsonDocument* doc_ = nullptr;
  const json_detail::Node* node_ = nullptr;
};

struct JsonMember {
  std::string_view key;
  JsonValue value;
};

/// A key looked up once in one document, to be found in many of its objects: the loader
/// asks every layer for "class_name", "config" and "name", and hashing the key each time
/// was most of a find. An object of another document (a config translated from Keras 1)
/// finds the key's text as usual.
class JsonKey {
 public:
  /// `text` must outlive the key (a string literal, usually).
  JsonKey(const JsonDocument& document, std::string_view text) noexcept;

  std::string_view text() const noexcept { return text_; }

 private:
  friend class JsonValue;

  std::string_view text_;
  const JsonDocument* document_;
  std::uint32_t id_ = 0;
  bool held_ = false;  ///< the document holds the string anywhere
};

/// Why a text is not a JSON document.
struct JsonParseError {
  /// nlohmann_json's wording, from "parse error" on: "parse error at line 1, column 9: syntax
  /// error while parsing value - invalid literal; last read: '"a": tru}'".
  std::string message;
  int line = 0;  ///< 1-based; 0 when unknown
  int column = 0;
  /// Nested deeper than the limit (checked before any other error, as a byte scan would).
  bool too_deep = false;
};

/// Whether the text a document is parsed from lives as long as the document.
enum class TextLifetime {
  ends_after_parse,   ///< the document copies what it needs of it (copy_float_texts)
  outlives_document,  ///< the document may read floats from it when asked
};

class JsonDocument {
 public:
  /// Parses `text`. Returns null and fills `error` when the text is not JSON or nests
  /// arrays and objects deeper than `max_depth`.
  static std::unique_ptr<JsonDocument> parse(
      std::string_view text,
      std::size_t max_depth,
      JsonParseError& error,
      TextLifetime lifetime = TextLifetime::ends_after_parse);
  /// A document holding `value` (for configs built in code: Keras 1 translations).
  static std::unique_ptr<JsonDocument> from_nlohmann(const nlohmann::json& value);

  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;

  JsonValue root() const noexcept { return JsonValue(this, &nodes_.back()); }

  std::size_t node_count() const noexcept { return nodes_.size(); }

  /// Distinct strings (keys and values) the document holds.
  std::size_t string_count() const noexcept { return strings_.size(); }

  /// The bytes of the floats whose value is still their text (see the top of this file).
  std::size_t float_text_bytes() const noexcept;

  /// Makes a document parsed with TextLifetime::outlives_document independent of its text,
  /// which may then go: the floats' texts are copied into the document. A caller who learns
  /// only after the parse whether it keeps the text (a large file's, kept when it is mostly
  /// floats) calls it when it does not.
  void copy_float_texts();

  /// Gives the system back the pages of the values' list past its end, reserved for the
  /// densest text but not written (the tail of a 2 MiB page, or pages mapped in ahead). For
  /// a document of many megabytes, held while a large model is checked.
  void give_back_unused_capacity() noexcept;

  /// Frees the values, the string table and its hash, keeping only the strings' characters:
  /// views a caller took of them (as_string(), key()) stay valid, but no value of the
  /// document may be read any more. For the end of a large model's lint, whose rows copy the
  /// layers' names (views of the document's strings) once nothing reads a value: most of the
  /// document is gone before the rows grow.
  void keep_only_strings() noexcept;

  /// Whether `s` is written anywhere in the document, as a key or a string value: when it
  /// is not, no object has such a key (a quick answer for a whole file).
  bool holds(std::string_view s) const noexcept {
    std::uint32_t id = 0;
    return lookup(s, id);
  }

 private:
  friend class JsonValue;
  friend class JsonParser;
  friend class JsonKey;

  /// Eight bytes: every layer's name is a distinct string, and a large model has 100,000
  /// layers. (The hash is kept in the string's slot, where probes and growth read it.)
  struct Interned {
    std::uint32_t offset;       ///< in pool_
    std::uint32_t length : 31;  ///< texts are under 2 GiB (kMaxTextBytes)
    /// Printable ASCII with no quote or backslash: its JSON text is the string itself.
    std::uint32_t plain : 1;
  };

  static_assert(sizeof(Interned) == 8);

  JsonDocument();

  std::string_view string(std::uint32_t id) const noexcept {
    const Interned& s = strings_[id];
    return {pool_.data() + s.offset, s.length};
  }

  /// The id of `s`, added when new; `plain` when its text was the string itself.
  std::uint32_t intern(std::string_view s, bool plain = false);
  /// The id of `s`, when the document holds it.
  bool lookup(std::string_view s, std::uint32_t& id) const noexcept;

  /// Whether hash slot `slot` holds `s` (of hash `hash`); its id then.
  /// A run of nodes_, [begin, end).
  struct Span {
    std::uint32_t begin;
    std::uint32_t end;
  };

  /// Where the nodes of everything `container` holds lie, nested values' included.
  Span descendants(const json_detail::Node& container) const noexcept;
  /// JsonValue::written_hash and same_written, of containers of this document: the values
  /// of their own members keyed string `skip_id` left out.
  std::uint64_t written_hash(const json_detail::Node& container,
                             std::uint32_t skip_id) const noexcept;
  bool same_written(const json_detail::Node& a,
                    const json_detail::Node& b,
                    std::uint32_t skip_id) const noexcept;
  /// Whether two floats kept as text are written alike.
  bool same_float_text(const json_detail::Node& a, const json_detail::Node& b) const noexcept;
  bool holds_at(std::uint64_t slot,
                std::uint32_t hash,
                std::string_view s,
                std::uint32_t& id) const noexcept;
  void grow_slots();

  /// A hash slot: the string's hash above its id + 1 (0 is a free slot), so that a probe
  /// rejects another string without reading it.
  static std::uint64_t slot_of(std::uint32_t hash, std::uint32_t id) noexcept {
    return (std::uint64_t{hash} << 32) | (std::uint64_t{id} + 1);
  }

  const json_detail::Node* node(std::uint32_t index) const noexcept {
    return nodes_.data() + index;
  }

  std::string path_of(const json_detail::Node* node) const;
  /// The value of a float left in the text (kFloatInText).
  double float_from_text(const json_detail::Node& node) const noexcept;
  /// Which child of `container` holds node `index` somewhere below it (its position among
  /// the children; their count when none does).
  std::uint32_t child_holding(const json_detail::Node& container, std::uint32_t index) const;

  /// Where a recorded object (JsonValue::text_offset) begins in the text: by the index of its
  /// first child, which grows in the order objects close, so the table is sorted.
  struct ObjectStart {
    std::uint32_t first_child;
    std::uint32_t offset;
  };

  std::string pool_;                  ///< the distinct strings, one after another
  std::vector<Interned> strings_;     ///< by id; id 0 is ""
  std::vector<std::uint64_t> slots_;  ///< open-addressing hash of strings_ (slot_of)
  std::vector<json_detail::Node> nodes_;
  std::vector<ObjectStart> object_starts_;
  /// Where floats kept as text are read: the parsed text (TextLifetime::outlives_document)
  /// or own_float_texts_.
  std::string_view text_;
  std::string own_float_texts_;  ///< the floats' texts, one after another (copy_float_texts)
};

inline JsonValue::iterator JsonValue::begin() const noexcept {
  return iterator(doc_, is_array() ? children_begin() : nullptr);
}

inline JsonValue::iterator JsonValue::end() const noexcept {
  return iterator(doc_, is_array() ? children_end() : nullptr);
}

inline JsonValue::Children JsonValue::children() const noexcept {
  if (!is_structured())
    return {};
  return {iterator(doc_, children_begin()), iterator(doc_, children_end())};
}

inline const json_detail::Node* JsonValue::children_begin() const noexcept {
  return doc_->node(node_->low());
}

inline const json_detail::Node* JsonValue::children_end() const noexcept {
  return doc_->node(node_->low()) + node_->high();
}

inline JsonValue JsonValue::operator[](std::size_t i) const noexcept {
  if (!is_array() || i >= node_->high())
    return {};
  return JsonValue(doc_, children_begin() + i);
}

inline std::string_view JsonValue::as_string() const noexcept {
  if (!is_string())
    return {};
  return doc_->string(node_->low());
}

inline std::uint32_t JsonValue::index() const noexcept {
  return node_ ? static_cast<std::uint32_t>(node_ - doc_->node(0)) : kNoIndex;
}

inline JsonValue JsonValue::at_index(std::uint32_t index) const noexcept {
  if (!doc_ || index == kNoIndex)
    return {};
  return JsonValue(doc_, doc_->node(index));
}

inline std::string_view JsonValue::key() const noexcept {
  if (!node_)
    return {};
  return doc_->string(node_->key_id());
}

}  // namespace shapelint
