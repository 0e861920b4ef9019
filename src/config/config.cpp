#include "config/config.hpp"
#include "config/table_reader.hpp"

#include <cstdio>

#include <toml++/toml.h>
#include <fstream>
#include <set>
#include <sstream>

namespace twofold::config {
namespace {

using detail::boolean;
using detail::parse_factors;
using detail::parse_sources;
using detail::quoted;
using detail::render_factors;
using detail::render_sources;
using detail::require;
using detail::TableReader;

void validate(const Config& c) {
  require(!c.server.host_names.empty(), "setting [server] host_names must name at least one host");
  require(c.server.https_port != 0, "setting [server] https_port must not be 0");
  require(c.server.https_port != c.server.http_port,
          "settings [server] https_port and http_port must differ");
  require(c.server.threads >= 1 && c.server.threads <= 64,
          "setting [server] threads must be 1..64");
  require(c.server.max_body_bytes >= 1024 && c.server.max_body_bytes <= (1u << 20),
          "setting [server] max_body_bytes must be 1024..1048576");
  require(c.server.request_timeout_seconds >= 1, "setting [server] request_timeout_seconds >= 1");
  require(c.server.idle_timeout_seconds >= 1, "setting [server] idle_timeout_seconds >= 1");
  require(c.storage.driver == "sqlite", "setting [storage] driver must be \"sqlite\"");
  require(c.storage.synchronous == "normal" || c.storage.synchronous == "full",
          "setting [storage] synchronous must be \"normal\" or \"full\"");
  require(c.oidc.issuer.empty() ||
              (c.oidc.issuer.rfind("https://", 0) == 0 && c.oidc.issuer.back() != '/' &&
               c.oidc.issuer.find_first_of("?#") == std::string::npos),
          "setting [oidc] issuer must be an https URL without a trailing slash, query or fragment");
  require(c.oidc.access_token_seconds >= 30 && c.oidc.access_token_seconds <= 86400,
          "setting [oidc] access_token_seconds must be 30..86400");
  require(c.oidc.key_publish_after_retirement_seconds >= c.oidc.access_token_seconds,
          "setting [oidc] key_publish_after_retirement_seconds must be >= access_token_seconds");
  require(c.oidc.id_token_seconds >= 30 && c.oidc.id_token_seconds <= 86400,
          "setting [oidc] id_token_seconds must be 30..86400");
  require(c.oidc.refresh_token_hours >= 1 && c.oidc.refresh_token_hours <= 8760,
          "setting [oidc] refresh_token_hours must be 1..8760");
  require(c.oidc.offline_token_days >= 1 && c.oidc.offline_token_days <= 3650,
          "setting [oidc] offline_token_days must be 1..3650");
  require(c.password.argon2_opslimit >= 1 && c.password.argon2_opslimit <= 20,
          "setting [password] argon2_opslimit must be 1..20");
  require(c.password.argon2_memlimit_kib >= 8 && c.password.argon2_memlimit_kib <= 4194304,
          "setting [password] argon2_memlimit_kib must be 8..4194304");
  require(!c.password.policy.empty(), "setting [password] policy must not be empty");
  require(c.password.history <= 50, "setting [password] history must be 0..50");
  require(c.login.session_idle_hours >= 1 && c.login.session_idle_hours <= 8760,
          "setting [login] session_idle_hours must be 1..8760");
  require(
      c.login.session_max_hours >= c.login.session_idle_hours && c.login.session_max_hours <= 87600,
      "setting [login] session_max_hours must be session_idle_hours..87600");
  require(c.login.stay_signed_in_hours <= 87600,
          "setting [login] stay_signed_in_hours must be 0..87600");
  require(c.login.stay_signed_in_rotate_minutes >= 1,
          "setting [login] stay_signed_in_rotate_minutes must be >= 1");
  require(c.login.transaction_minutes >= 1 && c.login.transaction_minutes <= 60,
          "setting [login] transaction_minutes must be 1..60");
  require(c.login.max_failures >= 1 && c.login.max_failures <= 100,
          "setting [login] max_failures must be 1..100");
  require(!c.login.factors.empty(), "setting [login] factors must name at least one factor");
  for (const auto& f : c.login.factors)
    require(f == "push" || f == "totp" || f == "email_code",
            "setting [login] factors: unknown factor \"" + f + "\" (push, totp, email_code)");
  const auto& r = c.regulation;
  require(r.sessions_per_user_per_minute <= 10000,
          "setting [regulation] sessions_per_user_per_minute must be 0..10000");
  require(r.validity_check_minutes >= 1 && r.validity_check_minutes <= 1440,
          "setting [regulation] validity_check_minutes must be 1..1440");
  require(r.failure_window_minutes >= 1 && r.failure_window_minutes <= 1440,
          "setting [regulation] failure_window_minutes must be 1..1440");
  require(r.user_free_failures >= 1 && r.user_free_failures <= 1000,
          "setting [regulation] user_free_failures must be 1..1000");
  require(r.address_free_failures >= 1 && r.address_free_failures <= 100000,
          "setting [regulation] address_free_failures must be 1..100000");
  // A cap keeps every hold temporary: an attacker can slow a victim down, never lock them out.
  require(r.user_max_delay_seconds >= 1 && r.user_max_delay_seconds <= 3600,
          "setting [regulation] user_max_delay_seconds must be 1..3600");
  require(r.address_max_delay_seconds >= 1 && r.address_max_delay_seconds <= 86400,
          "setting [regulation] address_max_delay_seconds must be 1..86400");
  require(c.authsession.timeout_seconds >= 5 && c.authsession.timeout_seconds <= 3600,
          "setting [authsession] timeout_seconds must be 5..3600");
  require(c.device.long_poll_max_seconds >= 1 && c.device.long_poll_max_seconds <= 300,
          "setting [device] long_poll_max_seconds must be 1..300");
  require(c.log.level == "events" || c.log.level == "usage" || c.log.level == "verbose",
          "setting [log] level must be events, usage or verbose");
}

}  // namespace

std::filesystem::path Config::resolve(const std::string& p) const {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : base_dir / path;
}

std::string Config::https_url() const {
  std::string url = "https://" + server.host_names.front();
  if (server.https_port != 443) url += ":" + std::to_string(server.https_port);
  return url + "/";
}

std::string Config::issuer() const {
  if (!oidc.issuer.empty()) return oidc.issuer;
  auto url = https_url();
  url.pop_back();
  return url;
}

Config parse(std::string_view text, const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "invalid TOML at line " << e.source().begin.line << ": " << e.description();
    throw ConfigError(msg.str());
  }
  Config c;
  c.base_dir = base_dir;
  static const std::set<std::string> sections{
      "server",     "storage",  "authsession", "device", "log",  "service",    "oidc", "login",
      "regulation", "password", "sources",     "ldap",   "mail", "email_code", "totp", "upstream"};
  for (const auto& [k, v] : root) {
    if (!sections.count(std::string(k.str())))
      throw ConfigError("unknown section [" + std::string(k.str()) + "]");
    if (!v.is_table()) throw ConfigError("[" + std::string(k.str()) + "] must be a table");
  }

  TableReader s(root["server"].as_table(), "server");
  s.read("host_names", c.server.host_names);
  s.read("listen_address", c.server.listen_address);
  s.read("https_port", c.server.https_port);
  s.read("http_port", c.server.http_port);
  s.read("tls_certificate", c.server.tls_certificate);
  s.read("tls_private_key", c.server.tls_private_key);
  s.read("threads", c.server.threads);
  s.read("max_body_bytes", c.server.max_body_bytes);
  s.read("request_timeout_seconds", c.server.request_timeout_seconds);
  s.read("idle_timeout_seconds", c.server.idle_timeout_seconds);
  s.read("max_connections", c.server.max_connections);
  s.finish();

  TableReader st(root["storage"].as_table(), "storage");
  st.read("driver", c.storage.driver);
  st.read("path", c.storage.path);
  st.read("synchronous", c.storage.synchronous);
  st.read("busy_timeout_ms", c.storage.busy_timeout_ms);
  st.finish();

  TableReader a(root["authsession"].as_table(), "authsession");
  a.read("timeout_seconds", c.authsession.timeout_seconds);
  a.read("retention_seconds", c.authsession.retention_seconds);
  a.read("suspension_window_seconds", c.authsession.suspension_window_seconds);
  a.read("priority_code_seconds", c.authsession.priority_code_seconds);
  a.finish();

  TableReader d(root["device"].as_table(), "device");
  d.read("long_poll_max_seconds", c.device.long_poll_max_seconds);
  d.read("lock_on_not_me", c.device.lock_on_not_me);
  d.read("activation_code_hours", c.device.activation_code_hours);
  d.finish();

  TableReader l(root["log"].as_table(), "log");
  l.read("level", c.log.level);
  l.read("file", c.log.file);
  l.finish();

  TableReader sv(root["service"].as_table(), "service");
  sv.read("require_api_key", c.service.require_api_key);
  sv.finish();

  TableReader oi(root["oidc"].as_table(), "oidc");
  oi.read("issuer", c.oidc.issuer);
  oi.read("access_token_seconds", c.oidc.access_token_seconds);
  oi.read("key_publish_after_retirement_seconds", c.oidc.key_publish_after_retirement_seconds);
  oi.read("id_token_seconds", c.oidc.id_token_seconds);
  oi.read("refresh_token_hours", c.oidc.refresh_token_hours);
  oi.read("offline_token_days", c.oidc.offline_token_days);
  oi.finish();

  TableReader pw(root["password"].as_table(), "password");
  pw.read("argon2_opslimit", c.password.argon2_opslimit);
  pw.read("argon2_memlimit_kib", c.password.argon2_memlimit_kib);
  pw.read("policy", c.password.policy);
  pw.read("max_age_days", c.password.max_age_days);
  pw.read("history", c.password.history);
  pw.read("case_sensitive", c.password.case_sensitive);
  pw.read("force_lower_case", c.password.force_lower_case);
  pw.finish();

  TableReader lg(root["login"].as_table(), "login");
  lg.read("session_idle_hours", c.login.session_idle_hours);
  lg.read("session_max_hours", c.login.session_max_hours);
  lg.read("stay_signed_in_hours", c.login.stay_signed_in_hours);
  lg.read("stay_signed_in_rotate_minutes", c.login.stay_signed_in_rotate_minutes);
  lg.read("transaction_minutes", c.login.transaction_minutes);
  lg.read("max_failures", c.login.max_failures);
  lg.read("factors", c.login.factors);
  lg.read("templates_dir", c.login.templates_dir);
  lg.finish();

  TableReader rg(root["regulation"].as_table(), "regulation");
  rg.read("sessions_per_user_per_minute", c.regulation.sessions_per_user_per_minute);
  rg.read("validity_check_minutes", c.regulation.validity_check_minutes);
  rg.read("failure_window_minutes", c.regulation.failure_window_minutes);
  rg.read("user_free_failures", c.regulation.user_free_failures);
  rg.read("user_max_delay_seconds", c.regulation.user_max_delay_seconds);
  rg.read("address_free_failures", c.regulation.address_free_failures);
  rg.read("address_max_delay_seconds", c.regulation.address_max_delay_seconds);
  rg.finish();

  parse_sources(root, c);  // [sources] and [ldap] (sources_config.cpp)
  detail::parse_upstream(root, c);  // [upstream] (upstream_config.cpp)
  parse_factors(root, c);  // [mail], [email_code], [totp] (factors_config.cpp)
  validate(c);
  return c;
}

Config load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read configuration file " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto dir = std::filesystem::absolute(path).parent_path();
  try {
    return parse(buffer.str(), dir);
  } catch (const ConfigError& e) {
    throw ConfigError(path.string() + ": " + e.what());
  }
}

std::string render(const Config& c) {
  std::ostringstream o;
  std::string hosts;
  for (const auto& h : c.server.host_names) hosts += (hosts.empty() ? "" : ", ") + quoted(h);
  o << "# twofold configuration. Every key is shown with its value; the defaults are\n"
       "# documented in docs/config.md. Relative paths are relative to this file.\n\n"
       "[server]\n"
       "# Host names (and IP addresses) clients use; all of them are in the TLS certificate.\n"
    << "host_names = [" << hosts << "]\n"
    << "listen_address = " << quoted(c.server.listen_address) << "\n"
    << "https_port = " << c.server.https_port << "\n"
    << "# Plain-HTTP listener for use behind a TLS-terminating reverse proxy; 0 = off.\n"
    << "http_port = " << c.server.http_port << "\n"
    << "tls_certificate = " << quoted(c.server.tls_certificate) << "\n"
    << "tls_private_key = " << quoted(c.server.tls_private_key) << "\n"
    << "threads = " << c.server.threads << "\n"
    << "# Largest request body accepted (the service API needs far less).\n"
    << "max_body_bytes = " << c.server.max_body_bytes << "\n"
    << "# A request must arrive completely within this time (slow-client defence).\n"
    << "request_timeout_seconds = " << c.server.request_timeout_seconds << "\n"
    << "idle_timeout_seconds = " << c.server.idle_timeout_seconds << "\n"
    << "max_connections = " << c.server.max_connections << "\n\n"
    << "[storage]\n"
    << "driver = " << quoted(c.storage.driver) << "\n"
    << "path = " << quoted(c.storage.path) << "\n"
    << "# \"normal\": durable across process crashes (WAL); \"full\": also across power loss.\n"
    << "synchronous = " << quoted(c.storage.synchronous) << "\n"
    << "busy_timeout_ms = " << c.storage.busy_timeout_ms << "\n\n"
    << "[authsession]\n"
    << "# A pending auth session expires after this many seconds (seed: 2 minutes).\n"
    << "timeout_seconds = " << c.authsession.timeout_seconds << "\n"
    << "# Finished sessions stay queryable by the service this long.\n"
    << "retention_seconds = " << c.authsession.retention_seconds << "\n"
    << "# A second suspension within this window makes the ID require a priority code.\n"
    << "suspension_window_seconds = " << c.authsession.suspension_window_seconds << "\n"
    << "priority_code_seconds = " << c.authsession.priority_code_seconds << "\n\n"
    << "[device]\n"
    << "long_poll_max_seconds = " << c.device.long_poll_max_seconds << "\n"
    << "# A signed \"this was not me\" denial locks the ID until the user unlocks it.\n"
    << "lock_on_not_me = " << boolean(c.device.lock_on_not_me) << "\n"
    << "activation_code_hours = " << c.device.activation_code_hours << "\n\n"
    << "[log]\n"
    << "# events | usage | verbose\n"
    << "level = " << quoted(c.log.level) << "\n"
    << "# Empty: standard error.\n"
    << "file = " << quoted(c.log.file) << "\n\n"
    << "[service]\n"
    << "# Require services to authenticate (off for compatibility with existing clients).\n"
    << "require_api_key = " << boolean(c.service.require_api_key) << "\n\n"
    << "[oidc]\n"
    << "# The issuer URL in tokens and discovery; empty: https://<first host name>:<port>.\n"
    << "issuer = " << quoted(c.oidc.issuer) << "\n"
    << "access_token_seconds = " << c.oidc.access_token_seconds << "\n"
    << "# A rotated-out signing key stays published this long (outlives its tokens).\n"
    << "key_publish_after_retirement_seconds = " << c.oidc.key_publish_after_retirement_seconds
    << "\n"
    << "id_token_seconds = " << c.oidc.id_token_seconds << "\n"
    << "# Refresh tokens end this many hours after the login; with the scope offline_access\n"
    << "# they last this many days unused instead.\n"
    << "refresh_token_hours = " << c.oidc.refresh_token_hours << "\n"
    << "offline_token_days = " << c.oidc.offline_token_days << "\n\n"
    << "[password]\n"
    << "# Argon2id cost of stored passwords; hashes are upgraded at the next login when raised.\n"
    << "argon2_opslimit = " << c.password.argon2_opslimit << "\n"
    << "argon2_memlimit_kib = " << c.password.argon2_memlimit_kib << "\n"
    << "# PCRE2 pattern every new password must match (seed default: digit, upper, lower, 7+).\n"
    << "policy = " << quoted(c.password.policy) << "\n"
    << "# Days until a password must be changed at the next login (0: never).\n"
    << "max_age_days = " << c.password.max_age_days << "\n"
    << "# How many recent passwords cannot be set again.\n"
    << "history = " << c.password.history << "\n"
    << "case_sensitive = " << boolean(c.password.case_sensitive) << "\n"
    << "force_lower_case = " << boolean(c.password.force_lower_case) << "\n";
  std::string factors;
  for (const auto& f : c.login.factors) factors += (factors.empty() ? "" : ", ") + quoted(f);
  o << "\n[login]\n"
    << "# Unused browser sessions end after this many hours (seed: 24).\n"
    << "session_idle_hours = " << c.login.session_idle_hours << "\n"
    << "# Every session ends this long after its sign-in.\n"
    << "session_max_hours = " << c.login.session_max_hours << "\n"
    << "# \"Stay signed in\": how long such a session lasts; 0 hides the checkbox.\n"
    << "stay_signed_in_hours = " << c.login.stay_signed_in_hours << "\n"
    << "# Its cookie secret is replaced this often; a replaced one ends the session.\n"
    << "stay_signed_in_rotate_minutes = " << c.login.stay_signed_in_rotate_minutes << "\n"
    << "# A sign-in must be completed within this many minutes.\n"
    << "transaction_minutes = " << c.login.transaction_minutes << "\n"
    << "# Wrong passwords or codes before a sign-in attempt is void.\n"
    << "max_failures = " << c.login.max_failures << "\n"
    << "# Second factors offered, in this order, among those the user has set up.\n"
    << "factors = [" << factors << "]\n"
    << "# Folder with the login page templates; empty: the built-in ones.\n"
    << "templates_dir = " << quoted(c.login.templates_dir) << "\n";
  const auto& r = c.regulation;
  o << "\n[regulation]\n"
    << "# New sign-ins per user and minute (seed: 10); 0: no limit.\n"
    << "sessions_per_user_per_minute = " << r.sessions_per_user_per_minute << "\n"
    << "# A signed-in user is checked again (locked, disabled, deleted) after this many minutes.\n"
    << "validity_check_minutes = " << r.validity_check_minutes << "\n"
    << "# Failed passwords and codes: free tries, then a doubling wait up to the cap.\n"
    << "failure_window_minutes = " << r.failure_window_minutes << "\n"
    << "user_free_failures = " << r.user_free_failures << "\n"
    << "user_max_delay_seconds = " << r.user_max_delay_seconds << "\n"
    << "address_free_failures = " << r.address_free_failures << "\n"
    << "address_max_delay_seconds = " << r.address_max_delay_seconds << "\n";
  o << render_sources(c);
  o << detail::render_upstream(c);
  o << render_factors(c);
  return o.str();
}

namespace detail {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      out += buf;
    } else {
      out.push_back(ch);
    }
  }
  return out + "\"";
}

std::string boolean(bool v) {
  return v ? "true" : "false";
}

}  // namespace detail
}  // namespace twofold::config
