#include "oidc/discovery.hpp"

namespace twofold::oidc {

nlohmann::json discovery_document(const std::string& issuer) {
  return {
      {"issuer", issuer},
      {"authorization_endpoint", issuer + Endpoints::kAuthorize},
      {"token_endpoint", issuer + Endpoints::kToken},
      {"jwks_uri", issuer + Endpoints::kJwks},
      {"userinfo_endpoint", issuer + Endpoints::kUserinfo},
      {"introspection_endpoint", issuer + Endpoints::kIntrospect},
      {"revocation_endpoint", issuer + Endpoints::kRevoke},
      {"end_session_endpoint", issuer + Endpoints::kLogout},
      {"grant_types_supported", {"authorization_code", "refresh_token", "client_credentials"}},
      {"token_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
        "none"}},
      {"token_endpoint_auth_signing_alg_values_supported", {"HS256", "RS256", "ES256"}},
      {"introspection_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"}},
      {"introspection_endpoint_auth_signing_alg_values_supported", {"HS256", "RS256", "ES256"}},
      {"revocation_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
        "none"}},
      {"revocation_endpoint_auth_signing_alg_values_supported", {"HS256", "RS256", "ES256"}},
      {"code_challenge_methods_supported", {"S256"}},
      {"scopes_supported", {"openid", "profile", "email", "roles", "offline_access"}},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query"}},
      {"authorization_response_iss_parameter_supported", true},
      // RP-Initiated Logout 1.0: no front- or back-channel notification of other RPs; their
      // refresh tokens bound to the browser session are revoked instead.
      {"frontchannel_logout_supported", false},
      {"backchannel_logout_supported", false},
      {"prompt_values_supported", {"none", "login", "consent"}},
      {"ui_locales_supported", {"en", "de"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", {"RS256", "ES256"}},
      {"access_token_signing_alg_values_supported", {"RS256", "ES256"}},
      {"claims_supported",
       {"sub", "iss", "aud", "exp", "iat", "email", "email_verified", "name", "preferred_username",
        "roles", "acr", "amr", "auth_time", "sid"}},
  };
}

}  // namespace twofold::oidc
