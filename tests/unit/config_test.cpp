// The TOML configuration (docs/config.md): defaults, strict parsing, validation, render().
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"

using namespace twofold;
using config::ConfigError;

namespace {

// Every field, so a round trip that loses one is noticed.
void expect_same(const config::Config& a, const config::Config& b) {
  EXPECT_EQ(a.server.host_names, b.server.host_names);
  EXPECT_EQ(a.server.listen_address, b.server.listen_address);
  EXPECT_EQ(a.server.https_port, b.server.https_port);
  EXPECT_EQ(a.server.http_port, b.server.http_port);
  EXPECT_EQ(a.server.tls_certificate, b.server.tls_certificate);
  EXPECT_EQ(a.server.tls_private_key, b.server.tls_private_key);
  EXPECT_EQ(a.server.threads, b.server.threads);
  EXPECT_EQ(a.server.max_body_bytes, b.server.max_body_bytes);
  EXPECT_EQ(a.server.request_timeout_seconds, b.server.request_timeout_seconds);
  EXPECT_EQ(a.server.idle_timeout_seconds, b.server.idle_timeout_seconds);
  EXPECT_EQ(a.server.max_connections, b.server.max_connections);
  EXPECT_EQ(a.storage.driver, b.storage.driver);
  EXPECT_EQ(a.storage.path, b.storage.path);
  EXPECT_EQ(a.storage.synchronous, b.storage.synchronous);
  EXPECT_EQ(a.storage.busy_timeout_ms, b.storage.busy_timeout_ms);
  EXPECT_EQ(a.authsession.timeout_seconds, b.authsession.timeout_seconds);
  EXPECT_EQ(a.authsession.retention_seconds, b.authsession.retention_seconds);
  EXPECT_EQ(a.authsession.suspension_window_seconds, b.authsession.suspension_window_seconds);
  EXPECT_EQ(a.authsession.priority_code_seconds, b.authsession.priority_code_seconds);
  EXPECT_EQ(a.device.long_poll_max_seconds, b.device.long_poll_max_seconds);
  EXPECT_EQ(a.device.lock_on_not_me, b.device.lock_on_not_me);
  EXPECT_EQ(a.device.activation_code_hours, b.device.activation_code_hours);
  EXPECT_EQ(a.log.level, b.log.level);
  EXPECT_EQ(a.log.file, b.log.file);
  EXPECT_EQ(a.service.require_api_key, b.service.require_api_key);
  EXPECT_EQ(a.mail.host, b.mail.host);
  EXPECT_EQ(a.mail.port, b.mail.port);
  EXPECT_EQ(a.mail.security, b.mail.security);
  EXPECT_EQ(a.mail.user, b.mail.user);
  EXPECT_EQ(a.mail.password, b.mail.password);
  EXPECT_EQ(a.mail.password_file, b.mail.password_file);
  EXPECT_EQ(a.mail.from, b.mail.from);
  EXPECT_EQ(a.mail.from_name, b.mail.from_name);
  EXPECT_EQ(a.mail.ca_file, b.mail.ca_file);
  EXPECT_EQ(a.mail.timeout_seconds, b.mail.timeout_seconds);
  EXPECT_EQ(a.mail.templates_dir, b.mail.templates_dir);
  EXPECT_EQ(a.email_code.enabled, b.email_code.enabled);
  EXPECT_EQ(a.email_code.scope, b.email_code.scope);
  EXPECT_EQ(a.email_code.skip_users, b.email_code.skip_users);
  EXPECT_EQ(a.email_code.length, b.email_code.length);
  EXPECT_EQ(a.email_code.validity_minutes, b.email_code.validity_minutes);
  EXPECT_EQ(a.email_code.max_attempts, b.email_code.max_attempts);
  EXPECT_EQ(a.email_code.resend_seconds, b.email_code.resend_seconds);
  EXPECT_EQ(a.email_code.remember_browser, b.email_code.remember_browser);
  EXPECT_EQ(a.email_code.remember_browser_days, b.email_code.remember_browser_days);
  EXPECT_EQ(a.email_code.remember_browser_key_file, b.email_code.remember_browser_key_file);
  EXPECT_EQ(a.totp.enabled, b.totp.enabled);
  EXPECT_EQ(a.totp.issuer, b.totp.issuer);
  EXPECT_EQ(a.totp.digits, b.totp.digits);
  EXPECT_EQ(a.totp.period_seconds, b.totp.period_seconds);
  EXPECT_EQ(a.totp.window, b.totp.window);
  EXPECT_EQ(a.totp.secret_key_file, b.totp.secret_key_file);
}

// The ConfigError message of parsing `text`, or "" if it parses.
std::string error_of(const std::string& text) {
  try {
    config::parse(text, "/etc/twofold");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const char* kFull = R"(
[server]
host_names = ["id1.example.com", "id2.example.com", "192.0.2.10"]
listen_address = "0.0.0.0"
https_port = 443
http_port = 8080
tls_certificate = "/etc/ssl/twofold.crt"
tls_private_key = "keys/twofold.key"
threads = 8
max_body_bytes = 65536
request_timeout_seconds = 5
idle_timeout_seconds = 30
max_connections = 500

[storage]
driver = "sqlite"
path = "data/twofold.sqlite"
synchronous = "full"
busy_timeout_ms = 250

[authsession]
timeout_seconds = 90
retention_seconds = 3600
suspension_window_seconds = 120
priority_code_seconds = 60

[device]
long_poll_max_seconds = 25
lock_on_not_me = false
activation_code_hours = 2

[log]
level = "verbose"
file = "/var/log/twofold.log"

[service]
require_api_key = true
)";

TEST(ConfigTest, EmptyFileMeansTheDocumentedDefaults) {
  const auto c = config::parse("", "/etc/twofold");
  EXPECT_EQ(c.base_dir, "/etc/twofold");
  EXPECT_EQ(c.server.host_names, std::vector<std::string>{"localhost"});
  EXPECT_EQ(c.server.listen_address, "127.0.0.1");
  EXPECT_EQ(c.server.https_port, 8443);
  EXPECT_EQ(c.server.http_port, 0);
  EXPECT_EQ(c.server.tls_certificate, "tls/server.crt");
  EXPECT_EQ(c.server.tls_private_key, "tls/server.key");
  EXPECT_EQ(c.server.threads, 2u);
  EXPECT_EQ(c.server.max_body_bytes, 16384u);
  EXPECT_EQ(c.server.request_timeout_seconds, 10u);
  EXPECT_EQ(c.server.idle_timeout_seconds, 60u);
  EXPECT_EQ(c.server.max_connections, 10000u);
  EXPECT_EQ(c.storage.driver, "sqlite");
  EXPECT_EQ(c.storage.path, "twofold.db");
  EXPECT_EQ(c.storage.synchronous, "normal");
  EXPECT_EQ(c.storage.busy_timeout_ms, 5000u);
  EXPECT_EQ(c.authsession.timeout_seconds, 120u);
  EXPECT_EQ(c.authsession.retention_seconds, 600u);
  EXPECT_EQ(c.authsession.suspension_window_seconds, 600u);
  EXPECT_EQ(c.authsession.priority_code_seconds, 300u);
  EXPECT_EQ(c.device.long_poll_max_seconds, 60u);
  EXPECT_TRUE(c.device.lock_on_not_me);
  EXPECT_EQ(c.device.activation_code_hours, 24u);
  EXPECT_EQ(c.log.level, "events");
  EXPECT_EQ(c.log.file, "");
  EXPECT_FALSE(c.service.require_api_key);
  EXPECT_EQ(c.https_url(), "https://localhost:8443/");
  // Empty sections and comments change nothing either.
  expect_same(config::parse("# nothing\n[server]\n[device]\n", "/x"), c);
}

TEST(ConfigTest, EverySectionIsParsed) {
  const auto c = config::parse(kFull, "/srv/twofold");
  EXPECT_EQ(c.server.host_names,
            (std::vector<std::string>{"id1.example.com", "id2.example.com", "192.0.2.10"}));
  EXPECT_EQ(c.server.listen_address, "0.0.0.0");
  EXPECT_EQ(c.server.https_port, 443);
  EXPECT_EQ(c.server.http_port, 8080);
  EXPECT_EQ(c.server.tls_certificate, "/etc/ssl/twofold.crt");
  EXPECT_EQ(c.server.tls_private_key, "keys/twofold.key");
  EXPECT_EQ(c.server.threads, 8u);
  EXPECT_EQ(c.server.max_body_bytes, 65536u);
  EXPECT_EQ(c.server.request_timeout_seconds, 5u);
  EXPECT_EQ(c.server.idle_timeout_seconds, 30u);
  EXPECT_EQ(c.server.max_connections, 500u);
  EXPECT_EQ(c.storage.path, "data/twofold.sqlite");
  EXPECT_EQ(c.storage.synchronous, "full");
  EXPECT_EQ(c.storage.busy_timeout_ms, 250u);
  EXPECT_EQ(c.authsession.timeout_seconds, 90u);
  EXPECT_EQ(c.authsession.retention_seconds, 3600u);
  EXPECT_EQ(c.authsession.suspension_window_seconds, 120u);
  EXPECT_EQ(c.authsession.priority_code_seconds, 60u);
  EXPECT_EQ(c.device.long_poll_max_seconds, 25u);
  EXPECT_FALSE(c.device.lock_on_not_me);
  EXPECT_EQ(c.device.activation_code_hours, 2u);
  EXPECT_EQ(c.log.level, "verbose");
  EXPECT_EQ(c.log.file, "/var/log/twofold.log");
  EXPECT_TRUE(c.service.require_api_key);
  // Port 443 is left out of the URL; relative paths resolve against the file's directory.
  EXPECT_EQ(c.https_url(), "https://id1.example.com/");
  EXPECT_EQ(c.resolve(c.server.tls_private_key), "/srv/twofold/keys/twofold.key");
  EXPECT_EQ(c.resolve(c.server.tls_certificate), "/etc/ssl/twofold.crt");
}

TEST(ConfigTest, UnknownKeysAndSectionsAreNamed) {
  EXPECT_EQ(error_of("[server]\nhttps_prot = 1\n"), "unknown setting [server] https_prot");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[storage]\ndriverr = \"sqlite\"\n", "driverr"},
      {"[authsession]\ntimeout = 5\n", "timeout"},
      {"[device]\nlock_on_notme = true\n", "lock_on_notme"},
      {"[log]\nlevels = \"events\"\n", "levels"},
      {"[service]\nrequire_apikey = true\n", "require_apikey"},
      {"[server.tls]\ncert = \"x\"\n", "tls"},
      {"[servr]\nthreads = 2\n", "servr"},
      {"threads = 2\n", "threads"},
  };
  for (const auto& [text, key] : cases) {
    const auto e = error_of(text);
    EXPECT_NE(e.find(key), std::string::npos) << text << " -> " << e;
  }
  EXPECT_NE(error_of("server = 5\n"), "");
}

TEST(ConfigTest, TypesAreStrict) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[server]\nhttps_port = \"8443\"\n", "https_port must be an integer"},
      {"[server]\nthreads = 2.0\n", "threads must be an integer"},
      {"[server]\nthreads = true\n", "threads must be an integer"},
      {"[server]\nlisten_address = 127\n", "listen_address must be a string"},
      {"[server]\nhost_names = \"localhost\"\n", "host_names must be an array of strings"},
      {"[server]\nhost_names = [\"a\", 1]\n", "host_names must be an array of strings"},
      {"[device]\nlock_on_not_me = \"yes\"\n", "lock_on_not_me must be true or false"},
      {"[device]\nlock_on_not_me = 1\n", "lock_on_not_me must be true or false"},
      {"[service]\nrequire_api_key = 0\n", "require_api_key must be true or false"},
      {"[log]\nfile = [\"a\"]\n", "file must be a string"},
  };
  for (const auto& [text, message] : cases)
    EXPECT_NE(error_of(text).find(message), std::string::npos) << text << " -> " << error_of(text);
}

TEST(ConfigTest, ValuesOutOfRangeAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[server]\nhttps_port = 65536\n", "https_port is out of range"},
      {"[server]\nhttp_port = -1\n", "http_port is out of range"},
      {"[storage]\nbusy_timeout_ms = 4294967296\n", "busy_timeout_ms is out of range"},
      {"[authsession]\nretention_seconds = -5\n", "retention_seconds is out of range"},
      {"[server]\nhttps_port = 0\n", "https_port"},
      {"[server]\nhttps_port = 8080\nhttp_port = 8080\n", "https_port"},
      {"[server]\nhost_names = []\n", "host_names"},
      {"[server]\nthreads = 0\n", "threads"},
      {"[server]\nthreads = 65\n", "threads"},
      {"[server]\nmax_body_bytes = 1023\n", "max_body_bytes"},
      {"[server]\nmax_body_bytes = 1048577\n", "max_body_bytes"},
      {"[server]\nrequest_timeout_seconds = 0\n", "request_timeout_seconds"},
      {"[server]\nidle_timeout_seconds = 0\n", "idle_timeout_seconds"},
      {"[storage]\ndriver = \"mysql\"\n", "driver"},
      {"[storage]\nsynchronous = \"off\"\n", "synchronous"},
      {"[authsession]\ntimeout_seconds = 4\n", "timeout_seconds"},
      {"[authsession]\ntimeout_seconds = 3601\n", "timeout_seconds"},
      {"[device]\nlong_poll_max_seconds = 0\n", "long_poll_max_seconds"},
      {"[device]\nlong_poll_max_seconds = 301\n", "long_poll_max_seconds"},
      {"[log]\nlevel = \"debug\"\n", "level"},
  };
  for (const auto& [text, message] : cases)
    EXPECT_NE(error_of(text).find(message), std::string::npos) << text << " -> " << error_of(text);
  // The edges themselves are fine.
  for (const auto* ok :
       {"[server]\nhttps_port = 65535\nthreads = 64\nmax_body_bytes = 1048576\n",
        "[server]\nthreads = 1\nmax_body_bytes = 1024\n",
        "[authsession]\ntimeout_seconds = 5\n[device]\nlong_poll_max_seconds = 300\n",
        "[authsession]\ntimeout_seconds = 3600\n[device]\nlong_poll_max_seconds = 1\n"})
    EXPECT_EQ(error_of(ok), "") << ok;
}

// [mail], [email_code], [totp] (R-F2, R-F3, R-F5): seed 003's defaults, parsing, limits.
TEST(ConfigTest, SecondFactorSections) {
  const auto d = config::parse("", "/a");
  EXPECT_EQ(d.mail.host, "");  // no mail server: no email code
  EXPECT_EQ(d.mail.port, 587);
  EXPECT_EQ(d.mail.security, "starttls");
  EXPECT_EQ(d.mail.timeout_seconds, 20u);
  EXPECT_TRUE(d.email_code.enabled);
  EXPECT_EQ(d.email_code.scope, "all");
  EXPECT_TRUE(d.email_code.skip_users.empty());
  EXPECT_EQ(d.email_code.length, 6u);             // seed 003
  EXPECT_EQ(d.email_code.validity_minutes, 15u);  // seed 003
  EXPECT_EQ(d.email_code.remember_browser_days, 30u);
  EXPECT_EQ(d.email_code.remember_browser_key_file, "keys/remember-browser.key");
  EXPECT_EQ(d.totp.issuer, "twofold");
  EXPECT_EQ(d.totp.digits, 6u);
  EXPECT_EQ(d.totp.period_seconds, 30u);
  EXPECT_EQ(d.totp.secret_key_file, "keys/secret-box.key");

  const auto c = config::parse(R"(
[mail]
host = "smtp.example.com"
port = 465
security = "tls"
user = "twofold"
password_file = "secrets/smtp.txt"
from = "id@example.com"
from_name = "Example ID"
ca_file = "tls/smtp-ca.pem"
timeout_seconds = 5
templates_dir = "mail"
[email_code]
enabled = false
scope = "admins"
skip_users = ["alice", "Bob"]
length = 8
validity_minutes = 5
max_attempts = 3
resend_seconds = 0
remember_browser = false
remember_browser_days = 7
remember_browser_key_file = "/etc/twofold/remember.key"
[totp]
enabled = false
issuer = "Example"
digits = 8
period_seconds = 60
window = 0
secret_key_file = "k/box.key"
)",
                               "/a");
  EXPECT_EQ(c.mail.host, "smtp.example.com");
  EXPECT_EQ(c.mail.port, 465);
  EXPECT_EQ(c.mail.security, "tls");
  EXPECT_EQ(c.mail.password_file, "secrets/smtp.txt");
  EXPECT_EQ(c.mail.from_name, "Example ID");
  EXPECT_EQ(c.email_code.scope, "admins");
  EXPECT_EQ(c.email_code.skip_users, (std::vector<std::string>{"alice", "Bob"}));
  EXPECT_EQ(c.email_code.length, 8u);
  EXPECT_EQ(c.email_code.resend_seconds, 0u);
  EXPECT_FALSE(c.email_code.remember_browser);
  EXPECT_EQ(c.totp.digits, 8u);
  EXPECT_EQ(c.totp.period_seconds, 60u);
  EXPECT_EQ(c.totp.window, 0u);
  expect_same(config::parse(config::render(c), "/a"), c);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[mail]\nsecurity = \"ssl\"\n", "[mail] security must be starttls, tls or none"},
      {"[mail]\nhost = \"smtp://x\"\n", "[mail] host"},
      {"[mail]\nport = 0\n", "[mail] port"},
      {"[mail]\npassword = \"a\"\npassword_file = \"b\"\n", "set only one"},
      {"[mail]\nfrom = \"Twofold <a@b>\"\n", "[mail] from"},
      {"[mail]\nfrom = \"nobody\"\n", "[mail] from"},
      {"[mail]\ntimeout_seconds = 0\n", "timeout_seconds"},
      {"[mail]\nhostname = \"x\"\n", "unknown setting [mail] hostname"},
      {"[email_code]\nscope = \"everyone\"\n", "[email_code] scope"},
      {"[email_code]\nlength = 3\n", "[email_code] length must be 4..10"},
      {"[email_code]\nlength = 11\n", "[email_code] length"},
      {"[email_code]\nvalidity_minutes = 0\n", "validity_minutes"},
      {"[email_code]\nremember_browser_days = 0\n", "remember_browser_days"},
      {"[email_code]\nskip_users = \"alice\"\n", "skip_users must be an array of strings"},
      {"[totp]\ndigits = 7\n", "[totp] digits must be 6 or 8"},
      {"[totp]\nperiod_seconds = 45\n", "[totp] period_seconds"},
      {"[totp]\nwindow = 3\n", "[totp] window"},
      {"[totp]\nissuer = \"a:b\"\n", "[totp] issuer"},
      {"[totp]\nissuer = \"\"\n", "[totp] issuer"},
  };
  for (const auto& [text, message] : bad)
    EXPECT_NE(error_of(text).find(message), std::string::npos) << text << " -> " << error_of(text);
}

TEST(ConfigTest, InvalidTomlNamesTheLine) {
  const auto e = error_of("[server]\nthreads = 2\nhttps_port = = 1\n");
  EXPECT_NE(e.find("line 3"), std::string::npos) << e;
  EXPECT_NE(error_of("[server]\nthreads = 1\nthreads = 2\n"), "");  // duplicate key
}

TEST(ConfigTest, RenderParsesBackToTheSameConfig) {
  const config::Config defaults = config::parse("", "/a");
  expect_same(config::parse(config::render(defaults), "/a"), defaults);
  expect_same(config::parse(config::render(config::Config{}), "/a"), config::Config{});

  const auto full = config::parse(kFull, "/a");
  const auto text = config::render(full);
  expect_same(config::parse(text, "/a"), full);
  // It writes every key with a comment header (an unknown key would not parse back).
  EXPECT_EQ(text.rfind("# twofold configuration", 0), 0u);

  // Strings that need escaping survive.
  auto odd = full;
  odd.server.tls_certificate = R"(C:\certs\"server".crt)";
  odd.log.file = "logs/tab\there.log";
  odd.server.host_names = {"a\"b", "c\\d", "ünïcödé.example"};
  expect_same(config::parse(config::render(odd), "/a"), odd);
}

// Fails on purpose until src/config/config.cpp quoted() escapes control characters
// (reported to the lead): render() must write what parse() reads back.
TEST(ConfigTest, RenderEscapesControlCharacters) {
  // A TOML basic string cannot hold a raw newline; render() must escape it.
  auto c = config::parse("[log]\nfile = \"a\\nb\\u0001c\"\n", "/a");
  ASSERT_EQ(c.log.file,
            "a\nb\x01"
            "c");
  std::string text;
  ASSERT_NO_THROW(text = config::render(c));
  config::Config back;
  ASSERT_NO_THROW(back = config::parse(text, "/a")) << text;
  EXPECT_EQ(back.log.file, c.log.file);
}

TEST(ConfigTest, LoadResolvesAgainstTheFilesDirectory) {
  char tmpl[] = "/tmp/twofold-config-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir(tmpl);
  const auto file = dir / "twofold.toml";
  std::ofstream(file) << "[storage]\npath = \"db/t.db\"\n";
  const auto c = config::load(file);
  EXPECT_EQ(c.base_dir, dir);
  EXPECT_EQ(c.resolve(c.storage.path), dir / "db/t.db");

  std::ofstream(file) << "[storage]\npaht = \"x\"\n";
  try {
    config::load(file);
    ADD_FAILURE() << "unknown key accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("paht"), std::string::npos) << e.what();
  }
  EXPECT_THROW(config::load(dir / "missing.toml"), ConfigError);
  std::filesystem::remove_all(dir);
}

}  // namespace
