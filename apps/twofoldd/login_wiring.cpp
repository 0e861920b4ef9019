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

void LoginServer::make_mail(const config::Config& c, const LoginDeps& d) {
  if (mailer_) return;
  mailer_ = std::make_unique<mail::SmtpMailer>(smtp_config(c), d.clock, d.random);
  if (c.mail.templates_dir.empty())
    mail_templates_ = std::make_unique<mail::Templates>(
        [](const std::string& file) -> std::optional<std::string> {
          auto text = login::embedded_file("templates/mail/" + file);
          return text ? std::optional<std::string>(*text) : std::nullopt;
        });
  else
    mail_templates_ = std::make_unique<mail::Templates>(c.resolve(c.mail.templates_dir));
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

void LoginServer::make_password_reset(const LoginDeps& d, login::LoginPorts& ports) {
  const auto& c = d.config;
  // R-C1: an expired database password is replaced at the login, with or without mail.
  auto& database = sources_.database();
  auto set_password = [&database](const std::string& key, std::string_view password) {
    return database.set_password(key, password);
  };
  ports.set_password = set_password;
  if (!c.password_reset.enabled || c.mail.host.empty()) return;
  make_mail(c, d);
  auto& identities = d.identities;
  auto& profiles = profiles_;
  auto& links = ldap_links_;
  auto& users = d.users;
  auto& session_store = session_store_;
  auto& sessions = sessions_;
  auto* refresh = d.refresh_tokens;
  auto* mailer = mailer_.get();
  auto* templates = mail_templates_.get();
  const mail::Address from{c.mail.from, c.mail.from_name};
  recovery::ResetPorts ports_of_reset{
      // The ID as typed, or the one ID whose profile has the address.
      [&identities, &profiles](std::string_view typed) -> std::optional<recovery::Account> {
        std::string key;
        if (typed.find('@') != std::string_view::npos) {
          const auto keys = profiles.keys_with_email(typed, 2);
          if (keys.size() != 1) return std::nullopt;  // none, or shared by several IDs
          key = keys.front();
        } else {
          if (!identity::is_valid_name(typed)) return std::nullopt;
          key = identity::key_of(typed);
        }
        auto id = identities.find(key);
        if (!id) return std::nullopt;
        recovery::Account account{key, id->name, {}};
        if (auto profile = profiles.find_profile(key);
            profile && mail::is_valid_address(profile->email)) {
          account.email = profile->email;
          if (!profile->display_name.empty()) account.name = profile->display_name;
        }
        return account;
      },
      // The directory owns the password of a linked ID; push-only IDs have none to reset.
      [&database, &links, &users](const std::string& key) -> std::string {
        if (links.ldap_id(key)) return "linked to LDAP";
        if (!database.has_password(key)) return "no database password";
        auto claims = users.claims_of(key);
        if (!claims || !claims->active) return "locked or disabled";
        return {};
      },
      [mailer, templates, from](const recovery::ResetMail& m) {
        const auto rendered = templates->render("password_reset", m.language,
                                                {{"product", "twofold"},
                                                 {"name", m.name},
                                                 {"link", m.link},
                                                 {"hours", std::to_string(m.hours)}});
        mail::Message message;
        message.from = from;
        message.to.push_back({m.to, m.name});
        message.subject = rendered.subject;
        message.text = rendered.text;
        mailer->send(message);
      },
      set_password,
      // Every browser session of the ID ends, and the refresh tokens bound to them.
      [&session_store, &sessions, refresh](const std::string& key) {
        if (refresh)
          for (const auto& sid : session_store.sids_of(key)) refresh->revoke_session(sid);
        sessions.end_all(key);
      }};
  recovery::ResetSettings settings;
  settings.issuer = c.issuer();
  settings.validity = std::chrono::hours(c.password_reset.validity_hours);
  settings.id_interval = std::chrono::minutes(c.password_reset.id_interval_minutes);
  settings.per_address_per_hour = static_cast<int>(c.password_reset.per_address_per_hour);
  reset_ = std::make_unique<recovery::PasswordReset>(std::move(settings), d.clock, d.random,
                                                     reset_tokens_, regulation_store_,
                                                     std::move(ports_of_reset));
  reset_pool_ = std::make_unique<http::asio::thread_pool>(1);
  ports.reset = reset_.get();
  auto* pool = reset_pool_.get();
  ports.run_later = [pool](std::function<void()> job) { http::asio::post(*pool, std::move(job)); };
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
      pages_(d.config.login.templates_dir.empty() ? std::filesystem::path()
                                                  : d.config.resolve(d.config.login.templates_dir)),
      reset_tokens_(d.db) {
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
    make_mail(c, d);
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
  make_password_reset(d, ports);
  if (c.password.policy != sources::database::kDefaultPolicy || c.password.history != 5)
    settings.password_rules_key = "password_rules_custom";
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
