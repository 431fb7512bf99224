#include "shapelint/hash/string_hash.hpp"

#include <chrono>

#include <sys/auxv.h>

namespace shapelint::string_hash_detail {

Secret draw_secret() noexcept {
  std::uint64_t random[2] = {0, 0};
  if (const auto* bytes = reinterpret_cast<const char*>(getauxval(AT_RANDOM)))
    std::memcpy(random, bytes, sizeof random);
  else  // no auxiliary vector: the clock and where the stack lies, unknown to the file
    random[0] =
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
        reinterpret_cast<std::uintptr_t>(&random);
  // The kernel's bytes also seed glibc's stack protector: hand on only products of them.
  constexpr std::uint64_t kOdd[4] = {
      0x9E3779B97F4A7C15ull, 0xBF58476D1CE4E5B9ull, 0x94D049BB133111EBull, 0xD6E8FEB86659FD93ull};
  Secret s{};
  std::uint64_t state = random[0] ^ kOdd[0];
  for (int i = 0; i < 4; ++i) {
    state = fold_multiply(state ^ kOdd[i], random[1] ^ kOdd[(i + 1) % 4]);
    s.k[i] = state;
  }
  return s;
}

}  // namespace shapelint::string_hash_detail
