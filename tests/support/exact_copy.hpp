#pragma once
// A copy of a text in a heap block of exactly its size, so the sanitizer build catches a read
// past its end (a std::string has room beyond its size).

#include <cstddef>
#include <memory>
#include <string_view>

namespace shapelint::testing {

class ExactCopy {
 public:
  explicit ExactCopy(std::string_view text)
      : bytes_(std::make_unique<char[]>(text.size())), size_(text.size()) {
    text.copy(bytes_.get(), size_);
  }

  const char* begin() const { return bytes_.get(); }

  const char* end() const { return bytes_.get() + size_; }

  std::string_view view() const { return {bytes_.get(), size_}; }

 private:
  std::unique_ptr<char[]> bytes_;
  std::size_t size_;
};

}  // namespace shapelint::testing
