#pragma once
// Enrolment, device authentication and signed device actions. Pure domain code.
#include <chrono>
#include <map>
#include <mutex>
#include <variant>

#include "core/random.hpp"
#include "crypto/device_messages.hpp"
#include "device/device.hpp"
#include "identity/identity.hpp"

namespace twofold::device {

enum class Failure {
  invalid_request,
  invalid_key,
  activation_required,
  invalid_activation_code,
  invalid_signature,
  invalid_nonce,
  storage,
};

struct Error {
  Failure failure;
  std::string message;
};

template <typename T>
using Outcome = std::variant<T, Error>;

struct EnrolRequest {
  std::string id;
  std::string device_name;
  std::string key_type;
  std::string public_key_pem;
  std::string activation_code;  // empty: none given
};

struct Enrolled {
  identity::Identity identity;
  Device device;
  std::string token;  // shown once to the device, stored only hashed
};

struct Nonce {
  std::string value;
  core::TimePoint expires;
};

struct IssuedCode {
  std::string code;
  core::TimePoint expires;
};

struct Settings {
  std::chrono::seconds challenge_life{60};
  std::chrono::hours activation_code_life{24};
};

// The messages a device signs (src/crypto/device_messages.hpp).
using crypto::action_message;
using crypto::answer_message;

class Service {
 public:
  Service(Settings settings, const core::Clock& clock, core::Random& random,
          identity::Directory& directory, Registry& registry);

  Outcome<Enrolled> enrol(const EnrolRequest& request);
  // The device a bearer token belongs to; nullopt for unknown tokens.
  std::optional<Device> authenticate(std::string_view bearer_token);
  // Checks a base64 signature by the device's key.
  bool verify(const Device& device, std::string_view message, std::string_view signature_b64) const;

  Nonce issue_challenge(const Device& device);
  // Consumes the device's nonce and checks the signature over action_message(action, id, nonce).
  Outcome<identity::Identity> authorize_action(const Device& device, std::string_view action,
                                               std::string_view nonce,
                                               std::string_view signature_b64);

  // The device's ID as stored now.
  Outcome<identity::Identity> identity_of(const Device& device);
  // Read-modify-write of the ID's flags (re-read so concurrent changes are not undone).
  Outcome<identity::Identity> set_locked(const std::string& identity_key, bool locked);
  Outcome<identity::Identity> resume(const std::string& identity_key);
  core::TimePoint now() const { return clock_.now(); }
  Outcome<IssuedCode> issue_activation_code(const std::string& identity_key);

 private:
  Settings settings_;
  const core::Clock& clock_;
  core::Random& random_;
  identity::Directory& directory_;
  Registry& registry_;
  std::mutex mutex_;
  std::map<std::string, std::pair<std::string, core::TimePoint>> nonces_;  // nonce → device id
};

}  // namespace twofold::device
