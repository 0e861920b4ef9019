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
#include "crypto/secret_box.hpp"
#include "device/device.hpp"
#include "factors/email_code/email_code.hpp"
#include "factors/email_code/policy.hpp"
#include "factors/email_code/remember_browser.hpp"
#include "factors/totp/totp.hpp"
#include "identity/identity.hpp"
#include "login/account.hpp"
#include "login/flow.hpp"
#include "login_routes.hpp"
#include "mail/smtp.hpp"
#include "mail/templates.hpp"
#include "oidc/clients.hpp"
#include "sources/configured/configured.hpp"
#include "sources/database/database_source.hpp"
#include "storage/browser_session_store.hpp"
#include "storage/factor_store.hpp"
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
// [mail] as libcurl's SMTP settings; reads password_file. Throws ConfigError.
mail::SmtpConfig smtp_config(const config::Config& config);
factors::totp::Options totp_options(const config::Config& config);
factors::email_code::Options email_code_options(const config::Config& config);

// Who gets the email code and who may sign in with the password alone (docs/config.md,
// [email_code]): the email code is offered to IDs with an email address in their profile
// for whom the policy requires a second factor; the others (outside the scope, on the skip
// list) sign in with the password when they have no other factor.
class EmailCodeRules {
 public:
  EmailCodeRules(bool available, factors::email_code::Policy policy,
                 identity::Directory& identities, identity::ProfileStore& profiles)
      : available_(available),
        policy_(std::move(policy)),
        identities_(identities),
        profiles_(profiles) {}
  bool required(const std::string& identity_key);
  // The address to mail the code to, when the email code is offered to this ID.
  std::optional<identity::Profile> recipient(const std::string& identity_key);

 private:
  bool available_;
  factors::email_code::Policy policy_;
  identity::Directory& identities_;
  identity::ProfileStore& profiles_;
};

class LoginServer {
 public:
  explicit LoginServer(const LoginDeps& deps);
  LoginRoutes& routes() { return *routes_; }
  login::Sessions& sessions() { return sessions_; }
  storage::RegulationStore& regulation_events() { return regulation_store_; }

 private:
  login::EmailSend send_email_code(const std::string& identity_key, login::Language language);

  storage::PasswordStore password_store_;
  storage::LdapLinkStore ldap_links_;
  storage::ProfileStore profiles_;
  sources::ConfiguredSources sources_;  // [sources] order: database, LDAP (R-C1…R-C3, R-C6)
  storage::BrowserSessionStore session_store_;
  storage::TotpSecretStore totp_store_;
  storage::EmailCodeStore email_code_store_;
  login::Sessions sessions_;
  storage::RegulationStore regulation_store_;
  regulation::Throttle throttle_;
  regulation::SessionRate session_rate_;
  login::Transactions transactions_;
  login::Pages pages_;
  std::unique_ptr<UpstreamWiring> upstream_;  // [upstream] (R-C4); null when off
  std::unique_ptr<crypto::SecretBox> secret_box_;
  std::unique_ptr<factors::totp::TotpFactor> totp_;
  std::unique_ptr<mail::SmtpMailer> mailer_;
  std::unique_ptr<mail::Templates> mail_templates_;
  std::unique_ptr<factors::email_code::EmailCodeFactor> email_code_;
  std::unique_ptr<factors::email_code::RememberBrowser> remember_;
  std::unique_ptr<factors::email_code::RememberBrowser> device_cookies_;  // R-P5 known browsers
  std::unique_ptr<EmailCodeRules> email_rules_;
  std::unique_ptr<login::LoginFlow> flow_;
  std::unique_ptr<login::AccountPage> account_;
  std::unique_ptr<LoginRoutes> routes_;
};

}  // namespace twofold::app
