#pragma once
// Service API keys (R-S8): when `[service] require_api_key` is on, a website must send
// `apikey=<key>` with every service API request. Keys are shown once when issued and stored
// only as SHA-256, so a stolen database does not let anyone act as a website.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"

namespace twofold::servicekey {

struct ServiceKey {
  std::string service;   // the name the admin gave, e.g. "intranet"
  std::string key_hash;  // SHA-256 hex of the key
  core::TimePoint created{};
};

// Storage port.
class Registry {
 public:
  virtual ~Registry() = default;
  virtual bool add(const ServiceKey& key) = 0;  // false when the service name is taken
  virtual std::optional<std::string> service_for(const std::string& key_hash) = 0;
  virtual bool remove(const std::string& service) = 0;
  virtual std::vector<ServiceKey> list() = 0;
};

struct KeyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Service names: 1–64 characters of A–Z a–z 0–9 . _ -
bool is_valid_service_name(std::string_view name);
// Keys look like "tfk_" + 43 base64url characters; anything else is never looked up.
bool has_key_shape(std::string_view key);

class Keys {
 public:
  Keys(const core::Clock& clock, core::Random& random, Registry& registry)
      : clock_(clock), random_(random), registry_(registry) {}

  // The new key, to be shown once. Throws KeyError on a bad or taken name.
  std::string issue(const std::string& service);
  // The service a key belongs to.
  std::optional<std::string> authenticate(std::string_view key);

 private:
  const core::Clock& clock_;
  core::Random& random_;
  Registry& registry_;
};

}  // namespace twofold::servicekey
