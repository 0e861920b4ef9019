#pragma once
// Everything the browser login needs, built from the configuration in one place so twofoldd's
// main stays short: the database credential source, browser sessions, transactions, pages,
// the flow and its HTTP routes.
#include <memory>

#include "accesspass/symbol_set.hpp"
#include "authsession/service.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "device/device.hpp"
#include "identity/identity.hpp"
#include "login/flow.hpp"
#include "login_routes.hpp"
#include "oidc/clients.hpp"
#include "sources/configured/configured.hpp"
#include "sources/database/database_source.hpp"
#include "storage/browser_session_store.hpp"
#include "storage/ldap_link_store.hpp"
#include "storage/password_store.hpp"
#include "storage/profile_store.hpp"
#include "storage/regulation_store.hpp"
#include "upstream_wiring.hpp"

namespace twofold::app {

struct LoginDeps {
  const config::Config& config;
  storage::Database& db;
  const core::Clock& clock;
  core::Random& random;
  identity::Directory& identities;
  device::Registry& devices;
  authsession::Service& push;
  const accesspass::SymbolSet& symbols;
  oidc::Clients& clients;
  oidc::CodeIssuer& codes;
  oidc::UserDirectory& users;
};

login::SessionSettings session_settings(const config::Config& config);
regulation::ThrottleSettings throttle_settings(const config::Config& config);

class LoginServer {
 public:
  explicit LoginServer(const LoginDeps& deps);
  LoginRoutes& routes() { return *routes_; }
  login::Sessions& sessions() { return sessions_; }
  storage::RegulationStore& regulation_events() { return regulation_store_; }

 private:
  storage::PasswordStore password_store_;
  storage::LdapLinkStore ldap_links_;
  storage::ProfileStore profiles_;
  sources::ConfiguredSources sources_;  // [sources] order: database, LDAP (R-C1…R-C3, R-C6)
  storage::BrowserSessionStore session_store_;
  login::Sessions sessions_;
  storage::RegulationStore regulation_store_;
  regulation::Throttle throttle_;
  regulation::SessionRate session_rate_;
  login::Transactions transactions_;
  login::Pages pages_;
  std::unique_ptr<UpstreamWiring> upstream_;  // [upstream] (R-C4); null when off
  std::unique_ptr<login::LoginFlow> flow_;
  std::unique_ptr<LoginRoutes> routes_;
};

}  // namespace twofold::app
