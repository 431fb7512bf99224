#include "shapelint/render/json_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "shapelint/json/string_scan.hpp"

namespace shapelint {

namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n = c < 0x80           ? 1
                  : (c >> 5) == 0x6  ? 2
                  : (c >> 4) == 0xE  ? 3
                  : (c >> 3) == 0x1E ? 4
                                     : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80)
      return 0;
  // Reject overlong forms and surrogates so the output is valid UTF-8.
  if (n == 2 && c < 0xC2)
    return 0;
  if (n == 3 && ((c == 0xE0 && byte(i + 1) < 0xA0) || (c == 0xED && byte(i + 1) >= 0xA0)))
    return 0;
  if (n == 4 &&
      ((c == 0xF0 && byte(i + 1) < 0x90) || c > 0xF4 || (c == 0xF4 && byte(i + 1) >= 0x90)))
    return 0;
  return n;
}

/// Appends the escape or UTF-8 sequence for the byte at s[i]; returns the index after it.
std::size_t append_special(std::string& out, std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  switch (c) {
    case '"':
      out += "\\\"";
      return i + 1;
    case '\\':
      out += "\\\\";
      return i + 1;
    case '\n':
      out += "\\n";
      return i + 1;
    case '\r':
      out += "\\r";
      return i + 1;
    case '\t':
      out += "\\t";
      return i + 1;
    case '\b':
      out += "\\b";
      return i + 1;
    case '\f':
      out += "\\f";
      return i + 1;
    default:
      break;
  }
  if (c < 0x20) {
    out += fmt::format("\\u{:04x}", c);
    return i + 1;
  }
  if (std::size_t n = utf8_sequence_length(s, i)) {
    out.append(s.substr(i, n));
    return i + n;
  }
  out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not valid UTF-8
  return i + 1;
}

}  // namespace

void append_json_quoted(std::string& out, std::string_view s) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    auto run = static_cast<std::size_t>(skip_plain_string_bytes(s.data() + i, s.data() + s.size()) -
                                        s.data());
    out.append(s.data() + i, run - i);
    i = run < s.size() ? append_special(out, s, run) : run;
  }
  out += '"';
}

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_quoted(out, s);
  return out;
}

JsonWriter::JsonWriter(std::ostream& out, int indent)
    : out_(out), block_(new char[kBlockBytes]), indent_(indent) {}

void JsonWriter::flush() {
  out_.write(block_.get(), static_cast<std::streamsize>(used_));
  used_ = 0;
}

void JsonWriter::put_large(std::string_view s) {
  flush();
  if (s.size() > kBlockBytes) {
    out_.write(s.data(), static_cast<std::streamsize>(s.size()));
    return;
  }
  std::memcpy(block_.get(), s.data(), s.size());
  used_ = s.size();
}

void JsonWriter::put_quoted(std::string_view s) {
  put('"');
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    const char* run = skip_plain_string_bytes(p, end);
    put(std::string_view(p, static_cast<std::size_t>(run - p)));
    if (run == end)
      break;
    escape_.clear();
    std::size_t next = append_special(escape_, s, static_cast<std::size_t>(run - s.data()));
    put(escape_);
    p = s.data() + next;
  }
  put('"');
}

void JsonWriter::newline() {
  put('\n');
  std::size_t spaces = stack_.size() * static_cast<std::size_t>(indent_);
  while (spaces > 0) {
    if (used_ == kBlockBytes)
      flush();
    std::size_t n = std::min(spaces, kBlockBytes - used_);
    std::memset(block_.get() + used_, ' ', n);
    used_ += n;
    spaces -= n;
  }
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty())
    return;
  Level& level = stack_.back();
  if (!level.empty)
    put(level.inline_array ? std::string_view(", ") : std::string_view(","));
  if (!level.inline_array)
    newline();
  level.empty = false;
}

void JsonWriter::before_key() {
  Level& level = stack_.back();
  if (!level.empty)
    put(',');
  level.empty = false;
  newline();
}

void JsonWriter::key(PlainKey name) {
  before_key();
  put('"');
  put(name.text());
  put(std::string_view("\": "));
  after_key_ = true;
}

void JsonWriter::key_text(std::string_view name) {
  before_key();
  put_quoted(name);
  put(": ");
  after_key_ = true;
}

void JsonWriter::begin_object() {
  before_value();
  put('{');
  stack_.push_back(Level{});
}

void JsonWriter::end_object() {
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty)
    newline();
  put('}');
  if (stack_.empty()) {
    put('\n');
    flush();
  }
}

void JsonWriter::begin_array() {
  before_value();
  put('[');
  stack_.push_back(Level{});
}

void JsonWriter::end_array() {
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty)
    newline();
  put(']');
}

void JsonWriter::begin_inline_array() {
  before_value();
  put('[');
  stack_.push_back(Level{true, true});
}

void JsonWriter::end_inline_array() {
  stack_.pop_back();
  put(']');
}

void JsonWriter::value(std::string_view s) {
  before_value();
  put_quoted(s);
}

void JsonWriter::value(std::int64_t n) {
  before_value();
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

void JsonWriter::value(bool b) {
  before_value();
  put(b ? std::string_view("true") : std::string_view("false"));
}

void JsonWriter::null() {
  before_value();
  put("null");
}

}  // namespace shapelint
