// The one-pass number reader (json/number_scan.hpp) must give exactly what the general path
// gives, or decline: its eight-byte digit tests and conversions against byte-at-a-time
// references, and whole numbers against nlohmann_json (integers) and std::from_chars
// (floats), alone at the end of a text and inside an array.
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/json/document.hpp"
#include "shapelint/json/number_scan.hpp"

namespace {

using shapelint::CommonNumber;
using shapelint::read_common_number;
using shapelint::json_detail::Kind;
namespace detail = shapelint::number_scan_detail;

std::uint64_t chunk_of(const std::string& eight) {
  return detail::load8(eight.data());
}

int naive_leading_digits(const std::string& eight) {
  int n = 0;
  while (n < 8 && eight[static_cast<std::size_t>(n)] >= '0' &&
         eight[static_cast<std::size_t>(n)] <= '9')
    ++n;
  return n;
}

std::string random_digits(std::mt19937_64& random, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i)
    out += static_cast<char>('0' + random() % 10);
  return out;
}

/// What the document reads `text` to: its kind and its bits.
std::pair<Kind, std::uint64_t> expected_number(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text);
  if (value.is_number_unsigned())
    return {Kind::unsigned_integer, value.get<std::uint64_t>()};
  if (value.is_number_integer())
    return {Kind::integer, static_cast<std::uint64_t>(value.get<std::int64_t>())};
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return {Kind::floating, std::bit_cast<std::uint64_t>(d)};
}

/// Checks `text` reads as nlohmann / from_chars read it when it is accepted, alone and
/// followed by more text; returns whether it was accepted.
bool check_number(const std::string& text) {
  INFO("number: " << text);
  bool accepted = false;
  for (const std::string& after : {std::string(), std::string(", 1]"), std::string("e")}) {
    std::string buffer = text + after;
    CommonNumber n;
    bool ok = read_common_number(buffer.data(), buffer.data() + buffer.size(), n);
    if (after.empty())
      accepted = ok;
    if (after == "e") {
      // "1e" is malformed: declined, for the general path to report ("1e5e" is "1e5")
      if (text.find_first_of("eE") == std::string::npos)
        CHECK_FALSE(ok);
      continue;
    }
    if (!ok)
      continue;
    auto [kind, bits] = expected_number(text);
    CHECK(n.kind == kind);
    CHECK(n.bits == bits);
    CHECK(n.end == buffer.data() + text.size());
  }
  return accepted;
}

}  // namespace

TEST_CASE("eight bytes: the digits before the first non-digit, for every byte value") {
  std::mt19937_64 random(8);
  for (int position = 0; position < 8; ++position)
    for (int byte = 0; byte < 256; ++byte) {
      std::string eight = random_digits(random, 8);
      eight[static_cast<std::size_t>(position)] = static_cast<char>(byte);
      // Bytes after it are anything: a carry out of a high byte must not matter.
      for (int i = position + 1; i < 8; ++i)
        eight[static_cast<std::size_t>(i)] = static_cast<char>(random() % 256);
      INFO("position " << position << ", byte " << byte);
      CHECK(detail::leading_digit_bytes(chunk_of(eight)) == naive_leading_digits(eight));
    }
}

TEST_CASE("eight digits read as their value") {
  std::mt19937_64 random(88);
  std::vector<std::string> rows = {"00000000", "99999999", "12345678", "00000001", "10000000"};
  for (int i = 0; i < 10000; ++i)
    rows.push_back(random_digits(random, 8));
  for (const std::string& digits : rows) {
    INFO(digits);
    CHECK(detail::eight_digits_value(chunk_of(digits) - detail::kZeros) == std::stoull(digits));
  }
}

TEST_CASE("digit runs of every length read as their value, or say they are too long") {
  std::mt19937_64 random(19);
  for (std::size_t length = 1; length <= 24; ++length)
    for (int i = 0; i < 200; ++i) {
      std::string text = random_digits(random, length) + (i % 2 ? "]" : "");
      INFO(text);
      std::uint64_t mantissa = 0;
      int count = 0;
      const char* end =
          detail::read_digit_run(text.data(), text.data() + text.size(), mantissa, count);
      if (length <= 19) {
        CHECK(count == static_cast<int>(length));
        CHECK(end == text.data() + length);
        CHECK(mantissa == std::stoull(text.substr(0, length)));
      } else {
        CHECK(count > detail::kMaxDigits);
      }
    }
}

TEST_CASE("common numbers read at once as the general path reads them; others are declined") {
  struct Row {
    const char* text;
    bool accepted;
  };

  for (const Row& row : std::vector<Row>{
           {"0", true},
           {"-0", true},
           {"-0.0", true},
           {"0.0e99", true},
           {"7", true},
           {"-7", true},
           {"3.6522777", true},
           {"-0.022908239", true},
           {"-5.4414057e-05", true},
           {"1E+2", true},
           {"1234567890123456789", true},
           {"-9223372036854775808", true},
           {"9007199254740992e0", true},   // 2^53
           {"9007199254740992.0", false},  // its digits, 2^53 times ten, are over
           {"1e22", true},
           {"1e-22", true},
           {"12345678901234567890", false},  // 20 digits
           {"-9223372036854775809", false},  // below INT64_MIN: a double
           {"9007199254740993.0", false},    // above 2^53: needs rounding
           {"1e23", false},
           {"1e12345", false},  // a long exponent
           {"0.00000000000000000001", false},
           {"3.141592653589793", true},
           {"2.2250738585072014e-308", false},
       }) {
    INFO(row.text);
    CHECK(check_number(row.text) == row.accepted);
  }
}

TEST_CASE("malformed numbers are declined, for the general path to report") {
  for (const char* text :
       {"-", "-I", "-Infinity", "1.", "1.e5", "1e", "1e+", "-.5", ".5", "+1", "-a", ""}) {
    INFO(text);
    std::string buffer = text;
    CommonNumber n;
    CHECK_FALSE(read_common_number(buffer.data(), buffer.data() + buffer.size(), n));
  }
  // A leading zero ends the number: what follows is the parser's to reject.
  std::string buffer = "0123";
  CommonNumber n;
  REQUIRE(read_common_number(buffer.data(), buffer.data() + buffer.size(), n));
  CHECK(n.end == buffer.data() + 1);
  CHECK(n.bits == 0);
}

TEST_CASE("random numbers of every shape read as nlohmann and from_chars read them") {
  std::mt19937_64 random(20261126);
  int accepted = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string text = random() % 3 == 0 ? "-" : "";
    std::string whole = random_digits(random, 1 + random() % 21);
    while (whole.size() > 1 && whole[0] == '0')
      whole.erase(0, 1);
    text += whole;
    if (random() % 2)
      text += "." + random_digits(random, 1 + random() % 20);
    if (random() % 4 == 0)
      text += fmt::format("{}{}{}",
                          random() % 2 ? "e" : "E",
                          std::array<const char*, 3>{"", "+", "-"}[random() % 3],
                          random_digits(random, 1 + random() % 5));
    // A double out of range is an error of the general path, not a number to compare.
    if (nlohmann::json::accept(text) && std::abs(nlohmann::json::parse(text).get<double>()) <
                                            std::numeric_limits<double>::infinity())
      accepted += check_number(text) ? 1 : 0;
  }
  CHECK(accepted > 10000);  // most of them take the fast path
}

TEST_CASE("plain floats are told apart from every other number, in a window and near the end") {
  // The number's length when it is a float that can be left as text (certainly valid,
  // finite and normal), -1 for anything the parser must read at once.
  struct Row {
    const char* text;
    int length;
  };

  const Row rows[] = {
      {"0.5", 3},
      {"-0.051124573", 12},
      {"123.25", 6},
      {"-7.0", 4},
      {"0.000001", 8},
      {"12345678901234.5", 16},       // past one window: the byte-at-a-time look
      {"1234567890123456789.0", -1},  // 20 digits
      {"123456789012345678.9", 20},   // 19 digits
      {"1.5e-05", 7},
      {"1.5E+12", 7},
      {"-2.5e99", 7},
      {"2.5e100", -1},  // a three-digit exponent could overflow
      {"2.5e", -1},
      {"2.5e+", -1},
      {"1", -1},  // integers are read at once
      {"-12", -1},
      {"1e5", -1},
      {"00.5", -1},
      {"01.5", -1},
      {"-01.5", -1},
      {"1.", -1},
      {"1.e5", -1},
      {"-.5", -1},
      {".5", -1},
      {"-", -1},
      {"--1.5", -1},
      {"-Infinity", -1},
      {"NaN", -1},
  };
  for (const Row& row : rows) {
    std::string number = row.text;
    // Alone at the end of the text, and followed by enough bytes for the 16-byte window.
    for (const std::string& after : {std::string(), std::string("]                ")}) {
      std::string text = number + after;
      INFO("text: '" << text << "'");
      const char* end = shapelint::plain_float_end(text.data(), text.data() + text.size());
      if (row.length < 0) {
        CHECK(end == nullptr);
      } else {
        REQUIRE(end != nullptr);
        CHECK(end - text.data() == row.length);
      }
    }
  }
}

TEST_CASE("the 16-byte window answers as the byte-at-a-time look does, for random numbers") {
  std::mt19937_64 random(20261128);
  const char alphabet[] = "0123456789.-eE+x ";
  for (int round = 0; round < 200000; ++round) {
    std::string text;
    std::size_t length = 1 + random() % 20;
    for (std::size_t i = 0; i < length; ++i)
      text += alphabet[random() % (sizeof alphabet - 1)];
    if (random() % 2)
      text[0] = random() % 2 ? '-' : static_cast<char>('0' + random() % 10);
    std::string padded = text + std::string(16, ']');
    INFO("text: '" << text << "'");
    const char* in_window =
        shapelint::plain_float_end(padded.data(), padded.data() + padded.size());
    // The same bytes with nothing after them: no window, a byte at a time.
    const char* alone = shapelint::plain_float_end(text.data(), text.data() + text.size());
    REQUIRE((in_window == nullptr) == (alone == nullptr));
    if (alone)
      CHECK(in_window - padded.data() == alone - text.data());
  }
}

TEST_CASE("short integers read from the 16-byte window as read_common_number reads them") {
  namespace scan = shapelint::number_scan_detail;
  std::mt19937_64 random(20261129);
  const char* followers[] = {",", "]", "}", " ", "\n", "x", ".", ".5", "e5", "E-2", ""};
  for (int round = 0; round < 100000; ++round) {
    std::string number = random() % 3 == 0 ? "-" : "";
    std::size_t digits = 1 + random() % 17;
    for (std::size_t i = 0; i < digits; ++i)
      number += static_cast<char>('0' + random() % 10);
    std::string text = number + followers[random() % std::size(followers)] + std::string(17, ' ');
    INFO("text: '" << text << "'");
    const char* end = nullptr;
    scan::WindowAnswer answer = scan::number_in_window(text.data(), end);
    CommonNumber expected;
    bool common = read_common_number(text.data(), text.data() + text.size(), expected);
    bool malformed = number[number[0] == '-' ? 1 : 0] == '0' && digits > 1;
    bool integer = common && expected.kind != Kind::floating;
    // The window is 16 bytes: its number must end inside it, sign included.
    bool fits = number.size() <= 15;
    if (answer == scan::WindowAnswer::short_integer) {
      REQUIRE(integer);
      CommonNumber got = shapelint::short_integer_value(text.data(), end);
      CHECK(got.end == expected.end);
      CHECK(got.kind == expected.kind);
      CHECK(got.bits == expected.bits);
    } else {
      // Not settled at once: a float, a long integer, a malformed number, an exponent.
      CHECK((!integer || !fits || malformed || text[number.size()] == 'e' ||
             text[number.size()] == 'E'));
    }
    if (integer && fits && !malformed)
      CHECK(answer == scan::WindowAnswer::short_integer);
  }
}

TEST_CASE("the 32-byte window takes long plain floats as valid floats, and nothing else") {
  // What it calls a plain float must be a JSON float (nlohmann reads the same text, to the
  // end the window gave) with no exponent; the 16-byte window's plain floats and short
  // integers must come out the same from 32 bytes.
  namespace scan = shapelint::number_scan_detail;
  std::mt19937_64 random(20261130);
  const char alphabet[] = "0123456789.-eE+ ,]x";
  int long_floats = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string number;
    if (random() % 2) {
      // A float32 weight as json.dumps writes it: sign, "0.", zeros, up to 17 digits.
      number = random() % 2 ? "-0." : "0.";
      number += std::string(random() % 6, '0');
      for (std::size_t i = 0, n = 1 + random() % 22; i < n; ++i)
        number += static_cast<char>('0' + random() % 10);
    } else {
      for (std::size_t i = 0, n = 1 + random() % 30; i < n; ++i)
        number += alphabet[random() % (sizeof alphabet - 1)];
    }
    std::string text = number + ", " + std::string(32, ' ');
    INFO("text: '" << text << "'");
    const char* end32 = nullptr;
    scan::WindowAnswer wide = scan::number_in_window<32>(text.data(), end32);
    const char* end16 = nullptr;
    scan::WindowAnswer narrow = scan::number_in_window<16>(text.data(), end16);
    if (narrow == scan::WindowAnswer::plain_float || narrow == scan::WindowAnswer::short_integer) {
      CHECK(wide == narrow);
      CHECK(end32 == end16);
    }
    if (wide == scan::WindowAnswer::plain_float) {
      std::string taken(text.c_str(), end32);
      INFO("taken: '" << taken << "'");
      nlohmann::json value = nlohmann::json::parse(taken, nullptr, false);
      REQUIRE(value.is_number_float());
      CHECK(taken.find_first_of("eE") == std::string::npos);
      CHECK(std::string("0123456789eE").find(*end32) == std::string::npos);  // its whole text
      CHECK((std::isnormal(value.get<double>()) || value.get<double>() == 0.0));
      long_floats += taken.size() > 16;
    }
    if (wide == scan::WindowAnswer::short_integer) {
      CommonNumber expected;
      REQUIRE(read_common_number(text.data(), text.data() + text.size(), expected));
      CHECK(expected.kind != Kind::floating);
      CHECK(expected.end == end32);
    }
  }
  CHECK(long_floats > 10000);  // the window's reason to be: they were taken
}

TEST_CASE("the window's digit mask marks exactly the ASCII digits, for every byte value") {
  namespace scan = shapelint::number_scan_detail;
  for (int value = 0; value < 256; ++value) {
    for (int at = 0; at < 16; ++at) {
      std::array<char, 16> bytes;
      bytes.fill('x');
      bytes[static_cast<std::size_t>(at)] = static_cast<char>(value);
      bool digit = value >= '0' && value <= '9';
      INFO("byte " << value << " at " << at);
      CHECK(scan::digits_in_16(bytes.data()) == (digit ? 1u << at : 0u));
    }
  }
}

namespace {

/// What plain_floats_in_block must find in the block at `s`: the floats the one-at-a-time
/// path (a comma, at most one space, the 32-byte window) takes, each followed by a comma
/// inside the block; and the offset of the comma after the last.
std::pair<std::vector<std::pair<std::uint32_t, std::uint32_t>>, std::uint32_t> floats_one_by_one(
    const char* s) {
  namespace scan = shapelint::number_scan_detail;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> taken;
  std::uint32_t comma = 0;
  for (;;) {
    std::uint32_t start = comma + 1 + (s[comma + 1] == ' ' ? 1 : 0);
    const char* end = nullptr;
    if (scan::number_in_window<32>(s + start, end) != scan::WindowAnswer::plain_float)
      break;
    auto after = static_cast<std::uint32_t>(end - s);
    if (after >= scan::kBlockBytes || s[after] != ',')
      break;
    taken.emplace_back(start, after - start);
    comma = after;
  }
  return {taken, comma};
}

}  // namespace

TEST_CASE("a block of floats takes what the one-at-a-time look takes, and stops where it stops") {
  // Weights as json.dumps writes them, among every element and separator that must stop the
  // block: integers, exponents, malformed numbers, a second space, a newline, a closer, and
  // floats too long for the 32-byte window, at every place in the block.
  namespace scan = shapelint::number_scan_detail;
  std::mt19937_64 random(20261127);
  const std::vector<std::string> odd{"1",    "-12",   "1.5e-05", "00.5",  "01.5", "-01.5", "1.",
                                     ".5",   "-.5",   "-",       "--1.5", "",     "0.5 ",  " 0.5",
                                     "0.5]", "]",     "{}",      "\"s\"", "null", "0.5.5", "-0.0",
                                     "0.0",  "10.25", "9.75",    "-100.5"};
  const std::vector<std::string> separators{",", ", ", ", ", ", ", ",  ", ",\n", " ,"};
  auto weight = [&] {
    std::string w = random() % 2 ? "-0." : "0.";
    w += std::string(random() % 4, '0');
    std::size_t digits = random() % 8 == 0 ? 1 + random() % 40 : 14 + random() % 4;
    for (std::size_t i = 0; i < digits; ++i)
      w += static_cast<char>('0' + random() % 10);
    return w;
  };
  int taken_in_all = 0;
  for (int round = 0; round < 100000; ++round) {
    std::string text;
    while (text.size() < 2 * scan::kBlockBytes) {
      text += random() % 4 == 0 ? separators[random() % separators.size()] : ", ";
      text += random() % 12 == 0 ? odd[random() % odd.size()] : weight();
    }
    text[0] = ',';  // the block starts on the comma after a number
    text += std::string(32, ' ');
    INFO("block: '" << text.substr(0, scan::kBlockBytes) << "'");
    std::vector<std::pair<std::uint32_t, std::uint32_t>> found;
    std::uint32_t last = scan::plain_floats_in_block(
        text.data(),
        [&](std::uint32_t start, std::uint32_t length) { found.emplace_back(start, length); });
    auto [expected, expected_last] = floats_one_by_one(text.data());
    CHECK(found == expected);
    CHECK(last == expected_last);
    CHECK(found.size() <= static_cast<std::size_t>(scan::kMaxBlockFloats));
    taken_in_all += static_cast<int>(found.size());
  }
  CHECK(taken_in_all > 100000);  // most blocks take a float or two
}

TEST_CASE("a block holds at most kMaxBlockFloats floats, the shortest ones packed tight") {
  namespace scan = shapelint::number_scan_detail;
  std::string text;
  while (text.size() < 3 * scan::kBlockBytes)
    text += ",0.5";
  std::vector<std::uint32_t> starts;
  std::uint32_t last =
      scan::plain_floats_in_block(text.data(), [&](std::uint32_t start, std::uint32_t length) {
        CHECK(length == 3);
        starts.push_back(start);
      });
  // Commas at 0, 4, ..., 60: fifteen floats end on a comma inside the block.
  CHECK(starts.size() == 15);
  CHECK(starts.front() == 1);
  CHECK(starts.back() == 57);
  CHECK(last == 60);
  CHECK(starts.size() <= static_cast<std::size_t>(scan::kMaxBlockFloats));
}
