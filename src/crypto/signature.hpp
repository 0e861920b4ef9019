#pragma once
// Device key pairs: generation and signing (authenticator side), verification (server side).
// p256: ECDSA P-256 with SHA-256, DER signatures. rsa2048: RSA-PSS, SHA-256, salt length 32.
#include <optional>
#include <string>
#include <string_view>

namespace twofold::crypto {

enum class KeyType { p256, rsa2048 };

std::optional<KeyType> parse_key_type(std::string_view name);  // "p256" | "rsa2048"
std::string_view key_type_name(KeyType type);

struct KeyPair {
  std::string private_key_pem;  // PKCS#8, unencrypted (callers encrypt it at rest)
  std::string public_key_pem;   // SubjectPublicKeyInfo
};

KeyPair generate_key_pair(KeyType type);

// Signs `message`; returns the raw signature bytes. Throws std::runtime_error on a bad key.
std::string sign(std::string_view private_key_pem, std::string_view message);

// Checks that `public_key_pem` parses and is exactly of `type` (P-256 curve; RSA >= 2048 bits).
bool is_acceptable_public_key(std::string_view public_key_pem, KeyType type);

// Verifies a raw signature. Never throws; any malformed input is simply `false`.
bool verify(std::string_view public_key_pem, KeyType type, std::string_view message,
            std::string_view signature);

}  // namespace twofold::crypto
