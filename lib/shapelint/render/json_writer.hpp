#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "shapelint/json/string_scan.hpp"
#include "shapelint/memory/optional_count.hpp"

namespace shapelint {

/// Writes indented JSON to a stream as it goes, so a report of 100,000 layers is never held
/// as a document. Strings are escaped per RFC 8259; invalid UTF-8 becomes U+FFFD. The text
/// goes out in blocks (a character at a time through std::ostream costs more than the
/// lint of a large model); everything is out once the top-level value is closed.
class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out, int indent = 2);

  /// A key written in the program (a string literal): checked when compiled to need no
  /// escape, so it is written as it is. A report has a dozen keys per layer, and looking
  /// for bytes to escape in each was a third of the writer's time.
  class PlainKey {
   public:
    template <std::size_t N>
    consteval PlainKey(const char (&text)[N]) : text_(text, N - 1) {
      for (char c : text_)
        if (!is_plain_string_byte(static_cast<unsigned char>(c)))
          throw "a key written in the program must be printable ASCII with no quote or backslash";
    }

    std::string_view text() const noexcept { return text_; }

   private:
    std::string_view text_;
  };

  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  ~JsonWriter() { flush(); }

  /// Writes out what is buffered.
  void flush();

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  /// The next value belongs to `name` (inside an object).
  void key(PlainKey name);
  /// As key(), for a key that comes from data (a dtype, a layer's name): escaped as needed.
  void key_text(std::string_view name);
  void value(std::string_view s);

  void value(const char* s) { value(std::string_view(s)); }

  void value(std::int64_t n);

  void value(std::size_t n) { value(static_cast<std::int64_t>(n)); }

  void value(int n) { value(static_cast<std::int64_t>(n)); }

  void value(bool b);
  void null();

  template <typename T>
  void value(const std::optional<T>& v) {
    if (v)
      value(*v);
    else
      null();
  }

  void value(OptionalCount v) { value(std::optional<std::int64_t>(v)); }

  /// Arrays of scalars stay on one line: shapes read as `[null, 28, 28, 1]`.
  void begin_inline_array();
  void end_inline_array();

 private:
  /// Output goes through a fixed block written out when full: appending to a std::string
  /// a few bytes at a time cost more than choosing them.
  static constexpr std::size_t kBlockBytes = std::size_t{1} << 16;

  void before_value();
  void newline();
  /// The separator and indentation before a key.
  void before_key();

  // The fast paths inline: a report is written a few bytes at a time.
  void put(std::string_view s) {
    if (s.size() <= kBlockBytes - used_) {
      std::memcpy(block_.get() + used_, s.data(), s.size());
      used_ += s.size();
    } else {
      put_large(s);
    }
  }

  void put(char c) {
    if (used_ == kBlockBytes)
      flush();
    block_[used_++] = c;
  }

  void put(const char* s) { put(std::string_view(s)); }

  void put_large(std::string_view s);
  void put_quoted(std::string_view s);

  struct Level {
    bool inline_array = false;
    bool empty = true;
  };

  std::ostream& out_;
  std::unique_ptr<char[]> block_;
  std::size_t used_ = 0;
  std::string escape_;  ///< the escape of one character, reused
  int indent_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

/// `s` escaped as a JSON string, quotes included.
std::string json_quote(std::string_view s);

/// Appends json_quote(s) to `out`.
void append_json_quoted(std::string& out, std::string_view s);

}  // namespace shapelint
