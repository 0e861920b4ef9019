#pragma once
// Encryption of small secrets at rest (TOTP seeds): libsodium's crypto_secretbox_easy
// (XSalsa20-Poly1305) with a random 24-byte nonce in front of the ciphertext. A stolen
// database alone then reveals no seed; the key lives in a file next to the other keys.
#include <array>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace twofold::crypto {

struct KeyFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads a key file of exactly `size` raw bytes, or creates one with `size` random bytes and
// mode 0600. Creation is atomic and never overwrites: the key is written to a temporary file
// and hard-linked into place, so two processes starting together end up with the same key.
// Refuses a file that is group- or world-accessible, or of the wrong size.
std::string load_or_create_key_file(const std::filesystem::path& path, std::size_t size);

// Where the server's SecretBox key lives, relative to the configuration's folder (next to the
// token-signing keys); twofoldd and the admin CLI open the same file.
inline constexpr const char* kSecretBoxKeyFile = "keys/secret-box.key";

class SecretBox {
 public:
  static constexpr std::size_t key_size = 32;    // crypto_secretbox_KEYBYTES
  static constexpr std::size_t nonce_size = 24;  // crypto_secretbox_NONCEBYTES
  static constexpr std::size_t mac_size = 16;    // crypto_secretbox_MACBYTES

  // Throws std::invalid_argument unless `key` has key_size bytes.
  explicit SecretBox(std::string_view key);
  ~SecretBox();
  SecretBox(const SecretBox&) = default;
  SecretBox& operator=(const SecretBox&) = default;

  static SecretBox load_or_create(const std::filesystem::path& key_file);

  // nonce || ciphertext+MAC, raw bytes.
  std::string seal(std::string_view plaintext) const;
  // The plaintext, or nullopt when `sealed` was not made with this key or was altered.
  std::optional<std::string> open(std::string_view sealed) const;

  // The same, as unpadded base64url, for TEXT columns.
  std::string seal_text(std::string_view plaintext) const;
  std::optional<std::string> open_text(std::string_view sealed_text) const;

 private:
  std::array<unsigned char, key_size> key_{};
};

}  // namespace twofold::crypto
