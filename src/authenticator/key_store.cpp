#include "authenticator/key_store.hpp"

#include <sodium.h>

#include <cstdlib>
#include <span>

namespace twofold::authenticator {
namespace {

using Key = unsigned char[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

void derive(Key& key, std::string_view pin, std::string_view salt, KdfParams kdf) {
  if (crypto_pwhash(key, sizeof key, pin.data(), pin.size(), u8(salt), kdf.opslimit,
                    static_cast<std::size_t>(kdf.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("not enough memory to derive the key from the PIN");
}

std::string random_bytes(core::Random& random, std::size_t n) {
  std::string out(n, '\0');
  random.fill(std::span(reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
  return out;
}

}  // namespace

Secret::Secret(Secret&& other) noexcept : value_(other.value_) {
  other.wipe();
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = other.value_;
    other.wipe();
  }
  return *this;
}

void Secret::wipe() noexcept {
  value_.resize(value_.capacity());
  if (!value_.empty()) sodium_memzero(value_.data(), value_.size());
  value_.clear();
}

KdfParams KdfParams::moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

KdfParams KdfParams::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

KdfParams KdfParams::from_environment() {
  const char* fast = std::getenv("TWOFOLD_AUTH_FAST_KDF");
  return fast != nullptr && std::string_view(fast) == "1" ? interactive() : moderate();
}

bool KdfParams::supported() const {
  return opslimit >= crypto_pwhash_OPSLIMIT_INTERACTIVE &&
         opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE &&
         memlimit >= crypto_pwhash_MEMLIMIT_INTERACTIVE &&
         memlimit <= crypto_pwhash_MEMLIMIT_SENSITIVE;
}

SealedKey seal(std::string_view secret, std::string_view pin, std::string_view associated,
               KdfParams kdf, core::Random& random) {
  ensure_sodium();
  if (!kdf.supported()) throw std::runtime_error("unsupported key derivation parameters");
  SealedKey out;
  out.kdf = kdf;
  out.salt = random_bytes(random, crypto_pwhash_SALTBYTES);
  out.nonce = random_bytes(random, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);

  Key key;
  derive(key, pin, out.salt, kdf);
  out.ciphertext.resize(secret.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.ciphertext.data()), &len, u8(secret), secret.size(),
      u8(associated), associated.size(), nullptr, u8(out.nonce), key);
  sodium_memzero(key, sizeof key);
  out.ciphertext.resize(static_cast<std::size_t>(len));
  return out;
}

Secret open(const SealedKey& sealed, std::string_view pin, std::string_view associated) {
  ensure_sodium();
  if (!sealed.kdf.supported())
    throw std::runtime_error("the encrypted key uses unsupported key derivation parameters");
  if (sealed.salt.size() != crypto_pwhash_SALTBYTES ||
      sealed.nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      sealed.ciphertext.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES)
    throw std::runtime_error("the encrypted key in the state file is malformed");

  Key key;
  derive(key, pin, sealed.salt, sealed.kdf);
  std::string plain(sealed.ciphertext.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr, u8(sealed.ciphertext),
      sealed.ciphertext.size(), u8(associated), associated.size(), u8(sealed.nonce), key);
  sodium_memzero(key, sizeof key);
  Secret result(std::move(plain));  // wiped on every path from here on
  if (rc != 0) throw WrongPin();
  return result;
}

}  // namespace twofold::authenticator
