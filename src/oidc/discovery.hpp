#pragma once
// OpenID Provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414). Only what is
// implemented is advertised: every endpoint listed here is served and tested.
#include <nlohmann/json.hpp>
#include <string>

namespace twofold::oidc {

struct Endpoints {
  static constexpr const char* kDiscovery = "/.well-known/openid-configuration";
  static constexpr const char* kJwks = "/oidc/jwks";
  static constexpr const char* kToken = "/oidc/token";
  static constexpr const char* kAuthorize = "/oidc/authorize";  // served by src/login
  static constexpr const char* kUserinfo = "/oidc/userinfo";
  static constexpr const char* kIntrospect = "/oidc/introspect";
  static constexpr const char* kRevoke = "/oidc/revoke";
  static constexpr const char* kLogout = "/oidc/logout";  // served by src/login (logout)
};

// `issuer`: https://host[:port] without a trailing slash.
nlohmann::json discovery_document(const std::string& issuer);

}  // namespace twofold::oidc
