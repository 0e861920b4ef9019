#pragma once
// A device is a key pair enrolled for an ID; the server keeps only the public key and the
// hash of the device's bearer token (SPEC R-D1, R-D2).
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "crypto/signature.hpp"

namespace twofold::device {

struct Device {
  std::string id;            // 32 hex digits
  std::string identity_key;  // the ID it belongs to
  std::string name;
  crypto::KeyType key_type{crypto::KeyType::p256};
  std::string public_key_pem;
  std::string token_hash;  // SHA-256 of the bearer token, hex
  core::TimePoint created{};
};

struct ActivationCode {
  std::string code_hash;  // SHA-256 of the code, hex
  std::string identity_key;
  core::TimePoint expires{};
};

// Persistence port; storage implements it. Methods throw on storage failure.
class Registry {
 public:
  virtual ~Registry() = default;
  virtual void add(const Device& device) = 0;
  virtual std::optional<Device> find_by_token_hash(const std::string& token_hash) = 0;
  virtual std::vector<Device> list(const std::string& identity_key) = 0;
  virtual void add_activation_code(const ActivationCode& code) = 0;
  // Removes and returns the code (single use); nullopt if unknown.
  virtual std::optional<ActivationCode> take_activation_code(const std::string& code_hash) = 0;
};

}  // namespace twofold::device
