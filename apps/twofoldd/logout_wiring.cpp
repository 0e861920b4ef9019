#include "logout_wiring.hpp"

namespace twofold::app {
namespace {

std::filesystem::path templates_of(const config::Config& c) {
  return c.login.templates_dir.empty() ? std::filesystem::path() : c.resolve(c.login.templates_dir);
}

}  // namespace

LogoutServer::LogoutServer(const config::Config& config, oidc::Clients& clients,
                           oidc::TokenVerifier& verifier, oidc::RefreshTokens& refresh,
                           login::Sessions& sessions)
    : pages_(templates_of(config)),
      logout_(
          config.issuer(),
          login::LogoutPorts{[&clients](const std::string& id) { return clients.find(id); },
                             [&verifier](std::string_view token) { return verifier.verify(token); },
                             [&refresh](const std::string& sid) { refresh.revoke_session(sid); }},
          sessions, pages_) {}

}  // namespace twofold::app
