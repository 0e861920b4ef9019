#pragma once
// The device's private key at rest: encrypted under a key derived from the user's PIN
// (Argon2id, then XChaCha20-Poly1305). Without the PIN the state directory cannot sign.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace twofold::authenticator {

// A string wiped from memory when it dies: PINs and decrypted private keys.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  ~Secret() { wipe(); }
  // Copies then wipes the source: moving a short std::string would leave its bytes behind.
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  std::string_view view() const { return value_; }
  bool empty() const { return value_.empty(); }
  void wipe() noexcept;

 private:
  std::string value_;
};

// Argon2id cost. The values used are stored next to the ciphertext, so a state written with
// one setting stays readable under another.
struct KdfParams {
  std::uint64_t opslimit{0};
  std::uint64_t memlimit{0};  // bytes

  static KdfParams moderate();     // the default
  static KdfParams interactive();  // fast; for tests
  // MODERATE, or INTERACTIVE when TWOFOLD_AUTH_FAST_KDF=1 (test suites only: it makes PIN
  // guessing against a stolen state directory cheaper).
  static KdfParams from_environment();
  // Between INTERACTIVE and SENSITIVE: a state file cannot make us burn a terabyte of memory.
  bool supported() const;

  bool operator==(const KdfParams&) const = default;
};

struct SealedKey {
  std::string salt;  // raw bytes, crypto_pwhash_SALTBYTES
  KdfParams kdf;
  std::string nonce;       // raw bytes, XChaCha20-Poly1305 nonce
  std::string ciphertext;  // raw bytes, with the Poly1305 tag
};

// The PIN does not open the key, or the sealed key was altered (the AEAD cannot tell which).
class WrongPin : public std::runtime_error {
 public:
  WrongPin()
      : std::runtime_error("wrong PIN (or the encrypted key in the state file was altered)") {}
};

// Encrypts `secret` under `pin`. `associated` is authenticated but not encrypted: it binds
// the sealed key to its account (key type and public key), so entries cannot be swapped.
SealedKey seal(std::string_view secret, std::string_view pin, std::string_view associated,
               KdfParams kdf, core::Random& random);

// Decrypts; throws WrongPin when the PIN or any part of the sealed key or `associated` does not
// match, std::runtime_error for malformed or unsupported parameters.
Secret open(const SealedKey& sealed, std::string_view pin, std::string_view associated);

}  // namespace twofold::authenticator
