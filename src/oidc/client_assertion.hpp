#pragma once
// JWT client authentication (RFC 7523 §2.2 and §3, OIDC Core §9): the client sends
// `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and a JWT
// `client_assertion` it signed — client_secret_jwt: HS256 with its client secret;
// private_key_jwt: RS256 or ES256 with a key of its registered JWKS (inline or jwks_uri).
// Pure domain code: the signature check comes in through AssertionKeys (jose and the JWKS
// fetch live behind it), single use of `jti` through JtiRegistry (the database).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "oidc/clients.hpp"
#include "oidc/tokens.hpp"

namespace twofold::oidc {

inline constexpr std::string_view kJwtBearerAssertion =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// Remembers the jtis of accepted assertions until they expire (storage::AssertionJtiStore).
class JtiRegistry {
 public:
  virtual ~JtiRegistry() = default;
  // Records (client_id, jti) until `expires`; false when it is already recorded (a replay).
  // Shared by every instance on one database, so a replay to another instance fails too.
  virtual bool remember(const std::string& client_id, const std::string& jti,
                        core::TimePoint expires, core::TimePoint now) = 0;
};

// Checks an assertion's signature with the key material of `client` (the HS256 secret, or the
// JWKS). Returns the verified header and claims, or why not (for the implementation's log;
// the client only learns that the signature did not verify). Must not throw on bad input and
// must not hang (bounded JWKS fetch).
class AssertionKeys {
 public:
  virtual ~AssertionKeys() = default;
  virtual std::variant<VerifiedToken, std::string> verify(const Client& client,
                                                          std::string_view assertion) = 0;
};

struct AssertionPolicy {
  std::string issuer;  // https://host[:port], no trailing slash
  // exp at most this far ahead (plus leeway). An hour: what common clients (authlib) sign by
  // default; a replay inside it fails anyway, because each jti is remembered until its exp.
  std::chrono::seconds max_life{3600};
  std::chrono::seconds leeway{30};             // clock skew allowed for exp, iat and nbf
  static constexpr std::size_t kMaxJti = 256;  // characters
};

struct AssertionFacts {
  std::string jti;
  core::TimePoint expires{};
};

// The claim checks, after the signature: header alg fits the method (HS256 for
// client_secret_jwt; RS256/ES256 for private_key_jwt); iss = sub = the client id; aud (string
// or array) names one of `audiences`; exp in the future and at most max_life ahead; nbf and
// iat not in the future; jti present. Pure; the reason on failure.
std::variant<AssertionFacts, std::string> check_assertion(const VerifiedToken& token,
                                                          const Client& client,
                                                          const std::vector<std::string>& audiences,
                                                          const AssertionPolicy& policy,
                                                          core::TimePoint now);

// The `sub` of an assertion WITHOUT checking anything: which client's keys to check it with.
std::optional<std::string> assertion_subject(std::string_view assertion);

class ClientAssertions {
 public:
  ClientAssertions(AssertionPolicy policy, const core::Clock& clock, AssertionKeys& keys,
                   JtiRegistry& jtis)
      : policy_(std::move(policy)), clock_(clock), keys_(keys), jtis_(jtis) {}

  // The client an assertion authenticates, or why not. `client_id`: the form's, when sent
  // (must name the same client). `endpoint_path`: where the assertion was sent (its URL is
  // an accepted audience besides the issuer and the token endpoint).
  std::variant<Client, std::string> authenticate(Clients& clients, std::string_view assertion,
                                                 std::optional<std::string_view> client_id,
                                                 std::string_view endpoint_path);

 private:
  AssertionPolicy policy_;
  const core::Clock& clock_;
  AssertionKeys& keys_;
  JtiRegistry& jtis_;
};

}  // namespace twofold::oidc
