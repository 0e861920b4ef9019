#include "oidc/discovery.hpp"

namespace twofold::oidc {

nlohmann::json discovery_document(const std::string& issuer) {
  return {
      {"issuer", issuer},
      {"token_endpoint", issuer + Endpoints::kToken},
      {"jwks_uri", issuer + Endpoints::kJwks},
      {"grant_types_supported", {"client_credentials"}},
      {"token_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
      {"scopes_supported", {"openid", "profile", "email", "roles"}},
      {"response_types_supported", {"code"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", {"RS256", "ES256"}},
      {"access_token_signing_alg_values_supported", {"RS256", "ES256"}},
      {"claims_supported",
       {"sub", "iss", "aud", "exp", "iat", "email", "email_verified", "name", "preferred_username",
        "roles", "acr", "amr", "auth_time", "sid"}},
  };
}

}  // namespace twofold::oidc
