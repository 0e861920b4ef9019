// [mail] (R-F5), [email_code] (R-F2) and [totp] (R-F3): parsing, validation with messages
// that name the setting, and the commented block `twofold setup` writes.
#include <cstdio>
#include <sstream>

#include "config/table_reader.hpp"

namespace twofold::config::detail {
namespace {

void validate_factors(const Config& c) {
  require(c.mail.security == "starttls" || c.mail.security == "tls" || c.mail.security == "none",
          "setting [mail] security must be starttls, tls or none");
  require(c.mail.host.find_first_of(" /:@?#") == std::string::npos,
          "setting [mail] host must be a host name or IPv4 address");
  require(c.mail.port != 0, "setting [mail] port must not be 0");
  require(c.mail.password.empty() || c.mail.password_file.empty(),
          "settings [mail] password and password_file: set only one");
  require(c.mail.from.find('@') != std::string::npos &&
              c.mail.from.find_first_of(" <>\r\n\t") == std::string::npos,
          "setting [mail] from must be a plain address like twofold@example.com");
  require(c.mail.timeout_seconds >= 1 && c.mail.timeout_seconds <= 300,
          "setting [mail] timeout_seconds must be 1..300");
  require(c.email_code.scope == "all" || c.email_code.scope == "admins",
          "setting [email_code] scope must be \"all\" or \"admins\"");
  require(c.email_code.length >= 4 && c.email_code.length <= 10,
          "setting [email_code] length must be 4..10");
  require(c.email_code.validity_minutes >= 1 && c.email_code.validity_minutes <= 1440,
          "setting [email_code] validity_minutes must be 1..1440");
  require(c.email_code.max_attempts >= 1 && c.email_code.max_attempts <= 20,
          "setting [email_code] max_attempts must be 1..20");
  require(c.email_code.resend_seconds <= 3600,
          "setting [email_code] resend_seconds must be 0..3600");
  require(c.email_code.remember_browser_days >= 1 && c.email_code.remember_browser_days <= 365,
          "setting [email_code] remember_browser_days must be 1..365");
  require(!c.email_code.remember_browser_key_file.empty(),
          "setting [email_code] remember_browser_key_file must not be empty");
  require(!c.totp.issuer.empty() && c.totp.issuer.size() <= 64 &&
              c.totp.issuer.find(':') == std::string::npos,
          "setting [totp] issuer must be 1..64 characters without ':'");
  require(c.totp.digits == 6 || c.totp.digits == 8, "setting [totp] digits must be 6 or 8");
  require(c.totp.period_seconds == 30 || c.totp.period_seconds == 60,
          "setting [totp] period_seconds must be 30 or 60");
  require(c.totp.window <= 2, "setting [totp] window must be 0..2");
  require(!c.totp.secret_key_file.empty(), "setting [totp] secret_key_file must not be empty");
}

}  // namespace

void parse_factors(const toml::table& root, Config& c) {
  TableReader ml(root["mail"].as_table(), "mail");
  ml.read("host", c.mail.host);
  ml.read("port", c.mail.port);
  ml.read("security", c.mail.security);
  ml.read("user", c.mail.user);
  ml.read("password", c.mail.password);
  ml.read("password_file", c.mail.password_file);
  ml.read("from", c.mail.from);
  ml.read("from_name", c.mail.from_name);
  ml.read("ca_file", c.mail.ca_file);
  ml.read("timeout_seconds", c.mail.timeout_seconds);
  ml.read("templates_dir", c.mail.templates_dir);
  ml.finish();

  TableReader ec(root["email_code"].as_table(), "email_code");
  ec.read("enabled", c.email_code.enabled);
  ec.read("scope", c.email_code.scope);
  ec.read("skip_users", c.email_code.skip_users);
  ec.read("length", c.email_code.length);
  ec.read("validity_minutes", c.email_code.validity_minutes);
  ec.read("max_attempts", c.email_code.max_attempts);
  ec.read("resend_seconds", c.email_code.resend_seconds);
  ec.read("remember_browser", c.email_code.remember_browser);
  ec.read("remember_browser_days", c.email_code.remember_browser_days);
  ec.read("remember_browser_key_file", c.email_code.remember_browser_key_file);
  ec.finish();

  TableReader tp(root["totp"].as_table(), "totp");
  tp.read("enabled", c.totp.enabled);
  tp.read("issuer", c.totp.issuer);
  tp.read("digits", c.totp.digits);
  tp.read("period_seconds", c.totp.period_seconds);
  tp.read("window", c.totp.window);
  tp.read("secret_key_file", c.totp.secret_key_file);
  tp.finish();

  validate_factors(c);
}

std::string render_factors(const Config& c) {
  std::ostringstream o;
  std::string skip;
  for (const auto& u : c.email_code.skip_users) skip += (skip.empty() ? "" : ", ") + quoted(u);
  o << "\n[mail]\n"
    << "# SMTP server for the email code; empty host: no mail (the email code is not offered).\n"
    << "host = " << quoted(c.mail.host) << "\n"
    << "port = " << c.mail.port << "\n"
    << "# starttls (required) | tls (SMTPS from the first byte) | none (loopback servers only)\n"
    << "security = " << quoted(c.mail.security) << "\n"
    << "# SMTP AUTH user; empty: no AUTH. The password inline or in a file (not both).\n"
    << "user = " << quoted(c.mail.user) << "\n"
    << "password = " << quoted(c.mail.password) << "\n"
    << "password_file = " << quoted(c.mail.password_file) << "\n"
    << "from = " << quoted(c.mail.from) << "\n"
    << "from_name = " << quoted(c.mail.from_name) << "\n"
    << "# PEM bundle to trust for the SMTP server instead of the system's; empty: system.\n"
    << "ca_file = " << quoted(c.mail.ca_file) << "\n"
    << "timeout_seconds = " << c.mail.timeout_seconds << "\n"
    << "# Folder with <name>.<lang>.txt mail templates; empty: the built-in ones.\n"
    << "templates_dir = " << quoted(c.mail.templates_dir) << "\n\n"
    << "[email_code]\n"
    << "# The one-time code by email (seed 003); needs [mail] host and an email in the profile.\n"
    << "enabled = " << boolean(c.email_code.enabled) << "\n"
    << "# all | admins: who must use a second factor; others may sign in with the password.\n"
    << "scope = " << quoted(c.email_code.scope) << "\n"
    << "# IDs that skip the email code (and sign in with the password if they have no other "
       "factor).\n"
    << "skip_users = [" << skip << "]\n"
    << "length = " << c.email_code.length << "\n"
    << "validity_minutes = " << c.email_code.validity_minutes << "\n"
    << "max_attempts = " << c.email_code.max_attempts << "\n"
    << "# A new code can be requested this many seconds after the last one.\n"
    << "resend_seconds = " << c.email_code.resend_seconds << "\n"
    << "# \"Remember this browser\": skips the email code for this many days.\n"
    << "remember_browser = " << boolean(c.email_code.remember_browser) << "\n"
    << "remember_browser_days = " << c.email_code.remember_browser_days << "\n"
    << "# 32-byte key of the remember cookie; created on first start when missing.\n"
    << "remember_browser_key_file = " << quoted(c.email_code.remember_browser_key_file) << "\n\n"
    << "[totp]\n"
    << "# Authenticator apps (RFC 6238), set up by each user on /account.\n"
    << "enabled = " << boolean(c.totp.enabled) << "\n"
    << "issuer = " << quoted(c.totp.issuer) << "\n"
    << "digits = " << c.totp.digits << "\n"
    << "period_seconds = " << c.totp.period_seconds << "\n"
    << "window = " << c.totp.window << "\n"
    << "# 32-byte key sealing TOTP secrets at rest; created on first start when missing.\n"
    << "secret_key_file = " << quoted(c.totp.secret_key_file) << "\n";
  return o.str();
}

}  // namespace twofold::config::detail
