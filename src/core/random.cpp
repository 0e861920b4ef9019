#include "core/random.hpp"

#include <sodium.h>

#include <array>
#include <limits>

#include "core/encoding.hpp"

namespace twofold::core {

std::uint64_t Random::uniform(std::uint64_t bound) {
  if (bound <= 1) return 0;
  // Rejection sampling: drop the top values that would bias the modulo.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                              (std::numeric_limits<std::uint64_t>::max() % bound);
  for (;;) {
    std::array<std::uint8_t, 8> b{};
    fill(b);
    std::uint64_t v = 0;
    for (auto x : b) v = (v << 8) | x;
    if (v < limit) return v % bound;
  }
}

std::string Random::hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  fill({reinterpret_cast<std::uint8_t*>(raw.data()), raw.size()});
  return to_hex(raw);
}

std::string Random::digits(std::size_t count, bool no_leading_zero) {
  // One fill() for a batch of bytes instead of one per digit (a system call each with
  // libsodium); rejection sampling keeps the digits unbiased.
  std::string out;
  out.reserve(count);
  std::array<std::uint8_t, 32> buf{};
  std::size_t pos = buf.size();
  while (out.size() < count) {
    if (pos == buf.size()) {
      fill(buf);
      pos = 0;
    }
    const std::uint8_t b = buf[pos++];
    if (out.empty() && no_leading_zero) {
      if (b < 243) out.push_back(static_cast<char>('1' + b % 9));  // 243 = 27 * 9
    } else if (b < 250) {
      out.push_back(static_cast<char>('0' + b % 10));  // 250 = 25 * 10
    }
  }
  return out;
}

std::string Random::token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  fill({reinterpret_cast<std::uint8_t*>(raw.data()), raw.size()});
  return base64url_encode(raw);
}

void SystemRandom::fill(std::span<std::uint8_t> out) {
  // sodium_init() is idempotent and thread-safe; randombytes works without it on
  // Linux, but initialising keeps the other libsodium calls safe.
  static const int init = sodium_init();
  (void)init;
  randombytes_buf(out.data(), out.size());
}

void SeededRandom::fill(std::span<std::uint8_t> out) {
  for (auto& byte : out) {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    byte = static_cast<std::uint8_t>(z ^ (z >> 31));
  }
}

}  // namespace twofold::core
