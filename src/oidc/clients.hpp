#pragma once
// Client management and client-secret checks. Secrets are generated here (32 random bytes),
// shown once, and stored as SHA-256: a stolen database does not reveal them. client_secret_jwt
// clients also keep the secret sealed with the server's SecretBox (the HS256 key must be
// recoverable); a stolen database without the key file still reveals nothing.
#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>

#include "core/random.hpp"
#include "crypto/secret_box.hpp"
#include "oidc/client.hpp"

namespace twofold::oidc {

struct ClientError : std::runtime_error {
  // What went wrong, for callers that answer with a status (the admin API: 400, 404, 409).
  enum class Reason { invalid, unknown, taken };
  explicit ClientError(const std::string& what, Reason r = Reason::invalid)
      : std::runtime_error(what), reason(r) {}
  Reason reason;
};

struct NewClient {
  Client client;
  std::string secret;  // empty for public clients
};

class Clients {
 public:
  // Reads are cached for `cache_life`: the token endpoint must not hit the database per
  // request. Changes made through another process (the CLI) show after at most that long.
  // `box`: seals the secrets of client_secret_jwt clients; null: such clients cannot be
  // created and their assertions never verify.
  Clients(const core::Clock& clock, core::Random& random, ClientRegistry& registry,
          std::chrono::milliseconds cache_life = std::chrono::seconds(2),
          const crypto::SecretBox* box = nullptr);

  // Validates (redirect URIs absolute https — or http on loopback —, no fragments; known
  // grant types; algs) and stores. A client id is generated when empty; the id names a
  // client without a name.
  NewClient create(Client client);
  // Replaces everything but the id, secret and creation time.
  void update(const Client& client);
  std::string rotate_secret(const std::string& id);
  bool remove(const std::string& id);
  std::vector<Client> list() { return registry_.list(); }

  std::optional<Client> find(const std::string& id);
  // Constant-time comparison of the secret's hash with the stored one.
  bool secret_matches(const Client& client, std::string_view secret) const;
  // The secret of a client_secret_jwt client (the HS256 key), or nullopt.
  std::optional<std::string> shared_secret(const Client& client) const;

 private:
  void validate(const Client& c) const;
  void forget(const std::string& id);
  // A new secret into `client` (hash, and sealed for client_secret_jwt); returns it.
  std::string new_secret(Client& client);

  const core::Clock& clock_;
  core::Random& random_;
  ClientRegistry& registry_;
  std::chrono::milliseconds cache_life_;
  const crypto::SecretBox* box_;
  std::mutex mutex_;
  std::map<std::string, std::pair<Client, core::TimePoint>, std::less<>> cache_;
};

// Exact-match check of a redirect URI against the registered ones (R-O4, RFC 9700 §4.1.3).
bool is_registered(const std::vector<std::string>& registered, std::string_view uri);

}  // namespace twofold::oidc
