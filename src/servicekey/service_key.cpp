#include "servicekey/service_key.hpp"

#include <algorithm>

#include "core/encoding.hpp"

namespace twofold::servicekey {
namespace {
constexpr std::string_view kPrefix = "tfk_";
constexpr std::size_t kTokenChars = 43;  // 32 bytes, unpadded base64url
}  // namespace

bool is_valid_service_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool has_key_shape(std::string_view key) {
  if (key.size() != kPrefix.size() + kTokenChars || key.substr(0, kPrefix.size()) != kPrefix)
    return false;
  return std::all_of(key.begin() + kPrefix.size(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::string Keys::issue(const std::string& service) {
  if (!is_valid_service_name(service))
    throw KeyError("service names are 1-64 characters of A-Z a-z 0-9 . _ -");
  const std::string key = std::string(kPrefix) + random_.token(32);
  if (!registry_.add({service, core::sha256_hex(key), clock_.now()}))
    throw KeyError("the service " + service + " already has a key; remove it first");
  return key;
}

std::optional<std::string> Keys::authenticate(std::string_view key) {
  // The lookup is by hash, so its timing tells nothing about the stored keys.
  if (!has_key_shape(key)) return std::nullopt;
  return registry_.service_for(core::sha256_hex(key));
}

}  // namespace twofold::servicekey
