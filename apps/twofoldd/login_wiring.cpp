#include "login_wiring.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "core/encoding.hpp"
#include "identity/profile.hpp"

namespace twofold::app {
namespace {
constexpr std::string_view kDeviceCookie = "__Host-twofold_device";
}  // namespace

login::SessionSettings session_settings(const config::Config& c) {
  login::SessionSettings s;
  s.idle = std::chrono::hours(c.login.session_idle_hours);
  s.max_life = std::chrono::hours(c.login.session_max_hours);
  s.stay_signed_in = std::chrono::hours(c.login.stay_signed_in_hours);
  s.rotate_after = std::chrono::minutes(c.login.stay_signed_in_rotate_minutes);
  return s;
}

mail::SmtpConfig smtp_config(const config::Config& c) {
  mail::SmtpConfig s;
  const bool tls = c.mail.security == "tls";
  s.url =
      std::string(tls ? "smtps://" : "smtp://") + c.mail.host + ":" + std::to_string(c.mail.port);
  s.starttls = c.mail.security == "starttls";
  s.username = c.mail.user;
  s.password = c.mail.password;
  if (!c.mail.password_file.empty()) {
    std::ifstream in(c.resolve(c.mail.password_file), std::ios::binary);
    if (!in) throw config::ConfigError("setting [mail] password_file: cannot read it");
    std::stringstream buffer;
    buffer << in.rdbuf();
    s.password = buffer.str();
    while (!s.password.empty() && (s.password.back() == '\n' || s.password.back() == '\r'))
      s.password.pop_back();
  }
  if (!c.mail.ca_file.empty()) s.ca_file = c.resolve(c.mail.ca_file).string();
  s.timeout = std::chrono::seconds(c.mail.timeout_seconds);
  s.connect_timeout = std::min(s.timeout, std::chrono::milliseconds(std::chrono::seconds(10)));
  return s;
}

factors::totp::Options totp_options(const config::Config& c) {
  factors::totp::Options o;
  o.issuer = c.totp.issuer;
  o.params.digits = c.totp.digits;
  o.params.step_seconds = c.totp.period_seconds;
  o.params.window = c.totp.window;
  return o;
}

factors::email_code::Options email_code_options(const config::Config& c) {
  factors::email_code::Options o;
  o.length = c.email_code.length;
  o.validity = std::chrono::minutes(c.email_code.validity_minutes);
  o.max_attempts = static_cast<int>(c.email_code.max_attempts);
  o.resend_interval = std::chrono::seconds(c.email_code.resend_seconds);
  return o;
}

bool EmailCodeRules::required(const std::string& key) {
  auto id = identities_.find(key);
  if (!id) return true;
  return policy_.required_for(id->name, id->admin);
}

std::optional<identity::Profile> EmailCodeRules::recipient(const std::string& key) {
  if (!available_ || !required(key)) return std::nullopt;
  auto profile = profiles_.find_profile(key);
  if (!profile || !mail::is_valid_address(profile->email)) return std::nullopt;
  return profile;
}

login::EmailSend LoginServer::send_email_code(const std::string& key, login::Language language) {
  auto profile = email_rules_->recipient(key);
  if (!profile) return login::EmailSend::failed;
  try {
    const auto result = email_code_->challenge(
        key, {profile->email, profile->display_name, std::string(login::code_of(language))});
    return result.status == factors::email_code::ChallengeStatus::sent ? login::EmailSend::sent
                                                                       : login::EmailSend::too_soon;
  } catch (const std::exception& e) {
    // Logged without the code (it was withdrawn); the page offers the other factors.
    spdlog::warn("email code for {}: {}", key, e.what());
    return login::EmailSend::failed;
  }
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
      totp_store_(d.db),
      email_code_store_(d.db),
      sessions_(session_settings(d.config), d.clock, d.random, session_store_),
      regulation_store_(d.db),
      throttle_(throttle_settings(d.config), d.clock, regulation_store_),
      session_rate_({static_cast<int>(d.config.regulation.sessions_per_user_per_minute)}, d.clock,
                    regulation_store_),
      transactions_(d.clock, d.random, std::chrono::minutes(d.config.login.transaction_minutes)),
      pages_(d.config.login.templates_dir.empty()
                 ? std::filesystem::path()
                 : d.config.resolve(d.config.login.templates_dir)) {
  const auto& c = d.config;
  login::FlowSettings settings;
  settings.issuer = c.issuer();
  settings.max_failures = static_cast<int>(c.login.max_failures);
  settings.validity_check = std::chrono::minutes(c.regulation.validity_check_minutes);
  settings.factor_order.clear();
  for (const auto& name : c.login.factors)
    if (auto kind = factors::parse_factor_kind(name)) settings.factor_order.push_back(*kind);

  // TOTP: secrets sealed with a key of their own, created on first start.
  if (c.totp.enabled) {
    secret_box_ = std::make_unique<crypto::SecretBox>(
        crypto::SecretBox::load_or_create(c.resolve(c.totp.secret_key_file)));
    totp_ = std::make_unique<factors::totp::TotpFactor>(totp_options(c), d.clock, d.random,
                                                        *secret_box_, totp_store_);
  }
  // The email code: only with a mail server to deliver it.
  const bool email = c.email_code.enabled && !c.mail.host.empty();
  if (email) {
    mailer_ = std::make_unique<mail::SmtpMailer>(smtp_config(c), d.clock, d.random);
    if (c.mail.templates_dir.empty())
      mail_templates_ = std::make_unique<mail::Templates>(
          [](const std::string& file) -> std::optional<std::string> {
            auto text = login::embedded_file("templates/mail/" + file);
            return text ? std::optional<std::string>(*text) : std::nullopt;
          });
    else
      mail_templates_ = std::make_unique<mail::Templates>(c.resolve(c.mail.templates_dir));
    email_code_ = std::make_unique<factors::email_code::EmailCodeFactor>(
        email_code_options(c), d.clock, d.random, email_code_store_, *mailer_, *mail_templates_,
        mail::Address{c.mail.from, c.mail.from_name});
    if (c.email_code.remember_browser) {
      const auto key =
          crypto::load_or_create_key_file(c.resolve(c.email_code.remember_browser_key_file),
                                          factors::email_code::RememberBrowser::key_size);
      remember_ = std::make_unique<factors::email_code::RememberBrowser>(
          key, std::chrono::days(c.email_code.remember_browser_days), d.clock);
    }
  }
  email_rules_ = std::make_unique<EmailCodeRules>(
      email,
      factors::email_code::Policy(*factors::email_code::parse_scope(c.email_code.scope),
                                  c.email_code.skip_users),
      d.identities, profiles_);

  auto& identities = d.identities;
  auto& devices = d.devices;
  auto& sources = sources_;
  auto& clients = d.clients;
  auto* totp = totp_.get();
  auto* rules = email_rules_.get();
  std::map<factors::FactorKind, factors::Factor*> code_factors;
  if (totp_) code_factors[factors::FactorKind::totp] = totp_.get();
  if (email_code_) code_factors[factors::FactorKind::email_code] = email_code_.get();
  login::RememberPort remember;
  if (remember_) {
    auto* r = remember_.get();
    remember.issue = [r](const std::string& key) { return r->issue(key); };
    remember.verify = [r](std::string_view value, const std::string& key) {
      return r->verify(value, key);
    };
    remember.max_age = r->max_age();
  }
  login::LoginPorts ports{
      [&clients](const std::string& id) { return clients.find(id); },
      sources_.credentials(),
      [&identities, &sources](const std::string& key) {
        return identities.find(key).has_value() && !sources.has_password(key);
      },
      // The factors this ID has: push (an enrolled device), totp (a confirmed app), email_code
      // (an address in the profile, and the policy asks this ID for a second factor).
      [&devices, totp, rules](const std::string& key) {
        std::vector<factors::FactorKind> out;
        if (!devices.list(key).empty()) out.push_back(factors::FactorKind::push);
        if (totp && totp->is_enrolled(key)) out.push_back(factors::FactorKind::totp);
        if (rules->recipient(key)) out.push_back(factors::FactorKind::email_code);
        return out;
      },
      d.push,
      d.symbols,
      std::move(code_factors),
      {},
      d.codes,
      &d.users,
      &throttle_,
      &session_rate_};
  upstream_ = make_upstream(d.config, d.clock, d.random, d.identities, profiles_);
  if (upstream_) ports.upstream = &upstream_->port();
  ports.remember = std::move(remember);
  // R-P5: a browser in which the ID signed in before carries a device cookie (same signed
  // format as remember-browser, own key); its failed tries count apart from the ID's, so a
  // stranger's guesses cannot hold the user up there (regulation/throttle.hpp).
  device_cookies_ = std::make_unique<factors::email_code::RememberBrowser>(
      crypto::load_or_create_key_file(c.resolve("keys/device-cookie.key"),
                                      factors::email_code::RememberBrowser::key_size),
      std::chrono::days(365), d.clock);
  auto* device_cookies = device_cookies_.get();
  ports.device_of = [device_cookies](const login::BrowserRequest& request, const std::string& key) {
    auto value = login::cookie_value(request.cookies, kDeviceCookie);
    if (!value || !device_cookies->verify(*value, key)) return std::string();
    return core::sha256_hex(*value).substr(0, 32);
  };
  ports.device_cookie = [device_cookies](const std::string& key) {
    return std::string(kDeviceCookie) + "=" + device_cookies->issue(key) +
           "; Path=/; Max-Age=" + std::to_string(device_cookies->max_age().count()) +
           "; Secure; HttpOnly; SameSite=Lax";
  };
  ports.password_suffices = [rules](const std::string& key) { return !rules->required(key); };
  // R-P2: an ID linked to an LDAP entry (with LDAP in the order) is asked after again whether
  // the entry still exists; a directory that cannot answer keeps the user signed in.
  if (auto* ldap = sources_.ldap()) {
    auto& links = ldap_links_;
    ports.still_valid = [ldap, &links](const std::string& key) {
      std::optional<std::string> ldap_id;
      try {
        ldap_id = links.ldap_id(key);
      } catch (const std::exception& e) {
        spdlog::warn("validity check of {}: LDAP link not readable: {}", key, e.what());
        return true;
      }
      if (!ldap_id) return true;
      std::string detail;
      const auto presence = ldap->exists(*ldap_id, &detail);
      if (presence == sources::ldap::Presence::gone)
        spdlog::info(
            "validity check of {} (LDAP id {}): gone from the directory ({}): every "
            "session ends",
            key, *ldap_id, detail);
      else if (presence == sources::ldap::Presence::unavailable)
        spdlog::warn("validity check of {} (LDAP id {}) not possible, stays signed in: {}", key,
                     *ldap_id, detail);
      return presence != sources::ldap::Presence::gone;
    };
  }
  if (email_code_)
    ports.send_email_code = [this](const std::string& key, login::Language language) {
      return send_email_code(key, language);
    };
  flow_ = std::make_unique<login::LoginFlow>(std::move(settings), d.clock, d.random,
                                             std::move(ports), transactions_, sessions_, pages_);
  account_ = std::make_unique<login::AccountPage>(
      c.issuer(),
      login::AccountPorts{[&identities](const std::string& key) {
                            auto id = identities.find(key);
                            return id ? id->name : key;
                          },
                          sources_.credentials(), totp_.get(), &d.users},
      sessions_, *flow_, pages_);
  routes_ = std::make_unique<LoginRoutes>(*flow_, *account_, transactions_, sessions_);
}

}  // namespace twofold::app
