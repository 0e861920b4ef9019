#pragma once
// The one TOML configuration file (docs/config.md). Every field has the documented
// default, so an empty file is a valid configuration.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace twofold::config {

struct Server {
  std::vector<std::string> host_names{"localhost"};  // TLS subjectAltNames, URLs
  std::string listen_address{"127.0.0.1"};
  std::uint16_t https_port{8443};
  std::uint16_t http_port{0};  // 0 = no plain-HTTP listener (use behind a reverse proxy)
  std::string tls_certificate{"tls/server.crt"};
  std::string tls_private_key{"tls/server.key"};
  unsigned threads{2};
  std::size_t max_body_bytes{16384};
  unsigned request_timeout_seconds{10};  // whole request must arrive within (slowloris)
  unsigned idle_timeout_seconds{60};     // keep-alive connection idle limit
  unsigned max_connections{10000};
};

struct Storage {
  std::string driver{"sqlite"};
  std::string path{"twofold.db"};
  std::string synchronous{"normal"};  // "normal" | "full"
  unsigned busy_timeout_ms{5000};
};

struct AuthSession {
  unsigned timeout_seconds{120};            // R-S5: pending sessions expire after 2 minutes
  unsigned retention_seconds{600};          // finished sessions stay queryable this long
  unsigned suspension_window_seconds{600};  // a second suspension within it → priority code
  unsigned priority_code_seconds{300};
};

struct Device {
  unsigned long_poll_max_seconds{60};
  bool lock_on_not_me{true};  // R-D2a
  unsigned activation_code_hours{24};
};

struct Log {
  std::string level{"events"};  // events | usage | verbose
  std::string file{};           // empty: standard error
};

struct Service {
  bool require_api_key{false};  // R-S8, off for compatibility
};

struct Oidc {
  std::string issuer{};  // empty: https://<first host name>[:<https_port>]
  unsigned access_token_seconds{300};
  // A rotated-out signing key stays in the JWKS this long (longer than any token it signed).
  unsigned key_publish_after_retirement_seconds{86400};
  unsigned id_token_seconds{3600};
  // Refresh tokens without offline_access end this long after the login; with it they
  // expire after this many days unused (src/oidc/refresh_tokens.hpp).
  unsigned refresh_token_hours{24};
  unsigned offline_token_days{30};
};

// The database credential source (R-C1, seed 003 defaults).
struct Password {
  unsigned argon2_opslimit{2};  // libsodium INTERACTIVE
  unsigned argon2_memlimit_kib{65536};
  std::string policy{"^(?=.*[0-9])(?=.*[A-Z])(?=.*[a-z]).{7,}$"};  // PCRE2
  unsigned max_age_days{5500};                                     // 0: never expire
  unsigned history{5};
  bool case_sensitive{true};
  bool force_lower_case{false};
};

// The browser login of the OpenID Connect provider (R-O6, R-P3, R-P4).
struct Login {
  unsigned session_idle_hours{24};             // R-P3: unused browser sessions end after this
  unsigned session_max_hours{720};             // any session ends this long after sign-in
  unsigned stay_signed_in_hours{720};          // R-P4: "stay signed in" period; 0: not offered
  unsigned stay_signed_in_rotate_minutes{60};  // its cookie secret rotates this often
  unsigned transaction_minutes{10};            // a login must be completed within this
  unsigned max_failures{5};                    // wrong passwords or codes per login attempt
  // Second factors offered, in this order, among those the user has set up.
  std::vector<std::string> factors{"push", "totp", "email_code"};
  std::string templates_dir{};  // empty: the built-in pages (web/templates/login)
};

// Login regulation (R-P1, R-P2, R-P5; seed 002 defaults).
struct Regulation {
  unsigned sessions_per_user_per_minute{10};  // R-P1 (SessionsPerUserAndMinute); 0: no limit
  unsigned validity_check_minutes{20};        // R-P2: re-check a signed-in user after this
  unsigned failure_window_minutes{15};        // failed tries older than this are forgotten
  unsigned user_free_failures{5};             // per user (or known browser) before back-off
  unsigned user_max_delay_seconds{300};       // the back-off's cap per user
  unsigned address_free_failures{20};         // per source address before back-off
  unsigned address_max_delay_seconds{900};
};

// The credential sources and their order (R-C3): "database", "ldap", "ldap,database" or
// "database,ldap". The admin flag's IDs always keep the database (R-C6).
struct Sources {
  std::string order{"database"};
};

// The LDAP / Active Directory source (R-C2); used when [sources] order names "ldap".
struct Ldap {
  std::vector<std::string> servers;  // ldap:// or ldaps:// URIs, tried in this order
  bool starttls{false};              // StartTLS on ldap:// URIs
  std::string ca_file{};             // PEM; empty: the system trust store
  bool tls_verify{true};
  unsigned network_timeout_seconds{5};    // connecting to one server
  unsigned operation_timeout_seconds{5};  // each bind or search
  std::string user_dn_template{};         // direct bind, e.g. "uid={user},ou=people,dc=x"
  std::string bind_dn{};                  // service account for search-then-bind
  std::string bind_password_file{};       // its password (first line)
  std::string user_search_base{};
  std::string user_search_filter{"(uid={user})"};
  std::string user_search_scope{"sub"};  // base | one | sub
  std::string email_attribute{"mail"};
  std::string name_attribute{"displayName"};
  std::string group_search_base{};  // empty: no group search
  std::string group_search_filter{"(member={dn})"};
  std::string group_name_attribute{"cn"};
  std::string member_of_attribute{};  // e.g. "memberOf"
  // [ldap.group_roles]: group DN or name → twofold roles.
  std::vector<std::pair<std::string, std::vector<std::string>>> group_roles;
  bool sync_profile{true};
  bool email_verified{false};
};

// Signing in through an upstream OpenID provider (R-C4, seed 002); off unless enabled.
struct Upstream {
  bool enabled{false};
  std::string display_name{"SSO"};  // the button: "Sign in with <display_name>"
  std::string issuer{};             // exact; discovery at <issuer>/.well-known/openid-configuration
  std::string client_id{};
  std::string client_secret_file{};                      // first line is the secret
  std::string token_auth_method{"client_secret_basic"};  // or client_secret_post
  std::vector<std::string> scopes{"openid", "profile", "email"};
  std::string claim{"preferred_username"};  // the claim that names the local ID
  std::string regex{"^(.+)$"};   // PCRE2; its first group (or the whole match) is the local ID
  std::string required_claim{};  // optional: this claim must equal / contain required_value
  std::string required_value{};
  bool create_users{false};        // create unknown local users on first sign-in
  std::string certificate_file{};  // PEM certificate or public key instead of the JWKS
  std::vector<std::string> algs{"RS256", "ES256"};
  unsigned timeout_seconds{5};  // each HTTP call to the provider
  unsigned leeway_seconds{60};  // clock skew allowed for exp/iat/nbf
  unsigned metadata_cache_seconds{3600};
  unsigned jwks_cache_seconds{300};
};

// Outgoing mail over SMTP (R-F5): the email code's delivery path. No host: no mail, and the
// email code is not offered.
struct Mail {
  std::string host{};
  std::uint16_t port{587};
  std::string security{"starttls"};  // starttls | tls (smtps) | none (loopback servers only)
  std::string user{};                // empty: no AUTH
  std::string password{};            // or password_file; not both
  std::string password_file{};
  std::string from{"twofold@localhost"};
  std::string from_name{"twofold"};
  std::string ca_file{};  // PEM bundle to trust instead of the system's
  unsigned timeout_seconds{20};
  std::string templates_dir{};  // empty: the built-in mail templates (web/templates/mail)
};

// The email one-time code (R-F2, seed 003).
struct EmailCode {
  bool enabled{true};
  std::string scope{"all"};  // all | admins
  std::vector<std::string> skip_users{};
  unsigned length{6};
  unsigned validity_minutes{15};
  unsigned max_attempts{5};
  unsigned resend_seconds{30};
  bool remember_browser{true};
  unsigned remember_browser_days{30};
  std::string remember_browser_key_file{"keys/remember-browser.key"};
};

// TOTP (R-F3) and the key that seals its secrets at rest.
struct Totp {
  bool enabled{true};
  std::string issuer{"twofold"};  // the name authenticator apps show
  unsigned digits{6};             // 6 | 8
  unsigned period_seconds{30};    // 30 | 60
  unsigned window{1};             // steps of clock drift accepted either way, 0..2
  std::string secret_key_file{"keys/secret-box.key"};
};

// Password reset by email link (R-C5); offered only with [mail] host set.
struct PasswordReset {
  bool enabled{true};
  unsigned validity_hours{24};        // a link works this long, once
  unsigned id_interval_minutes{5};    // at most one link per ID this often
  unsigned per_address_per_hour{10};  // requests from one source address
};

struct Config {
  std::filesystem::path base_dir{"."};  // relative paths below resolve against it
  Server server;
  Storage storage;
  AuthSession authsession;
  Device device;
  Log log;
  Service service;
  Oidc oidc;
  Login login;
  Password password;
  Regulation regulation;
  Sources sources;
  Ldap ldap;
  Upstream upstream;
  Mail mail;
  EmailCode email_code;
  Totp totp;
  PasswordReset password_reset;

  std::filesystem::path resolve(const std::string& p) const;
  std::string https_url() const;  // https://<first host name>:<port>/
  std::string issuer() const;     // [oidc] issuer, else https_url() without the slash
};

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `path`; relative paths resolve against its directory. Throws ConfigError with the
// key and reason on unknown keys, wrong types or values out of range.
Config load(const std::filesystem::path& path);
Config parse(std::string_view toml_text, const std::filesystem::path& base_dir);

// The configuration file `twofold setup` writes: every key with its default and comment.
std::string render(const Config& c);

}  // namespace twofold::config
