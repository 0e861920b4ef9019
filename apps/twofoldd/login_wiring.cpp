#include "login_wiring.hpp"

namespace twofold::app {

login::SessionSettings session_settings(const config::Config& c) {
  login::SessionSettings s;
  s.idle = std::chrono::hours(c.login.session_idle_hours);
  s.max_life = std::chrono::hours(c.login.session_max_hours);
  s.stay_signed_in = std::chrono::hours(c.login.stay_signed_in_hours);
  s.rotate_after = std::chrono::minutes(c.login.stay_signed_in_rotate_minutes);
  return s;
}

regulation::ThrottleSettings throttle_settings(const config::Config& c) {
  const auto& r = c.regulation;
  regulation::ThrottleSettings s;
  s.window = std::chrono::minutes(r.failure_window_minutes);
  s.per_user = {static_cast<int>(r.user_free_failures), std::chrono::seconds(1),
                std::chrono::seconds(r.user_max_delay_seconds)};
  s.per_address = {static_cast<int>(r.address_free_failures), std::chrono::seconds(1),
                   std::chrono::seconds(r.address_max_delay_seconds)};
  return s;
}

LoginServer::LoginServer(const LoginDeps& d)
    : password_store_(d.db),
      ldap_links_(d.db),
      profiles_(d.db),
      sources_(d.config, {d.clock, d.identities, password_store_, ldap_links_, &profiles_}),
      session_store_(d.db),
      sessions_(session_settings(d.config), d.clock, d.random, session_store_),
      regulation_store_(d.db),
      throttle_(throttle_settings(d.config), d.clock, regulation_store_),
      session_rate_({static_cast<int>(d.config.regulation.sessions_per_user_per_minute)}, d.clock,
                    regulation_store_),
      transactions_(d.clock, d.random, std::chrono::minutes(d.config.login.transaction_minutes)),
      pages_(d.config.login.templates_dir.empty()
                 ? std::filesystem::path()
                 : d.config.resolve(d.config.login.templates_dir)) {
  login::FlowSettings settings;
  settings.issuer = d.config.issuer();
  settings.max_failures = static_cast<int>(d.config.login.max_failures);
  settings.factor_order.clear();
  for (const auto& name : d.config.login.factors)
    if (auto kind = factors::parse_factor_kind(name)) settings.factor_order.push_back(*kind);

  auto& identities = d.identities;
  auto& devices = d.devices;
  auto& sources = sources_;
  auto& clients = d.clients;
  login::LoginPorts ports{
      [&clients](const std::string& id) { return clients.find(id); },
      sources_.credentials(),
      [&identities, &sources](const std::string& key) {
        return identities.find(key).has_value() && !sources.has_password(key);
      },
      // TOTP and the email code join here once their factors are wired (LoginPorts).
      [&devices](const std::string& key) {
        std::vector<factors::FactorKind> out;
        if (!devices.list(key).empty()) out.push_back(factors::FactorKind::push);
        return out;
      },
      d.push,
      d.symbols,
      {},
      {},
      d.codes,
      &d.users,
      &throttle_,
      &session_rate_};
  upstream_ = make_upstream(d.config, d.clock, d.random, d.identities, profiles_);
  if (upstream_) ports.upstream = &upstream_->port();
  flow_ = std::make_unique<login::LoginFlow>(std::move(settings), d.clock, d.random,
                                             std::move(ports), transactions_, sessions_, pages_);
  routes_ = std::make_unique<LoginRoutes>(*flow_, transactions_, sessions_);
}

}  // namespace twofold::app
