#pragma once
// The token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6; RFC 9068 access tokens; RFC 8707
// resource indicators; OIDC Core §3.1.3 ID tokens). Pure domain code: the HTTP edge hands in
// the Authorization header and the form body and sends back the JSON reply; signing comes in
// through TokenSigner, codes and refresh tokens through their stores.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "oidc/client_auth.hpp"
#include "oidc/clients.hpp"
#include "oidc/codes.hpp"
#include "oidc/refresh_tokens.hpp"
#include "oidc/tokens.hpp"

namespace twofold::oidc {

class TokenEndpoint {
 public:
  TokenEndpoint(TokenSettings settings, const core::Clock& clock, core::Random& random,
                ClientAuthenticator& clients, TokenSigner& signer, Codes& codes,
                RefreshTokens& refresh, UserDirectory& users)
      : clock_(clock),
        clients_(clients),
        minter_(std::move(settings), clock, random, signer),
        codes_(codes),
        refresh_(refresh),
        users_(users) {}

  Reply handle(const TokenRequest& request);

 private:
  Reply client_credentials(const Client& client, const serviceapi::Form& form);
  Reply authorization_code(const Client& client, const serviceapi::Form& form);
  Reply refresh_token(const Client& client, const serviceapi::Form& form);
  // The user still exists and may sign in; else an invalid_grant reply.
  std::variant<UserClaims, Reply> active_user(const std::string& subject);
  // access_token, token_type, expires_in, scope, id_token (scope openid), refresh_token.
  Reply user_tokens(const Client& client, const Authorization& grant, const UserClaims& user,
                    const std::vector<std::string>& scopes, const nlohmann::json& audience,
                    const std::string& jti, core::TimePoint iat, const std::string& refresh);

  const core::Clock& clock_;
  ClientAuthenticator& clients_;
  TokenMinter minter_;
  Codes& codes_;
  RefreshTokens& refresh_;
  UserDirectory& users_;
};

}  // namespace twofold::oidc
