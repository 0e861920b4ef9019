#pragma once
// Byte encodings, all backed by libsodium (constant-time for secrets).
#include <optional>
#include <string>
#include <string_view>

namespace twofold::core {

std::string to_hex(std::string_view bytes);
std::string to_hex_upper(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);

std::string base64_encode(std::string_view bytes);                   // standard alphabet, padded
std::string base64url_encode(std::string_view bytes);                // url-safe, unpadded
std::optional<std::string> base64_decode(std::string_view text);     // standard, padded
std::optional<std::string> base64url_decode(std::string_view text);  // url-safe, unpadded

// Constant-time equality of two secrets (lengths are not secret).
bool secure_equals(std::string_view a, std::string_view b);

// SHA-256 of the input, as lower-case hex. For high-entropy tokens stored at rest;
// passwords and PINs use Argon2id instead.
std::string sha256_hex(std::string_view data);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view text);

// One key or value of an application/x-www-form-urlencoded body or query ('+' is a space, %XX
// a byte). nullopt on a bad %-escape, or when the result would exceed `limit` bytes (then
// *too_long is set, when given). What the bytes may be is the caller's rule.
std::optional<std::string> form_decode(std::string_view raw, std::size_t limit,
                                       bool* too_long = nullptr);

}  // namespace twofold::core
