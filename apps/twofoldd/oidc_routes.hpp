#pragma once
// The OpenID Connect endpoints on the HTTP edge: discovery, JWKS, token, userinfo,
// introspection, revocation, end-session (logout; a browser page, src/login/logout). Thin: the
// domain is src/oidc; keys come from the jose::KeyRing.
#include <optional>

#include "http/server.hpp"
#include "jose/key_ring.hpp"
#include "login/logout.hpp"
#include "oidc/introspection.hpp"
#include "oidc/revocation.hpp"
#include "oidc/token_endpoint.hpp"
#include "oidc/userinfo.hpp"

namespace twofold::app {

// oidc::TokenSigner over the provider's key ring.
class KeyRingSigner final : public oidc::TokenSigner {
 public:
  explicit KeyRingSigner(const jose::KeyRing& ring) : ring_(ring) {}
  std::string sign(const nlohmann::json& claims, std::string_view alg,
                   std::string_view typ) override;

 private:
  const jose::KeyRing& ring_;
};

// oidc::TokenVerifier over the provider's key ring (every published key).
class KeyRingVerifier final : public oidc::TokenVerifier {
 public:
  explicit KeyRingVerifier(const jose::KeyRing& ring) : ring_(ring) {}
  std::optional<oidc::VerifiedToken> verify(std::string_view token) override;

 private:
  const jose::KeyRing& ring_;
};

// The provider's form and bearer endpoints (src/oidc).
struct OidcEndpoints {
  oidc::TokenEndpoint& token;
  oidc::Userinfo& userinfo;
  oidc::Introspection& introspection;
  oidc::Revocation& revocation;
  login::Logout& logout;
};

class OidcRoutes {
 public:
  OidcRoutes(const std::string& issuer, const jose::KeyRing& keys, OidcEndpoints endpoints);
  // The answer when `path` is an OIDC endpoint, else nullopt.
  std::optional<http::Response> handle(const http::Request& request, const http::Peer& peer,
                                       const std::string& path);

 private:
  const jose::KeyRing& keys_;
  OidcEndpoints endpoints_;
  std::string discovery_;  // serialised once
};

}  // namespace twofold::app
