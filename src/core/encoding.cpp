#include "core/encoding.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace twofold::core {
namespace {

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string b64_encode(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), u8(bytes), bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

std::optional<std::string> b64_decode(std::string_view text, int variant) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, variant) != 0)
    return std::nullopt;
  if (end != text.data() + text.size()) return std::nullopt;
  out.resize(len);
  return out;
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), u8(bytes), bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

std::string to_hex_upper(std::string_view bytes) {
  std::string out = to_hex(bytes);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                     hex.size(), nullptr, &len, &end) != 0 ||
      end != hex.data() + hex.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

std::string base64_encode(std::string_view b) {
  return b64_encode(b, sodium_base64_VARIANT_ORIGINAL);
}
std::string base64url_encode(std::string_view b) {
  return b64_encode(b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
std::optional<std::string> base64_decode(std::string_view t) {
  return b64_decode(t, sodium_base64_VARIANT_ORIGINAL);
}
std::optional<std::string> base64url_decode(std::string_view t) {
  return b64_decode(t, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool secure_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, u8(data), data.size());
  return to_hex({reinterpret_cast<const char*>(digest), sizeof digest});
}

std::optional<std::string> form_decode(std::string_view raw, std::size_t limit, bool* too_long) {
  if (too_long) *too_long = false;
  const auto hex_value = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(std::min(raw.size(), limit));
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (raw.size() - i < 3) return std::nullopt;  // '%' needs two hex digits after it
      const int hi = hex_value(raw[i + 1]);
      const int lo = hex_value(raw[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (out.size() == limit) {
      if (too_long) *too_long = true;
      return std::nullopt;
    }
    out += c;
  }
  return out;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const auto n = s.size();
  while (i < n) {
    const auto c = static_cast<std::uint8_t>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else
      return false;
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<std::uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

}  // namespace twofold::core
