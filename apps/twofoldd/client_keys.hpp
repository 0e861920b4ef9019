#pragma once
// JWT client authentication on the server (R-O2): the keys an assertion is checked with —
// the client secret (client_secret_jwt, opened from its sealed copy) or the client's JWKS
// (private_key_jwt, inline or fetched from its jwks_uri with limits and a short cache) —
// and the pieces src/oidc needs, wired in one place.
#include "jose/jws.hpp"
#include "jose/remote_jwks.hpp"
#include "oidc/client_assertion.hpp"
#include "oidc/client_auth.hpp"
#include "storage/assertion_jti_store.hpp"

namespace twofold::app {

class ClientKeyVerifier final : public oidc::AssertionKeys {
 public:
  ClientKeyVerifier(oidc::Clients& clients, jose::RemoteJwks& remote)
      : clients_(clients), remote_(remote) {}
  std::variant<oidc::VerifiedToken, std::string> verify(const oidc::Client& client,
                                                        std::string_view assertion) override;

 private:
  std::variant<oidc::VerifiedToken, std::string> check(const oidc::Client& client,
                                                       std::string_view assertion);
  oidc::Clients& clients_;
  jose::RemoteJwks& remote_;
};

// Everything client authentication needs; hand authenticator() to the form endpoints.
class ClientAuth {
 public:
  ClientAuth(const std::string& issuer, storage::Database& db, const core::Clock& clock,
             oidc::Clients& clients);
  oidc::ClientAuthenticator& authenticator() { return authenticator_; }

 private:
  storage::AssertionJtiStore jtis_;
  jose::CurlJwksFetcher fetcher_;
  jose::RemoteJwks remote_;
  ClientKeyVerifier keys_;
  oidc::ClientAssertions assertions_;
  oidc::ClientAuthenticator authenticator_;
};

}  // namespace twofold::app
