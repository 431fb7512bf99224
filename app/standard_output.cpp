#include "standard_output.hpp"

#include <cstring>
#include <iostream>
#include <memory>
#include <new>
#include <streambuf>
#include <string_view>

#include "shapelint/io/write_all.hpp"
#include <unistd.h>

namespace shapelint::cli {
namespace {

/// An output buffer over a file descriptor: fills its array, and writes it out when full,
/// on a flush, or at once for a piece as large as the array.
class DescriptorBuffer final : public std::streambuf {
 public:
  // The array comes from operator new, whose first pages the program has written already
  // (small_blocks.hpp): in the program's zeroed static data, it was a few more page faults
  // on first use, 40 microseconds more for the lint of a small model.
  explicit DescriptorBuffer(int descriptor)
      : descriptor_(descriptor), bytes_(std::make_unique_for_overwrite<char[]>(kBytes)) {
    setp(bytes_.get(), bytes_.get() + kBytes);
  }

 protected:
  int_type overflow(int_type c) override {
    if (!drain())
      return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n <= epptr() - pptr()) {
      std::memcpy(pptr(), s, static_cast<std::size_t>(n));
      pbump(static_cast<int>(n));
      return n;
    }
    if (!drain())
      return 0;
    if (n >= static_cast<std::streamsize>(kBytes))  // a large piece goes out as it is
      return write_all(s, static_cast<std::size_t>(n)) ? n : 0;
    std::memcpy(pptr(), s, static_cast<std::size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }

  int sync() override { return drain() ? 0 : -1; }

 private:
  static constexpr std::size_t kBytes = std::size_t{16} << 10;

  /// Writes out what the array holds; false when the descriptor takes no more.
  bool drain() {
    bool written = write_all(pbase(), static_cast<std::size_t>(pptr() - pbase()));
    setp(bytes_.get(), bytes_.get() + kBytes);
    return written;
  }

  bool write_all(const char* s, std::size_t n) {
    return io::write_all(descriptor_, std::string_view(s, n));
  }

  int descriptor_;
  std::unique_ptr<char[]> bytes_;
};

}  // namespace

void buffer_standard_output() {
  // Never destroyed: the standard library flushes std::cout after static destructors ran.
  alignas(DescriptorBuffer) static unsigned char storage[sizeof(DescriptorBuffer)];
  static DescriptorBuffer* buffer = new (storage) DescriptorBuffer(STDOUT_FILENO);
  std::cout.rdbuf(buffer);
}

}  // namespace shapelint::cli
