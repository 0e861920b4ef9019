#pragma once
// Token revocation (RFC 7009). The client authenticates (public clients by their client_id);
// a refresh token revokes its whole family (and the access tokens issued with it); an access
// token goes on the deny-list until it expires. Unknown, invalid and expired tokens get 200
// like revoked ones (§2.2); a token issued to another client is refused (§2.1).
#include "oidc/client_auth.hpp"
#include "oidc/deny_list.hpp"
#include "oidc/refresh_tokens.hpp"
#include "oidc/tokens.hpp"

namespace twofold::oidc {

class Revocation {
 public:
  Revocation(std::string issuer, const core::Clock& clock, ClientAuthenticator& clients,
             TokenVerifier& verifier, DenyList& deny_list, RefreshTokens& refresh)
      : issuer_(std::move(issuer)),
        clock_(clock),
        clients_(clients),
        verifier_(verifier),
        deny_(deny_list),
        refresh_(refresh) {}

  Reply handle(const TokenRequest& request);

 private:
  std::string issuer_;
  const core::Clock& clock_;
  ClientAuthenticator& clients_;
  TokenVerifier& verifier_;
  DenyList& deny_;
  RefreshTokens& refresh_;
};

}  // namespace twofold::oidc
