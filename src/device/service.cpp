#include "device/service.hpp"

#include "core/encoding.hpp"

namespace twofold::device {
namespace {
Error storage_error() {
  return {Failure::storage, "The server cannot store this right now."};
}
}  // namespace

Service::Service(Settings settings, const core::Clock& clock, core::Random& random,
                 identity::Directory& directory, Registry& registry)
    : settings_(settings),
      clock_(clock),
      random_(random),
      directory_(directory),
      registry_(registry) {}

Outcome<Enrolled> Service::enrol(const EnrolRequest& req) {
  if (!identity::is_valid_name(req.id))
    return Error{Failure::invalid_request, "id must be 1-255 characters of A-Z a-z 0-9 . _ @ -"};
  if (req.device_name.empty() || req.device_name.size() > 128 ||
      !core::is_valid_utf8(req.device_name))
    return Error{Failure::invalid_request, "device_name must be 1-128 characters"};
  auto type = crypto::parse_key_type(req.key_type);
  if (!type) return Error{Failure::invalid_key, "key_type must be p256 or rsa2048"};
  if (req.public_key_pem.size() > 4096 ||
      !crypto::is_acceptable_public_key(req.public_key_pem, *type))
    return Error{Failure::invalid_key, "public_key is not a " + req.key_type + " public key"};

  const auto now = clock_.now();
  Enrolled out;
  try {
    auto key = identity::key_of(req.id);
    auto existing = directory_.find(key);
    if (existing) {
      // Another device for an existing ID needs an activation code (single use).
      if (req.activation_code.empty())
        return Error{Failure::activation_required,
                     "The ID exists; enrolling another device needs an activation code."};
      auto code = registry_.take_activation_code(core::sha256_hex(req.activation_code));
      if (!code || code->identity_key != key || code->expires <= now)
        return Error{Failure::invalid_activation_code, "The activation code is not valid."};
      out.identity = *existing;
    } else {
      out.identity.key = key;
      out.identity.name = req.id;
      out.identity.created = now;
      if (!directory_.create(out.identity, /*admin_if_first=*/true)) {
        return Error{Failure::activation_required,
                     "The ID exists; enrolling another device needs an activation code."};
      }
    }
    out.token = random_.token(32);
    out.device.id = random_.hex(16);
    out.device.identity_key = key;
    out.device.name = req.device_name;
    out.device.key_type = *type;
    out.device.public_key_pem = req.public_key_pem;
    out.device.token_hash = core::sha256_hex(out.token);
    out.device.created = now;
    registry_.add(out.device);
  } catch (const std::exception&) {
    return storage_error();
  }
  return out;
}

std::optional<Device> Service::authenticate(std::string_view bearer_token) {
  if (bearer_token.empty() || bearer_token.size() > 256) return std::nullopt;
  try {
    // The token has 256 bits of entropy, so looking up its hash is safe against timing.
    return registry_.find_by_token_hash(core::sha256_hex(bearer_token));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool Service::verify(const Device& device, std::string_view message,
                     std::string_view signature_b64) const {
  auto signature = core::base64_decode(signature_b64);
  if (!signature || signature->empty()) return false;
  return crypto::verify(device.public_key_pem, device.key_type, message, *signature);
}

Nonce Service::issue_challenge(const Device& device) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  for (auto it = nonces_.begin(); it != nonces_.end();)
    it = it->second.second <= now ? nonces_.erase(it) : std::next(it);
  Nonce n{random_.token(32), now + settings_.challenge_life};
  nonces_[n.value] = {device.id, n.expires};
  return n;
}

Outcome<identity::Identity> Service::authorize_action(const Device& device, std::string_view action,
                                                      std::string_view nonce,
                                                      std::string_view signature_b64) {
  {
    std::lock_guard lock(mutex_);
    auto it = nonces_.find(std::string(nonce));
    if (it == nonces_.end() || it->second.first != device.id || it->second.second <= clock_.now())
      return Error{Failure::invalid_nonce, "Unknown or expired nonce; ask for a new challenge."};
    nonces_.erase(it);  // single use, even when the signature turns out wrong
  }
  std::optional<identity::Identity> id;
  try {
    id = directory_.find(device.identity_key);
  } catch (const std::exception&) {
    return storage_error();
  }
  if (!id) return Error{Failure::invalid_request, "The device's ID no longer exists."};
  if (!verify(device, action_message(action, id->name, nonce), signature_b64) &&
      !verify(device, action_message(action, id->key, nonce), signature_b64))
    return Error{Failure::invalid_signature, "The signature does not verify."};
  return *id;
}

Outcome<identity::Identity> Service::identity_of(const Device& device) {
  try {
    auto id = directory_.find(device.identity_key);
    if (!id) return Error{Failure::invalid_request, "The device's ID no longer exists."};
    return *id;
  } catch (const std::exception&) {
    return storage_error();
  }
}

Outcome<identity::Identity> Service::set_locked(const std::string& identity_key, bool locked) {
  try {
    auto id = directory_.find(identity_key);
    if (!id) return Error{Failure::invalid_request, "The ID no longer exists."};
    id->locked = locked;
    directory_.save(*id);
    return *id;
  } catch (const std::exception&) {
    return storage_error();
  }
}

Outcome<identity::Identity> Service::resume(const std::string& identity_key) {
  try {
    auto id = directory_.find(identity_key);
    if (!id) return Error{Failure::invalid_request, "The ID no longer exists."};
    id->suspended = false;
    directory_.save(*id);
    return *id;
  } catch (const std::exception&) {
    return storage_error();
  }
}

Outcome<IssuedCode> Service::issue_activation_code(const std::string& identity_key) {
  IssuedCode code{random_.token(24), clock_.now() + settings_.activation_code_life};
  try {
    if (!directory_.find(identity_key))
      return Error{Failure::invalid_request, "The ID " + identity_key + " does not exist."};
    registry_.add_activation_code({core::sha256_hex(code.code), identity_key, code.expires});
  } catch (const std::exception&) {
    return storage_error();
  }
  return code;
}

}  // namespace twofold::device
