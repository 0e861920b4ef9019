#pragma once
// Randomness comes in through this interface: libsodium in production, a seeded
// generator in unit tests.
#include <cstdint>
#include <span>
#include <string>

namespace twofold::core {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;

  // Uniform in [0, bound), without modulo bias.
  std::uint64_t uniform(std::uint64_t bound);
  // `bytes` random bytes as lower-case hex.
  std::string hex(std::size_t bytes);
  // `count` random decimal digits; the first is never 0 when `no_leading_zero`.
  std::string digits(std::size_t count, bool no_leading_zero = false);
  // `bytes` random bytes as unpadded base64url.
  std::string token(std::size_t bytes = 32);
};

// Cryptographically secure (libsodium randombytes).
class SystemRandom final : public Random {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

// Deterministic, for tests only (splitmix64).
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  void fill(std::span<std::uint8_t> out) override;

 private:
  std::uint64_t state_;
};

}  // namespace twofold::core
