#include "oidc/client_json.hpp"

namespace twofold::oidc {

nlohmann::json describe(const Client& c) {
  nlohmann::json out = {{"client_id", c.id},
                        {"name", c.name},
                        {"token_endpoint_auth_method", name_of(c.auth_method)},
                        {"redirect_uris", c.redirect_uris},
                        {"post_logout_redirect_uris", c.post_logout_redirect_uris},
                        {"grant_types", c.grant_types},
                        {"scopes", c.scopes},
                        {"audience", c.audience},
                        {"id_token_signed_response_alg", c.id_token_alg},
                        {"access_token_signed_response_alg", c.access_token_alg},
                        {"default_acr", c.default_acr},
                        {"skip_consent", c.skip_consent},
                        {"roles", c.roles},
                        {"jwks_uri", c.jwks_uri},
                        {"created_at", core::to_millis(c.created) / 1000}};
  // The JWKS holds public keys only (private_key_jwt); stored as text, shown as JSON.
  if (!c.jwks.empty()) {
    auto jwks = nlohmann::json::parse(c.jwks, nullptr, /*allow_exceptions=*/false);
    if (!jwks.is_discarded()) out["jwks"] = std::move(jwks);
  }
  return out;
}

}  // namespace twofold::oidc
