#include "shapelint/json/document.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/hash/string_hash.hpp"
#include "shapelint/io/prefault.hpp"
#include "shapelint/json/byte_scan.hpp"
#include "shapelint/json/exact_decimal.hpp"
#include "shapelint/json/number_scan.hpp"
#include "shapelint/json/string_scan.hpp"

namespace shapelint {

using json_detail::Kind;
using json_detail::Node;

namespace {

/// Node indices and string offsets are 32 bits: texts up to 2 GiB.
constexpr std::size_t kMaxTextBytes = std::size_t{1} << 31;
/// A key is a 28-bit string id.
constexpr std::size_t kMaxStrings = std::size_t{1} << 28;

/// The 8 and the 4 bytes at `p` as one number (a fixed-size copy is a single load).
std::uint64_t word(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

std::uint64_t half(const char* p) {
  std::uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

/// The hash of a string in the table: keyed, so that a file cannot flood it with strings
/// that collide (hash/string_hash.hpp).
std::uint32_t hash_of(std::string_view s) {
  return static_cast<std::uint32_t>(string_hash(s));
}

/// JSON's whitespace: space, tab, line feed, carriage return.
constexpr std::array<bool, 256> kWhitespace = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : {' ', '\t', '\n', '\r'})
    table[c] = true;
  return table;
}();

/// The bytes a number starts with: the digits and '-'.
constexpr std::array<bool, 256> kNumberStart = [] {
  std::array<bool, 256> table{};
  for (unsigned char c = '0'; c <= '9'; ++c)
    table[c] = true;
  table['-'] = true;
  return table;
}();

/// Whether `c` may start a number. By a table, one test: a weight matrix's signs vary at
/// random, and the compiler's two branches (a digit? else a '-'?) were mispredicted at half
/// its numbers, a sixth of the parse of a config holding one.
bool may_start_number(char c) {
  return kNumberStart[static_cast<unsigned char>(c)];
}

bool is_whitespace(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte <= ' ' && kWhitespace[byte];
}

/// Byte classes inside a string: 0 ordinary, 1 the closing quote, 2 a backslash, 3 a control
/// character (must be escaped), 4 the first byte of a multi-byte UTF-8 sequence (or junk).
constexpr std::array<std::uint8_t, 256> kStringClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c)
    t[c] = 3;
  t['"'] = 1;
  t['\\'] = 2;
  for (int c = 0x80; c < 0x100; ++c)
    t[c] = 4;
  return t;
}();

constexpr double kInfinity = std::numeric_limits<double>::infinity();

std::uint64_t float_bits(double d) {
  return std::bit_cast<std::uint64_t>(d);
}

/// Whether n bytes at a and b are the same: word compares for the short strings of a config
/// (a call to memcmp costs more than the compare itself). Reads stay within the n bytes.
[[gnu::always_inline]] inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 <= n; i += 8)
      if (word(a + i) != word(b + i))
        return false;
    return word(a + n - 8) == word(b + n - 8);
  }
  if (n >= 4)
    return half(a) == half(b) && half(a + n - 4) == half(b + n - 4);
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i])
      return false;
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// Length of the well-formed UTF-8 sequence at `s` (RFC 3629, as nlohmann checks it), or 0.
std::size_t utf8_sequence(const unsigned char* s, const unsigned char* end) {
  auto in = [&](std::size_t i, unsigned lo, unsigned hi) {
    return s + i < end && s[i] >= lo && s[i] <= hi;
  };
  unsigned c = s[0];
  if (c >= 0xC2 && c <= 0xDF)
    return in(1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0)
    return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xED)
    return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0)
    return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (c == 0xF4)
    return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// Deepest nesting of arrays and objects in `text` (strings skipped), counting stops past
/// `limit`: what a byte scan finds even beyond a syntax error.
std::size_t nesting_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit)
        return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

/// Listens to nlohmann_json's SAX parser only for its error: the wording users know.
struct ErrorOnlySax final : nlohmann::json::json_sax_t {
  std::string what;

  bool null() override { return true; }

  bool boolean(bool) override { return true; }

  bool number_integer(number_integer_t) override { return true; }

  bool number_unsigned(number_unsigned_t) override { return true; }

  bool number_float(number_float_t, const string_t&) override { return true; }

  bool string(string_t&) override { return true; }

  bool binary(binary_t&) override { return true; }

  bool start_object(std::size_t) override { return true; }

  bool key(string_t&) override { return true; }

  bool end_object() override { return true; }

  bool start_array(std::size_t) override { return true; }

  bool end_array() override { return true; }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    what = e.what();
    return false;
  }
};

/// 1-based line and column of byte `offset`, counted as nlohmann counts them.
std::pair<int, int> line_and_column(std::string_view text, std::size_t offset) {
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return {line, static_cast<int>(offset - line_start + 1)};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The parser: iterative (an explicit stack of open containers, so no input can overflow the
// call stack), one pass, children of each container gathered on a scratch stack and copied to
// the document in one piece when the container closes.

/// The children of the open containers, one after another. A vector's push_back checked the
/// capacity once more after push() had made room, in a step every value takes.
class NodeStack {
 public:
  std::size_t size() const noexcept { return size_; }

  const Node* begin() const noexcept { return nodes_.get(); }

  const Node* end() const noexcept { return nodes_.get() + size_; }

  const Node& back() const noexcept { return nodes_[size_ - 1]; }

  [[gnu::always_inline]] void push(const Node& node) {
    if (size_ == capacity_) [[unlikely]]
      grow();
    nodes_[size_++] = node;
  }

  /// Room for `count` more nodes, written at the place returned and then counted by
  /// added(): a block of floats pushed with one test of the capacity.
  Node* room_for(std::size_t count) {
    while (capacity_ - size_ < count)
      grow();
    return nodes_.get() + size_;
  }

  void added(std::size_t count) noexcept { size_ += count; }

  /// Drops the nodes from `size` on.
  void cut(std::size_t size) noexcept { size_ = size; }

 private:
  void grow() {
    std::size_t capacity = std::max<std::size_t>(64, capacity_ * 2);
    std::unique_ptr<Node[]> grown(new Node[capacity]);  // a trivial type: left uninitialized
    if (size_ != 0)
      std::memcpy(grown.get(), nodes_.get(), size_ * sizeof(Node));
    nodes_ = std::move(grown);
    capacity_ = capacity;
  }

  std::unique_ptr<Node[]> nodes_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

class JsonParser {
 public:
  JsonParser(JsonDocument& doc, std::string_view text, std::size_t max_depth)
      : doc_(doc),
        text_(text),
        p_(text.data()),
        end_(text.data() + text.size()),
        max_depth_(max_depth) {}

  bool run(JsonParseError& error);

 private:
  struct Frame {
    std::uint32_t scratch_start;
    std::uint32_t key_id;
    std::uint32_t opened_at;  ///< the offset of its bracket in the text
    bool object;
    /// An array keyed "layers" or "config": its objects' offsets are recorded.
    bool lists_layers;
    std::uint32_t last_key = kNoKey;  ///< the object's key read last
  };

  static constexpr std::uint32_t kNoKey = 0xFFFFFFFF;

  enum class Failure { syntax, too_deep, too_large, number_overflow };

  bool parse();
  /// How many nodes to reserve: enough for every value of most texts, exactly enough room
  /// for all of a text of up to a megabyte.
  std::size_t node_reserve() const noexcept;
  bool open(bool object);
  /// Whether key `key_id` is "layers" or "config", the keys of a model's list of layers.
  bool names_layers(std::uint32_t key_id) const noexcept;
  void close();
  bool read_key();
  /// A string that is likely `predicted` (see the predictions below): taken at once when its
  /// text is exactly that string's, read by read_string otherwise.
  bool read_predicted_string(std::uint32_t predicted, std::uint32_t& id);
  /// Whether the string at p_ is string `predicted`, read past it when it is.
  bool guessed_string(std::uint32_t predicted);
  /// A key after key `last` in its object: one of the two keys seen after it last, or read.
  bool read_key_after(std::uint32_t last, std::uint32_t& id);
  bool read_string(std::uint32_t& id);
  bool read_escaped_string(const char* start, const char* s, std::uint32_t& id);
  bool read_hex4(const char*& s, std::uint32_t& out) const;
  /// A number: the common ones at once (number_scan.hpp), the others by read_any_number.
  bool read_number();
  /// After a number in an array, the numbers that follow it (", 0.25, -1.5"), in a loop of
  /// their own: a weight matrix written into a config is tens of thousands of them, and the
  /// parser's general step between two values cost as much as reading a number. Stops just
  /// after the last number it read, the separator and what follows left to that step.
  bool read_more_numbers();
  /// read_more_numbers' loop, with a window of `Bytes`; the loop of 16 stops after the first
  /// number that needed 32, and says so in `long_numbers`.
  template <int Bytes>
  bool read_number_run(bool& long_numbers);
  /// At the comma after a number in an array: the plain floats after it that lie in the
  /// next 64 bytes, at once (number_scan.hpp's plain_floats_in_block), each left in the text
  /// as read_number_run leaves it. Stops on the comma after the last it took; false when it
  /// took none (or the text ends too soon), p_ unchanged.
  bool take_float_block();
  bool read_any_number();
  /// A float left in the text (number_scan.hpp's plain_float_end): checked, not converted.
  bool read_float_in_text();

  [[gnu::always_inline]] void push_float_in_text(const char* end, std::uint32_t key) {
    // Texts are under 2 GiB (kMaxTextBytes): offsets fit 32 bits.
    auto length = static_cast<std::uint64_t>(end - p_);
    push_keyed(
        key, Kind::floating, (p_ - text_.data()) | (length << 32), json_detail::kFloatInText);
    p_ = end;
  }

  /// A number the 16-byte look of number_scan.hpp settles: a short integer, or a float left
  /// in the text. False for any other, and near the end of the text.
  bool read_number_at_once();
  /// read_number_at_once's look of `Bytes` (16 or 32) at once, kept inline for the numbers
  /// after the first of an array.
  /// `InArray`: the number is an array's element, whose key is 0 (known here, it need not
  /// be read back from the parser's state at every number of a weight matrix).
  template <int Bytes, bool InArray = false>
  [[gnu::always_inline]] bool take_number_in_window();
  /// A number of 16 to 32 bytes (a float32 weight written as a double) by the look of 32;
  /// out of line, so as not to weigh on the loop of short numbers.
  [[gnu::noinline]] bool take_long_number();

  /// A number, by the quickest reader that takes it: the 16-byte look, then a float left in
  /// the text, then read_number.
  bool read_json_number() { return read_number_at_once() || read_float_in_text() || read_number(); }

  bool push_integer(const char* digits,
                    const char* digits_end,
                    bool negative,
                    const DecimalDigits& read);
  bool read_literal(std::string_view word, Kind kind, std::uint64_t bits);
  bool intern(std::string_view s, bool plain, std::uint32_t& id);

  /// Called between nearly every two tokens, most often where there is no whitespace: a byte
  /// past ' ' is one test; a run (Python's ", " and ": ", an indented file's newline and
  /// spaces) tests each byte against a table too.
  void skip_whitespace() {
    while (p_ < end_ && is_whitespace(*p_))
      ++p_;
  }

  /// Appends a value to the open container's children. Kept inline in the number loops: a
  /// call per number there cost a fifth of a weights-laden config's parse.
  [[gnu::always_inline]] void push(Kind kind, std::uint64_t bits, std::uint32_t flags = 0) {
    push_keyed(key_id_, kind, bits, flags);
  }

  /// push, with the value's key given.
  [[gnu::always_inline]] void push_keyed(std::uint32_t key,
                                         Kind kind,
                                         std::uint64_t bits,
                                         std::uint32_t flags = 0) {
    scratch_.push(Node{(key << 4) | static_cast<std::uint32_t>(kind) | flags,
                       static_cast<std::uint32_t>(bits),
                       static_cast<std::uint32_t>(bits >> 32)});
  }

  bool fail(Failure why) {
    failure_ = why;
    return false;
  }

  JsonDocument& doc_;
  std::string_view text_;
  const char* p_;
  const char* end_;
  std::size_t max_depth_;
  std::vector<Frame> stack_;
  NodeStack scratch_;
  std::string decoded_;       ///< a string with escapes, decoded
  std::uint32_t key_id_ = 0;  ///< key of the value being read, when in an object
  Failure failure_ = Failure::syntax;
  std::string overflowed_number_;

  // Predictions of the next string, by string id. A config repeats itself: the layers of a
  // class write the same keys in the same order, and "class_name" is followed by "Conv2D" again
  // and again. A string whose text matches its prediction needs no hashing and no probing of
  // the string table, which was a third of the parse.
  std::vector<std::uint32_t> first_key_;  ///< by the object's own key: its first key
  std::vector<std::uint32_t> key_after_;  ///< by a key: the key after it in its object
  /// By a key: the key after it before key_after_'s (layers of two classes alternate, and
  /// the key after `trainable` is `filters` in one and `axis` in the next).
  std::vector<std::uint32_t> key_after_before_;
  /// By a key and the key of its object: the string it last held. Both, since a key takes
  /// other values in other objects ("class_name" is "Conv2D" in a layer, "GlorotUniform" in
  /// its "kernel_initializer"). A table of fixed size, the pair hashed into it: two pairs
  /// that meet in a slot only guess wrong more often.
  std::vector<std::uint32_t> value_of_;
  static constexpr int kValueSlotBits = 12;

  std::uint32_t& value_guess() {
    std::uint32_t object_key = stack_.empty() ? 0 : stack_.back().key_id;
    std::uint32_t mixed = object_key * 0x9E3779B1u ^ key_id_ * 0x85EBCA6Bu;
    return value_of_[mixed >> (32 - kValueSlotBits)];
  }
};

bool JsonParser::run(JsonParseError& error) {
  if (text_.size() >= kMaxTextBytes)
    failure_ = Failure::too_large;
  else if (parse())
    return true;
  switch (failure_) {
    case Failure::too_deep:
      error.too_deep = true;
      return false;
    case Failure::too_large:
      error.message = fmt::format(
          "the JSON text is {} bytes, or holds {} distinct strings: over what shapelint reads",
          text_.size(),
          doc_.strings_.size());
      return false;
    case Failure::number_overflow:
    case Failure::syntax:
      break;
  }
  // A byte scan finds a nesting too deep even past a syntax error; the limit is what the
  // user meets first, as before the parser ran.
  if (nesting_depth(text_, max_depth_) > max_depth_) {
    error.too_deep = true;
    return false;
  }
  if (failure_ == Failure::number_overflow) {
    std::size_t offset = static_cast<std::size_t>(p_ - text_.data());
    std::tie(error.line, error.column) = line_and_column(text_, offset);
    error.message = fmt::format("parse error at line {}, column {}: number overflow parsing '{}'",
                                error.line,
                                error.column,
                                overflowed_number_);
    return false;
  }
  // nlohmann_json's own parser says what is wrong, in its words, at its position.
  ErrorOnlySax sax;
  nlohmann::json::sax_parse(text_, &sax);
  std::string what = sax.what.empty() ? std::string("parse error: invalid JSON") : sax.what;
  auto at = what.find("parse error");
  error.message = at == std::string::npos ? what : what.substr(at);
  std::sscanf(
      error.message.c_str(), "parse error at line %d, column %d", &error.line, &error.column);
  return false;
}

std::size_t JsonParser::node_reserve() const noexcept {
  // Typical configs hold a node per 15 (compact) to 25 (indented) bytes. Up to
  // kCountedTextBytes, room for as many nodes as the text can hold values: room for a node per
  // 8 bytes took 640 KiB of the huge-page arena for the 280 KiB of a 400 KiB NASNet config's
  // nodes, which pushed its lint's later blocks into a second 2 MiB page (a fault of a quarter
  // of a millisecond), and the count costs under a tenth of that. Past it, the count costs
  // more than a page (0.6 to 0.7 instructions a byte: about 3 M for the 4.4 MB of a config
  // holding an embedding matrix, a seventh of its lint), and room for a node per 8 bytes is
  // kept: the nodes move only for a text denser than that (a list of one-digit numbers).
  constexpr std::size_t kCountedTextBytes = std::size_t{1} << 20;
  if (text_.size() <= kCountedTextBytes)
    return count_value_bound_bytes(text_.data(), end_) + 1;
  return text_.size() / 8 + 16;
}

bool JsonParser::parse() {
  doc_.nodes_.reserve(node_reserve());
  // Outside the huge-page arena (a text of many MiB), the nodes' 2 MiB-aligned part on 2 MiB
  // pages too: 7% off the lint of a 100,000-layer model, for under 1% more memory at its peak.
  io::advise_huge_pages(doc_.nodes_.data(), doc_.nodes_.capacity() * sizeof(Node));
  // The pages for most of a compact text's nodes mapped in at once (no more: pages mapped in
  // and never used would add to the peak).
  io::prefault_for_writing(doc_.nodes_.data(),
                           std::min(doc_.nodes_.capacity(), text_.size() / 20) * sizeof(Node));
  for (auto* predictions : {&first_key_, &key_after_, &key_after_before_})
    predictions->assign(64, 0);  // the ids interned so far (""), and room to grow
  value_of_.assign(std::size_t{1} << kValueSlotBits, 0);
  if (p_ < end_ && static_cast<unsigned char>(*p_) == 0xEF) {  // a UTF-8 byte order mark
    if (end_ - p_ < 3 || static_cast<unsigned char>(p_[1]) != 0xBB ||
        static_cast<unsigned char>(p_[2]) != 0xBF)
      return fail(Failure::syntax);
    p_ += 3;
  }
  for (;;) {
    // A value.
    skip_whitespace();
    if (p_ == end_)
      return fail(Failure::syntax);
    bool complete = true;
    switch (*p_) {
      case '{':
      case '[': {
        bool object = *p_ == '{';
        if (!open(object))
          return false;
        skip_whitespace();
        if (p_ < end_ && *p_ == (object ? '}' : ']')) {
          ++p_;
          close();
        } else if (object) {
          if (!read_key())
            return false;
          complete = false;
        } else {
          key_id_ = 0;
          complete = false;
        }
        break;
      }
      case '"': {
        std::uint32_t id = 0;
        std::uint32_t& guess = value_guess();  // a fixed table: stays valid while reading
        if (!read_predicted_string(guess, id))
          return false;
        guess = id;
        push(Kind::string, id);
        break;
      }
      case 't':
        if (!read_literal("true", Kind::boolean, 1))
          return false;
        break;
      case 'f':
        if (!read_literal("false", Kind::boolean, 0))
          return false;
        break;
      case 'n':
        if (!read_literal("null", Kind::null, 0))
          return false;
        break;
      // Python's json module writes a float that is not finite as NaN, Infinity or -Infinity
      // (json.dumps allows them by default), and Keras reads such a config back: so do we.
      case 'N':
        if (!read_literal(
                "NaN", Kind::floating, float_bits(std::numeric_limits<double>::quiet_NaN())))
          return false;
        break;
      case 'I':
        if (!read_literal("Infinity", Kind::floating, float_bits(kInfinity)))
          return false;
        break;
      default:
        if (!read_json_number() || !read_more_numbers())
          return false;
        break;
    }
    if (!complete)
      continue;
    // After a value: a separator, the end of containers, or the end of the text.
    for (;;) {
      skip_whitespace();
      if (stack_.empty()) {
        // nlohmann's lexer reads a NUL byte as the end of the input, whatever follows it.
        if (p_ != end_ && *p_ != '\0')
          return fail(Failure::syntax);
        doc_.nodes_.push_back(scratch_.back());
        return true;
      }
      if (p_ == end_)
        return fail(Failure::syntax);
      const Frame& f = stack_.back();
      if (*p_ == ',') {
        ++p_;
        if (f.object) {
          skip_whitespace();
          if (!read_key())
            return false;
        } else {
          key_id_ = 0;
        }
        break;  // the next value
      }
      if (*p_ != (f.object ? '}' : ']'))
        return fail(Failure::syntax);
      ++p_;
      close();
    }
  }
}

bool JsonParser::open(bool object) {
  if (stack_.size() >= max_depth_)
    return fail(Failure::too_deep);
  stack_.push_back(Frame{.scratch_start = static_cast<std::uint32_t>(scratch_.size()),
                         .key_id = key_id_,
                         .opened_at = static_cast<std::uint32_t>(p_ - text_.data()),
                         .object = object,
                         .lists_layers = !object && names_layers(key_id_)});
  ++p_;
  return true;
}

bool JsonParser::names_layers(std::uint32_t key_id) const noexcept {
  // Both keys are six bytes long: most keys are told apart by their length alone.
  const JsonDocument::Interned& key = doc_.strings_[key_id];
  if (key.length != 6)
    return false;
  const char* text = doc_.pool_.data() + key.offset;
  return same_bytes(text, "layers", 6) || same_bytes(text, "config", 6);
}

void JsonParser::close() {
  Frame f = stack_.back();
  stack_.pop_back();
  auto first = static_cast<std::uint32_t>(doc_.nodes_.size());
  auto count = static_cast<std::uint32_t>(scratch_.size() - f.scratch_start);
  doc_.nodes_.insert(doc_.nodes_.end(), scratch_.begin() + f.scratch_start, scratch_.end());
  scratch_.cut(f.scratch_start);
  key_id_ = f.key_id;
  if (f.object && count != 0 && !stack_.empty() && stack_.back().lists_layers)
    doc_.object_starts_.push_back(JsonDocument::ObjectStart{first, f.opened_at});
  push(f.object ? Kind::object : Kind::array, first | (std::uint64_t{count} << 32));
}

bool JsonParser::read_key() {
  if (p_ == end_ || *p_ != '"')
    return fail(Failure::syntax);
  Frame& f = stack_.back();
  std::uint32_t last = f.last_key;
  std::uint32_t id = 0;
  if (last == kNoKey) {
    if (!read_predicted_string(first_key_[f.key_id], id))
      return false;
    first_key_[f.key_id] = id;
  } else if (!read_key_after(last, id)) {
    return false;
  }
  stack_.back().last_key = id;
  skip_whitespace();
  if (p_ == end_ || *p_ != ':')
    return fail(Failure::syntax);
  ++p_;
  key_id_ = id;
  return true;
}

bool JsonParser::read_key_after(std::uint32_t last, std::uint32_t& id) {
  std::uint32_t guess = key_after_[last];
  if (guessed_string(guess)) {
    id = guess;
    return true;
  }
  std::uint32_t second = key_after_before_[last];
  if (second != guess && guessed_string(second)) {
    id = second;
  } else if (!read_string(id)) {
    return false;
  }
  // Vectors may have grown in read_string: indexed again.
  key_after_before_[last] = guess;
  key_after_[last] = id;
  return true;
}

bool JsonParser::intern(std::string_view s, bool plain, std::uint32_t& id) {
  if (doc_.strings_.size() >= kMaxStrings - 1)
    return fail(Failure::too_large);
  id = doc_.intern(s, plain);
  if (id >= key_after_.size()) {  // room for the key predictions of every string
    std::size_t size = std::max<std::size_t>(64, std::size_t{id} * 2);
    first_key_.resize(size);
    key_after_.resize(size);
    key_after_before_.resize(size);
  }
  return true;
}

bool JsonParser::guessed_string(std::uint32_t predicted) {
  const JsonDocument::Interned& e = doc_.strings_[predicted];
  // Only a plain string (no escape, no quote, ASCII) reads the same as its text.
  if (e.plain && static_cast<std::size_t>(end_ - p_) > std::size_t{e.length} + 1 &&
      p_[e.length + 1] == '"' && same_bytes(p_ + 1, doc_.pool_.data() + e.offset, e.length)) {
    p_ += e.length + 2;
    return true;
  }
  return false;
}

bool JsonParser::read_predicted_string(std::uint32_t predicted, std::uint32_t& id) {
  if (guessed_string(predicted)) {
    id = predicted;
    return true;
  }
  return read_string(id);
}

bool JsonParser::read_string(std::uint32_t& id) {
  const char* start = p_ + 1;
  bool plain = true;  // ASCII only so far
  const auto* s = reinterpret_cast<const unsigned char*>(start);
  const auto* end = reinterpret_cast<const unsigned char*>(end_);
  for (;;) {
    s = reinterpret_cast<const unsigned char*>(
        skip_plain_string_bytes(reinterpret_cast<const char*>(s), end_));
    if (s == end)
      return fail(Failure::syntax);
    switch (kStringClass[*s]) {
      case 1:
        p_ = reinterpret_cast<const char*>(s) + 1;
        return intern(std::string_view(start, reinterpret_cast<const char*>(s) - start), plain, id);
      case 2:
        return read_escaped_string(start, reinterpret_cast<const char*>(s), id);
      case 3:
        p_ = reinterpret_cast<const char*>(s);
        return fail(Failure::syntax);
      default: {
        std::size_t n = utf8_sequence(s, end);
        if (n == 0) {
          p_ = reinterpret_cast<const char*>(s);
          return fail(Failure::syntax);
        }
        s += n;
        plain = false;
      }
    }
  }
}

/// The slow path: the string holds escapes, so it is decoded before it is interned.
bool JsonParser::read_escaped_string(const char* start, const char* s, std::uint32_t& id) {
  std::string& out = decoded_;
  out.assign(start, s);
  for (;;) {
    const char* run = s;
    s = skip_plain_string_bytes(s, end_);
    out.append(run, s);
    if (s == end_)
      return fail(Failure::syntax);
    auto c = static_cast<unsigned char>(*s);
    if (c == '"') {
      p_ = s + 1;
      return intern(out, false, id);
    }
    if (c < 0x20) {
      p_ = s;
      return fail(Failure::syntax);
    }
    if (c >= 0x80) {
      std::size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(s),
                                    reinterpret_cast<const unsigned char*>(end_));
      if (n == 0) {
        p_ = s;
        return fail(Failure::syntax);
      }
      out.append(s, n);
      s += n;
      continue;
    }
    // A backslash.
    if (++s == end_)
      return fail(Failure::syntax);
    switch (*s++) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        std::uint32_t cp = 0;
        if (!read_hex4(s, cp))
          return fail(Failure::syntax);
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate: a low one must follow
          std::uint32_t low = 0;
          if (end_ - s < 2 || s[0] != '\\' || s[1] != 'u')
            return fail(Failure::syntax);
          s += 2;
          if (!read_hex4(s, low) || low < 0xDC00 || low > 0xDFFF)
            return fail(Failure::syntax);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return fail(Failure::syntax);
        }
        append_utf8(out, cp);
        break;
      }
      default:
        return fail(Failure::syntax);
    }
  }
}

bool JsonParser::read_hex4(const char*& s, std::uint32_t& out) const {
  if (end_ - s < 4)
    return false;
  out = 0;
  for (int i = 0; i < 4; ++i, ++s) {
    char c = *s;
    std::uint32_t digit = 0;
    if (c >= '0' && c <= '9')
      digit = static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      digit = static_cast<std::uint32_t>(c - 'A' + 10);
    else
      return false;
    out = (out << 4) | digit;
  }
  return true;
}

/// Pushes the integer whose digits are [digits, digits_end) as nlohmann reads it: unsigned
/// when not negative, signed when negative; false when it does not fit 64 bits (a double).
bool JsonParser::push_integer(const char* digits,
                              const char* digits_end,
                              bool negative,
                              const DecimalDigits& read) {
  std::uint64_t v = 0;
  if (std::optional<std::uint64_t> exact = read.exact_integer()) {
    v = *exact;
  } else {
    for (const char* d = digits; d < digits_end; ++d) {
      auto digit = static_cast<std::uint64_t>(*d - '0');
      if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
        return false;
      v = v * 10 + digit;
    }
  }
  if (!negative) {
    push(Kind::unsigned_integer, v);
    return true;
  }
  constexpr std::uint64_t kMinMagnitude = std::uint64_t{1} << 63;  // -INT64_MIN
  if (v > kMinMagnitude)
    return false;
  std::int64_t signed_value =
      v == kMinMagnitude ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(v);
  push(Kind::integer, static_cast<std::uint64_t>(signed_value));
  return true;
}

/// JSON's number grammar; integers as nlohmann reads them (unsigned when not negative,
/// signed when negative, a double when they overflow 64 bits), floats correctly rounded.
bool JsonParser::read_number() {
  if (CommonNumber number; read_common_number(p_, end_, number)) {
    p_ = number.end;
    push(number.kind, number.bits);
    return true;
  }
  return read_any_number();
}

bool JsonParser::read_number_at_once() {
  return take_number_in_window<16>() || take_long_number();
}

bool JsonParser::take_long_number() {
  return take_number_in_window<32>();
}

template <int Bytes, bool InArray>
inline bool JsonParser::take_number_in_window() {
  // The window's bytes, and one more: a short integer after a '-' is read 8 bytes at a time
  // from its first digit.
  if (end_ - p_ < Bytes + 1)
    return false;
  const char* number_end = nullptr;
  switch (number_scan_detail::number_in_window<Bytes>(p_, number_end)) {
    case number_scan_detail::WindowAnswer::short_integer: {
      CommonNumber number = short_integer_value(p_, number_end);
      p_ = number_end;
      push_keyed(InArray ? 0 : key_id_, number.kind, number.bits);
      return true;
    }
    case number_scan_detail::WindowAnswer::plain_float:
      push_float_in_text(number_end, InArray ? 0 : key_id_);
      return true;
    case number_scan_detail::WindowAnswer::look_closer:
    case number_scan_detail::WindowAnswer::not_plain:
      return false;
  }
  return false;
}

bool JsonParser::read_float_in_text() {
  const char* end = plain_float_end(p_, end_);
  if (!end)
    return false;
  push_float_in_text(end, key_id_);
  return true;
}

bool JsonParser::read_more_numbers() {
  if (stack_.empty() || stack_.back().object)
    return true;
  key_id_ = 0;  // an array's elements have no key
  // The numbers of an array are alike: after the first that needs 32 bytes, 32 at once
  // rather than 16 and then 32.
  bool long_numbers = false;
  if (!read_number_run<16>(long_numbers))
    return false;
  return !long_numbers || read_number_run<32>(long_numbers);
}

bool JsonParser::take_float_block() {
  // 32 bytes more than the block: every float it takes would have had the 32-byte window
  // read_number_run looks through, and is left in the text as that window leaves it.
  // Block after block while they yield: a weight matrix's row is hundreds of floats, two or
  // three to a block, and each return to read_number_run's loop cost as much as a float.
  bool took_any = false;
  while (end_ - p_ >= number_scan_detail::kBlockBytes + 32 && *p_ == ',') {
    Node* out = scratch_.room_for(number_scan_detail::kMaxBlockFloats);
    std::size_t count = 0;
    auto block_offset = static_cast<std::uint64_t>(p_ - text_.data());
    std::uint32_t last_comma = number_scan_detail::plain_floats_in_block(
        p_, [&](std::uint32_t start, std::uint32_t length) {
          // Texts are under 2 GiB (kMaxTextBytes): offsets fit 32 bits.
          out[count++] =
              Node{static_cast<std::uint32_t>(Kind::floating) | json_detail::kFloatInText,
                   static_cast<std::uint32_t>(block_offset + start),
                   length};
        });
    if (count == 0)
      break;
    scratch_.added(count);
    p_ += last_comma;
    took_any = true;
  }
  return took_any;
}

template <int Bytes>
bool JsonParser::read_number_run(bool& long_numbers) {
  // Blocks of floats after a float left in the text, while they yield; after one that
  // yields none (a float with an exponent, a long one), numbers one at a time for a while.
  // An array of integers (a shape) tries none.
  constexpr int kSingleNumbersAfterEmptyBlock = 8;
  int single_numbers = 0;
  for (;;) {
    if (single_numbers == 0 && scratch_.back().float_in_text()) {
      if (take_float_block())
        continue;
      single_numbers = kSingleNumbersAfterEmptyBlock;
    }
    single_numbers -= single_numbers > 0 ? 1 : 0;
    const char* after_number = p_;
    // The separator as json.dumps writes it (", ") or compact (","), at once; anything else
    // (an indented array's newlines) through skip_whitespace.
    if (end_ - p_ >= 2 && p_[0] == ',') {
      p_ += p_[1] == ' ' ? 2 : 1;
    } else {
      skip_whitespace();
      if (p_ == end_ || *p_ != ',')
        break;
      ++p_;
      skip_whitespace();
    }
    if (p_ == end_ || !may_start_number(*p_)) {
      p_ = after_number;  // the parser's general step reads the separator and what follows
      return true;
    }
    // The window's look inline: a call chain per number was a third of its cost (a config
    // holding a 57,000-float matrix).
    if (take_number_in_window<Bytes, true>())
      continue;
    if (Bytes == 16 && take_long_number()) {
      long_numbers = true;
      return true;
    }
    if (!read_float_in_text() && !read_number())
      return false;
  }
  return true;
}

bool JsonParser::read_any_number() {
  const char* start = p_;
  const char* s = p_;
  bool negative = false;
  if (*s == '-') {
    negative = true;
    ++s;
    if (s < end_ && *s == 'I')  // Python's -Infinity
      return read_literal("-Infinity", Kind::floating, float_bits(-kInfinity));
  }
  if (s == end_)
    return fail(Failure::syntax);
  DecimalDigits digits;
  if (*s == '0')
    ++s;
  else if (*s >= '1' && *s <= '9')
    s = digits.read(s, end_, false);
  else
    return fail(Failure::syntax);
  const char* digits_end = s;
  bool is_float = false;
  if (s < end_ && *s == '.') {
    ++s;
    if (s == end_ || !is_digit(*s))
      return fail(Failure::syntax);
    s = digits.read(s, end_, true);
    is_float = true;
  }
  if (s < end_ && (*s == 'e' || *s == 'E')) {
    ++s;
    if (s < end_ && (*s == '+' || *s == '-')) {
      if (*s == '-')
        digits.set_negative_exponent();
      ++s;
    }
    if (s == end_ || !is_digit(*s))
      return fail(Failure::syntax);
    for (; s < end_ && is_digit(*s); ++s)
      digits.add_exponent_digit(*s);
    is_float = true;
  }
  p_ = s;
  if (!is_float && push_integer(start + (negative ? 1 : 0), digits_end, negative, digits))
    return true;
  if (std::optional<double> exact = is_float ? digits.exact_double(negative) : std::nullopt) {
    push(Kind::floating, std::bit_cast<std::uint64_t>(*exact));
    return true;
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(start, s, d);
  if (ec == std::errc::result_out_of_range || ptr != s) {
    // Underflow reads as strtod reads it (0 or a denormal); overflow is an error.
    std::string token(start, s);
    d = std::strtod(token.c_str(), nullptr);
    if (!std::isfinite(d)) {
      overflowed_number_ = std::move(token);
      p_ = start;
      return fail(Failure::number_overflow);
    }
  }
  push(Kind::floating, std::bit_cast<std::uint64_t>(d));
  return true;
}

bool JsonParser::read_literal(std::string_view word, Kind kind, std::uint64_t bits) {
  if (static_cast<std::size_t>(end_ - p_) < word.size() ||
      !same_bytes(p_, word.data(), word.size()))
    return fail(Failure::syntax);
  p_ += word.size();
  push(kind, bits);
  return true;
}

// ---------------------------------------------------------------------------------------------
// JsonDocument.

JsonDocument::JsonDocument() {
  slots_.assign(64, 0);
  intern("", true);  // id 0: the key of array elements and of the root
}

std::uint32_t JsonDocument::intern(std::string_view s, bool plain) {
  std::uint32_t h = hash_of(s);
  // Linear probing at up to three quarters full: the well-mixed hash keeps probes short,
  // and the table takes half the memory of one kept half empty.
  if ((strings_.size() + 1) * 4 > slots_.size() * 3)
    grow_slots();
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    std::uint64_t slot = slots_[i];
    if (slot == 0) {
      auto id = static_cast<std::uint32_t>(strings_.size());
      strings_.push_back(Interned{static_cast<std::uint32_t>(pool_.size()),
                                  static_cast<std::uint32_t>(s.size()) & 0x7FFFFFFFu,
                                  plain ? 1u : 0u});
      pool_.append(s);
      slots_[i] = slot_of(h, id);
      return id;
    }
    if (std::uint32_t id = 0; holds_at(slot, h, s, id)) {
      if (plain)
        strings_[id].plain = 1;  // first met with escapes, perhaps
      return id;
    }
  }
}

bool JsonDocument::lookup(std::string_view s, std::uint32_t& id) const noexcept {
  std::uint32_t h = hash_of(s);
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    std::uint64_t slot = slots_[i];
    if (slot == 0)
      return false;
    if (holds_at(slot, h, s, id))
      return true;
  }
}

bool JsonDocument::holds_at(std::uint64_t slot,
                            std::uint32_t hash,
                            std::string_view s,
                            std::uint32_t& id) const noexcept {
  if (static_cast<std::uint32_t>(slot >> 32) != hash)
    return false;
  auto candidate = static_cast<std::uint32_t>(slot) - 1;
  const Interned& e = strings_[candidate];
  if (e.length != s.size() || !same_bytes(pool_.data() + e.offset, s.data(), s.size()))
    return false;
  id = candidate;
  return true;
}

void JsonDocument::grow_slots() {
  std::vector<std::uint64_t> slots(slots_.size() * 2, 0);
  std::size_t mask = slots.size() - 1;
  for (std::uint64_t slot : slots_) {
    if (slot == 0)
      continue;
    // The slot holds the hash (slot_of): the strings are not hashed again.
    std::size_t i = static_cast<std::uint32_t>(slot >> 32) & mask;
    while (slots[i] != 0)
      i = (i + 1) & mask;
    slots[i] = slot;
  }
  slots_ = std::move(slots);
}

std::unique_ptr<JsonDocument> JsonDocument::parse(std::string_view text,
                                                  std::size_t max_depth,
                                                  JsonParseError& error,
                                                  TextLifetime lifetime) {
  std::unique_ptr<JsonDocument> doc(new JsonDocument());
  if (!JsonParser(*doc, text, max_depth).run(error))
    return nullptr;
  doc->text_ = text;
  if (lifetime == TextLifetime::ends_after_parse)
    doc->copy_float_texts();
  return doc;
}

void JsonDocument::give_back_unused_capacity() noexcept {
  io::discard_pages(nodes_.data() + nodes_.size(),
                    (nodes_.capacity() - nodes_.size()) * sizeof(Node));
}

void JsonDocument::keep_only_strings() noexcept {
  std::vector<Node>().swap(nodes_);
  std::vector<Interned>().swap(strings_);
  std::vector<std::uint64_t>().swap(slots_);
  std::vector<ObjectStart>().swap(object_starts_);
  std::string().swap(own_float_texts_);
  text_ = {};
}

std::size_t JsonDocument::float_text_bytes() const noexcept {
  // Counted here rather than by the parser: an add per float was a tenth of the parse of a
  // config holding a weight matrix, and this is asked only of large texts.
  std::size_t bytes = 0;
  for (const Node& node : nodes_)
    bytes += node.float_in_text() ? node.high() : 0;
  return bytes;
}

void JsonDocument::copy_float_texts() {
  if (text_.data() == own_float_texts_.data())
    return;  // copied already
  std::string copies;
  copies.reserve(float_text_bytes());
  for (Node& node : nodes_)
    if (node.float_in_text()) {
      auto offset = static_cast<std::uint32_t>(copies.size());
      copies.append(text_.substr(node.low(), node.high()));
      node.lo = offset;
    }
  own_float_texts_ = std::move(copies);
  text_ = own_float_texts_;
}

double JsonDocument::float_from_text(const Node& node) const noexcept {
  // The parser checked this text; it reads as the parser would have read it. Should the
  // text have changed since (a mapped file rewritten in place), it reads as NaN.
  if (std::size_t{node.low()} + node.high() > text_.size())
    return std::numeric_limits<double>::quiet_NaN();
  const char* first = text_.data() + node.low();
  const char* last = first + node.high();
  if (CommonNumber number; read_common_number(first, last, number) && number.end == last &&
                           number.kind == Kind::floating)
    return std::bit_cast<double>(number.bits);
  double d = 0;
  auto [ptr, ec] = std::from_chars(first, last, d);
  if (ec != std::errc() || ptr != last)
    return std::numeric_limits<double>::quiet_NaN();
  return d;
}

std::unique_ptr<JsonDocument> JsonDocument::from_nlohmann(const nlohmann::json& value) {
  JsonParseError error;
  // nlohmann's own output is JSON; its depth is whatever the value's is.
  return parse(value.dump(), std::numeric_limits<std::size_t>::max(), error);
}

// ---------------------------------------------------------------------------------------------
// JsonValue.

const char* JsonValue::type_name() const noexcept {
  if (!node_)
    return "null";
  switch (node_->kind()) {
    case Kind::null:
      return "null";
    case Kind::object:
      return "object";
    case Kind::array:
      return "array";
    case Kind::string:
      return "string";
    case Kind::boolean:
      return "boolean";
    case Kind::floating:
    case Kind::integer:
    case Kind::unsigned_integer:
      return "number";
  }
  return "null";
}

std::size_t JsonValue::size() const {
  if (!node_)
    return 0;
  switch (node_->kind()) {
    case Kind::null:
      return 0;
    case Kind::array:
      return node_->high();
    case Kind::object: {
      // Distinct keys: a repeated key counts once, as in nlohmann's map.
      std::uint32_t n = node_->high();
      if (n <= 1)
        return n;
      const Node* first = children_begin();
      bool repeated = false;
      if (n <= 32) {
        for (std::uint32_t i = 1; i < n && !repeated; ++i)
          for (std::uint32_t j = 0; j < i && !repeated; ++j)
            repeated = first[i].key_id() == first[j].key_id();
        if (!repeated)
          return n;
      }
      return items().size();
    }
    default:
      return 1;
  }
}

JsonValue JsonValue::find(std::string_view key) const noexcept {
  std::uint32_t id = 0;
  if (!is_object() || !doc_->lookup(key, id))
    return {};
  return find_id(id);
}

JsonValue JsonValue::find(const JsonKey& key) const noexcept {
  if (key.document_ != doc_)
    return find(key.text_);
  if (!is_object() || !key.held_)
    return {};
  return find_id(key.id_);
}

JsonKey::JsonKey(const JsonDocument& document, std::string_view text) noexcept
    : text_(text), document_(&document) {
  held_ = document.lookup(text, id_);
}

JsonValue JsonValue::find_id(std::uint32_t id) const noexcept {
  const Node* first = children_begin();
  // From the end: the last of repeated keys is the one nlohmann keeps.
  for (const Node* n = children_end(); n != first;) {
    --n;
    if (n->key_id() == id)
      return JsonValue(doc_, n);
  }
  return {};
}

bool JsonValue::as_bool() const noexcept {
  return is_boolean() && node_->bits() != 0;
}

std::int64_t JsonValue::as_int() const noexcept {
  if (!node_)
    return 0;
  switch (node_->kind()) {
    case Kind::integer:
    case Kind::unsigned_integer:
      return static_cast<std::int64_t>(node_->bits());  // wraps past INT64_MAX, as a cast
    case Kind::floating: {
      double d = float_value();
      if (std::isnan(d))
        return 0;
      if (d <= -9.2233720368547758e18)
        return std::numeric_limits<std::int64_t>::min();
      if (d >= 9.2233720368547758e18)
        return std::numeric_limits<std::int64_t>::max();
      return static_cast<std::int64_t>(d);
    }
    default:
      return 0;
  }
}

std::uint64_t JsonValue::as_uint() const noexcept {
  if (is_number_unsigned())
    return node_->bits();
  if (is_number_float()) {
    double d = float_value();
    if (!(d > 0))
      return 0;
    if (d >= 1.8446744073709552e19)
      return std::numeric_limits<std::uint64_t>::max();
    return static_cast<std::uint64_t>(d);
  }
  return static_cast<std::uint64_t>(as_int());
}

double JsonValue::as_double() const noexcept {
  if (!node_)
    return 0;
  switch (node_->kind()) {
    case Kind::integer:
      return static_cast<double>(static_cast<std::int64_t>(node_->bits()));
    case Kind::unsigned_integer:
      return static_cast<double>(node_->bits());
    case Kind::floating:
      return float_value();
    default:
      return 0;
  }
}

namespace {

std::uint64_t mix_written(std::uint64_t h, std::uint64_t v) noexcept {
  h = (h ^ v) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

/// No member is left out (written_hash, same_written).
constexpr std::uint32_t kNoSkip = 0xFFFFFFFF;

}  // namespace

JsonDocument::Span JsonDocument::descendants(const Node& container) const noexcept {
  // The parser appends a container's children when it closes, so the descendants of a value
  // are one run of nodes: from the children of the first container within it to close (the
  // first found going down through first container children) to its own children, last.
  const Node* first_closed = &container;
  for (bool deeper = true; deeper;) {
    deeper = false;
    const Node* child = node(first_closed->low());
    for (const Node* end = child + first_closed->high(); child != end; ++child)
      if (child->kind() == Kind::object || child->kind() == Kind::array) {
        first_closed = child;
        deeper = true;
        break;
      }
  }
  return Span{first_closed->low(), container.low() + container.high()};
}

std::uint64_t JsonDocument::written_hash(const Node& container,
                                         std::uint32_t skip_id) const noexcept {
  Span span = descendants(container);
  // One word a value, folded in with a multiply: the hash only sorts runs into slots, and
  // same_written settles whether two are alike.
  std::uint64_t h = container.key_kind ^ (std::uint64_t{span.end - span.begin} << 32);
  for (std::uint32_t i = span.begin; i < span.end; ++i) {
    const Node& n = nodes_[i];
    std::uint64_t word = std::uint64_t{n.key_kind} << 32;
    if (i >= container.low() && n.key_id() == skip_id)
      word = skip_id;  // its own member left out: only its key counts
    else if (n.kind() == Kind::object || n.kind() == Kind::array)
      word ^= n.high() ^ (std::uint64_t{n.low() - span.begin} << 20);
    else
      word ^= n.float_in_text() ? n.high() : n.bits();
    h = (h ^ word) * 0x9E3779B97F4A7C15ull;
  }
  return mix_written(h, h >> 32);
}

bool JsonDocument::same_written(const Node& a,
                                const Node& b,
                                std::uint32_t skip_id) const noexcept {
  if (a.key_kind != b.key_kind || a.high() != b.high())
    return false;
  Span x = descendants(a);
  Span y = descendants(b);
  if (x.end - x.begin != y.end - y.begin)
    return false;
  for (std::uint32_t k = 0; k < x.end - x.begin; ++k) {
    const Node& m = nodes_[x.begin + k];
    const Node& n = nodes_[y.begin + k];
    // Held alike: a string, number, bool or null written alike (or the same value).
    if (m.key_kind == n.key_kind && m.lo == n.lo && m.hi == n.hi)
      continue;
    // Their own members come last, at the same place in both runs.
    if (x.begin + k >= a.low() && m.key_id() == skip_id && n.key_id() == skip_id)
      continue;  // left out, whatever its value
    if (m.key_kind != n.key_kind)
      return false;
    if (m.kind() == Kind::object || m.kind() == Kind::array) {
      if (m.high() != n.high() || m.low() - x.begin != n.low() - y.begin)
        return false;
    } else if (!m.float_in_text() || !same_float_text(m, n)) {
      return false;
    }
  }
  return true;
}

bool JsonDocument::same_float_text(const Node& a, const Node& b) const noexcept {
  if (std::size_t{a.low()} + a.high() > text_.size() ||
      std::size_t{b.low()} + b.high() > text_.size())
    return false;
  return text_.substr(a.low(), a.high()) == text_.substr(b.low(), b.high());
}

std::size_t JsonValue::held_count() const noexcept {
  if (!is_structured())
    return 0;
  JsonDocument::Span span = doc_->descendants(*node_);
  return span.end - span.begin;
}

std::uint64_t JsonValue::written_hash(const JsonKey& skip) const noexcept {
  if (!is_structured())
    return node_ ? node_->bits() : 0;
  std::uint32_t skip_id = skip.document_ == doc_ && skip.held_ ? skip.id_ : kNoSkip;
  return doc_->written_hash(*node_, skip_id);
}

bool JsonValue::same_written(const JsonValue& other, const JsonKey& skip) const noexcept {
  if (!is_structured() || !other.is_structured() || doc_ != other.doc_ || skip.document_ != doc_)
    return false;
  std::uint32_t skip_id = skip.held_ ? skip.id_ : kNoSkip;
  return doc_->same_written(*node_, *other.node_, skip_id);
}

double JsonValue::float_value() const noexcept {
  if (node_->float_in_text())
    return doc_->float_from_text(*node_);
  return std::bit_cast<double>(node_->bits());
}

std::string JsonValue::value(std::string_view key, std::string_view fallback) const {
  JsonValue v = find(key);
  return std::string(v.is_string() ? v.as_string() : fallback);
}

std::vector<JsonMember> JsonValue::items() const {
  std::vector<JsonMember> out;
  if (!is_object())
    return out;
  out.reserve(node_->high());
  for (const Node* n = children_begin(); n != children_end(); ++n) {
    JsonValue v(doc_, n);
    out.push_back(JsonMember{v.key(), v});
  }
  // Sorted as std::map sorts; of equal keys the last one written stays.
  std::stable_sort(out.begin(), out.end(), [](const JsonMember& a, const JsonMember& b) {
    return a.key < b.key;
  });
  std::vector<JsonMember> unique;
  unique.reserve(out.size());
  for (std::size_t i = 0; i < out.size(); ++i)
    if (i + 1 == out.size() || out[i + 1].key != out[i].key)
      unique.push_back(out[i]);
  return unique;
}

nlohmann::json JsonValue::to_nlohmann() const {
  if (!node_)
    return nullptr;
  switch (node_->kind()) {
    case Kind::null:
      return nullptr;
    case Kind::boolean:
      return as_bool();
    case Kind::integer:
      return as_int();
    case Kind::unsigned_integer:
      return as_uint();
    case Kind::floating:
      return as_double();
    case Kind::string:
      return std::string(as_string());
    case Kind::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const Node* n = children_begin(); n != children_end(); ++n)
        out.push_back(JsonValue(doc_, n).to_nlohmann());
      return out;
    }
    case Kind::object: {
      nlohmann::json out = nlohmann::json::object();
      for (const Node* n = children_begin(); n != children_end(); ++n) {
        JsonValue v(doc_, n);
        out[std::string(v.key())] = v.to_nlohmann();  // a repeated key: the last one wins
      }
      return out;
    }
  }
  return nullptr;
}

std::string JsonValue::dump() const {
  return to_nlohmann().dump();
}

std::string JsonValue::path() const {
  return node_ ? doc_->path_of(node_) : std::string();
}

std::optional<std::size_t> JsonValue::text_offset() const noexcept {
  if (!is_object() || node_->high() == 0)
    return std::nullopt;
  const auto& starts = doc_->object_starts_;
  auto it = std::lower_bound(starts.begin(),
                             starts.end(),
                             node_->low(),
                             [](const JsonDocument::ObjectStart& s, std::uint32_t first) {
                               return s.first_child < first;
                             });
  if (it == starts.end() || it->first_child != node_->low())
    return std::nullopt;
  return it->offset;
}

namespace {

bool is_container(const Node& n) noexcept {
  return n.kind() == Kind::array || n.kind() == Kind::object;
}

}  // namespace

std::uint32_t JsonDocument::child_holding(const Node& container, std::uint32_t index) const {
  // The parser appends a container's children as one block when the container closes, so
  // everything appended while a child container was open is that child's subtree, its own
  // children last: sibling containers' subtrees follow one another in index order, and the
  // first child container whose children end past `index` holds it. A binary search over
  // the children, stepping over values that are not containers.
  std::uint32_t first = container.low();
  std::uint32_t lo = 0, hi = container.high(), found = container.high();
  while (lo < hi) {
    std::uint32_t mid = lo + (hi - lo) / 2;
    std::uint32_t k = mid;
    while (k < hi && !is_container(nodes_[first + k]))
      ++k;
    if (k == hi) {
      hi = mid;  // no container in [mid, hi)
    } else if (nodes_[first + k].low() + nodes_[first + k].high() > index) {
      found = k;  // it, or a container before mid
      hi = mid;
    } else {
      lo = k + 1;
    }
  }
  return found;
}

std::string JsonDocument::path_of(const Node* node) const {
  // Down from the root, one container at a time: no table of every node's parent, which a
  // finding in a large file would pay for in time and in fresh memory.
  auto target = static_cast<std::uint32_t>(node - nodes_.data());
  std::string out;
  const Node* container = &nodes_.back();
  while (node != &nodes_.back() && is_container(*container)) {
    std::uint32_t first = container->low();
    bool direct = target >= first && target - first < container->high();
    std::uint32_t child = direct ? target - first : child_holding(*container, target);
    if (child >= container->high())
      break;  // not below this container: a node of no document path (cannot happen)
    const Node& n = nodes_[first + child];
    if (container->kind() == Kind::object) {
      if (!out.empty())
        out += '.';
      out += string(n.key_id());
    } else {
      out += fmt::format("[{}]", child);
    }
    if (direct)
      break;
    container = &n;
  }
  return out;
}

}  // namespace shapelint
