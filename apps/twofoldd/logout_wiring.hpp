#pragma once
// The end-session endpoint (/oidc/logout, R-O1) built from what twofoldd already has: the
// client registry, our own token verifier (id_token_hint), refresh tokens (revoked per
// browser session) and the browser sessions of the login.
#include "config/config.hpp"
#include "login/logout.hpp"
#include "oidc/clients.hpp"
#include "oidc/refresh_tokens.hpp"

namespace twofold::app {

class LogoutServer {
 public:
  LogoutServer(const config::Config& config, oidc::Clients& clients, oidc::TokenVerifier& verifier,
               oidc::RefreshTokens& refresh, login::Sessions& sessions);
  login::Logout& logout() { return logout_; }

 private:
  login::Pages pages_;
  login::Logout logout_;
};

}  // namespace twofold::app
