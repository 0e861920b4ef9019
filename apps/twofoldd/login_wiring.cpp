#include "login_wiring.hpp"

namespace twofold::app {

sources::database::Settings password_settings(const config::Config& c) {
  sources::database::Settings s;
  s.argon2.opslimit = c.password.argon2_opslimit;
  s.argon2.memlimit = static_cast<std::size_t>(c.password.argon2_memlimit_kib) * 1024;
  s.policy_regex = c.password.policy;
  s.max_age_days = c.password.max_age_days;
  s.history = c.password.history;
  s.case_sensitive = c.password.case_sensitive;
  s.force_lower_case = c.password.force_lower_case;
  return s;
}

login::SessionSettings session_settings(const config::Config& c) {
  login::SessionSettings s;
  s.idle = std::chrono::hours(c.login.session_idle_hours);
  s.max_life = std::chrono::hours(c.login.session_max_hours);
  s.stay_signed_in = std::chrono::hours(c.login.stay_signed_in_hours);
  s.rotate_after = std::chrono::minutes(c.login.stay_signed_in_rotate_minutes);
  return s;
}

LoginServer::LoginServer(const LoginDeps& d)
    : password_store_(d.db),
      ldap_links_(d.db),
      profiles_(d.db),
      sources_(d.config, {d.clock, d.identities, password_store_, ldap_links_, &profiles_}),
      session_store_(d.db),
      sessions_(session_settings(d.config), d.clock, d.random, session_store_),
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
      &d.users};
  flow_ = std::make_unique<login::LoginFlow>(std::move(settings), d.clock, d.random,
                                             std::move(ports), transactions_, sessions_, pages_);
  routes_ = std::make_unique<LoginRoutes>(*flow_, transactions_, sessions_);
}

}  // namespace twofold::app
