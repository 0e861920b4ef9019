#pragma once
// Token introspection (RFC 7662) for confidential clients. A client learns about tokens issued
// to it and about access tokens meant for it (its id or its default audience in `aud`: a
// resource server registered as a client); anything else, and every invalid, expired or
// revoked token, is {"active": false}. Access tokens are checked without the database
// (signature, exp, deny-list); refresh tokens by their stored hash.
#include "oidc/client_auth.hpp"
#include "oidc/deny_list.hpp"
#include "oidc/refresh_tokens.hpp"
#include "oidc/tokens.hpp"

namespace twofold::oidc {

class Introspection {
 public:
  Introspection(std::string issuer, const core::Clock& clock, ClientAuthenticator& clients,
                TokenVerifier& verifier, const DenyList& deny_list, RefreshTokens& refresh)
      : issuer_(std::move(issuer)),
        clock_(clock),
        clients_(clients),
        verifier_(verifier),
        deny_(deny_list),
        refresh_(refresh) {}

  Reply handle(const TokenRequest& request);

 private:
  nlohmann::json access_token(const Client& caller, std::string_view token);
  nlohmann::json refresh_token(const Client& caller, std::string_view token);

  std::string issuer_;
  const core::Clock& clock_;
  ClientAuthenticator& clients_;
  TokenVerifier& verifier_;
  const DenyList& deny_;
  RefreshTokens& refresh_;
};

}  // namespace twofold::oidc
