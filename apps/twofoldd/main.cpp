// twofoldd: the twofold server. Wiring only: configuration → storage → domains → HTTP edge.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "accesspass/symbol_set.hpp"
#include "authsession/service.hpp"
#include "client_keys.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/secret_box.hpp"
#include "device/api.hpp"
#include "device/service.hpp"
#include "http/periodic.hpp"
#include "http/server.hpp"
#include "login_wiring.hpp"
#include "logout_wiring.hpp"
#include "notify/hub.hpp"
#include "oidc/user_directory.hpp"
#include "routes.hpp"
#include "serviceapi/endpoint.hpp"
#include "storage/auth_session_store.hpp"
#include "storage/client_store.hpp"
#include "storage/database.hpp"
#include "storage/device_store.hpp"
#include "storage/grant_store.hpp"
#include "storage/identity_store.hpp"
#include "storage/profile_store.hpp"
#include "storage/service_key_store.hpp"
#include "storage/signing_key_store.hpp"

using namespace twofold;
namespace asio = http::asio;

namespace {

void setup_logging(const config::Config& config) {
  if (!config.log.file.empty()) {
    auto path = config.resolve(config.log.file).string();
    spdlog::set_default_logger(spdlog::basic_logger_mt("twofoldd", path));
  }
  // events: what happened; usage: also every request outcome; verbose: everything.
  if (config.log.level == "verbose")
    spdlog::set_level(spdlog::level::trace);
  else if (config.log.level == "usage")
    spdlog::set_level(spdlog::level::debug);
  else
    spdlog::set_level(spdlog::level::info);
  spdlog::flush_on(spdlog::level::info);
}

int run(const std::string& config_path) {
  const auto config = config::load(config_path);
  setup_logging(config);

  auto db = storage::Database::open(config);
  storage::IdentityStore identities(*db);
  storage::DeviceStore devices_store(*db);
  storage::AuthSessionStore session_store(*db);

  const auto symbols = accesspass::SymbolSet::embedded();
  core::SystemClock clock;
  core::SystemRandom random;
  notify::Hub hub;

  authsession::Settings session_settings;
  session_settings.timeout = std::chrono::seconds(config.authsession.timeout_seconds);
  session_settings.retention = std::chrono::seconds(config.authsession.retention_seconds);
  session_settings.suspension_window =
      std::chrono::seconds(config.authsession.suspension_window_seconds);
  session_settings.priority_code_life =
      std::chrono::seconds(config.authsession.priority_code_seconds);
  session_settings.symbol_count = static_cast<std::uint32_t>(symbols.size());
  authsession::Service sessions(session_settings, clock, random, identities, session_store, hub);
  sessions.restore();

  device::Settings device_settings;
  device_settings.activation_code_life = std::chrono::hours(config.device.activation_code_hours);
  device::Service devices(device_settings, clock, random, identities, devices_store);
  device::Api device_api(
      {std::chrono::seconds(config.device.long_poll_max_seconds), config.device.lock_on_not_me},
      devices, sessions, symbols);
  storage::ServiceKeyStore service_key_store(*db);
  servicekey::Keys service_keys(clock, random, service_key_store);
  serviceapi::Endpoint service_api(sessions, symbols,
                                   config.service.require_api_key ? &service_keys : nullptr);
  // OpenID Connect provider: keys shared through the database, clients cached briefly.
  storage::SigningKeyStore signing_key_store(*db);
  jose::KeyRing keys(signing_key_store, random,
                     std::chrono::seconds(config.oidc.key_publish_after_retirement_seconds));
  keys.load_or_import(config.resolve("keys/signing-rs256.pem"),
                      config.resolve("keys/signing-es256.pem"), clock.now());
  storage::ClientStore client_store(*db);
  // Secrets at rest (client_secret_jwt secrets): sealed with the key file next to the keys.
  const auto secret_box =
      crypto::SecretBox::load_or_create(config.resolve(crypto::kSecretBoxKeyFile));
  oidc::Clients clients(clock, random, client_store, std::chrono::seconds(2), &secret_box);
  app::ClientAuth client_auth(config.issuer(), *db, clock, clients);
  app::KeyRingSigner signer(keys);
  app::KeyRingVerifier verifier(keys);
  oidc::TokenSettings token_settings{config.issuer(),
                                     std::chrono::seconds(config.oidc.access_token_seconds),
                                     std::chrono::seconds(config.oidc.id_token_seconds),
                                     std::chrono::hours(config.oidc.refresh_token_hours),
                                     std::chrono::hours(24 * config.oidc.offline_token_days)};
  storage::GrantStore grant_store(*db);
  oidc::DenyList deny_list(grant_store);
  deny_list.load(clock.now());
  oidc::RefreshTokens refresh_tokens(token_settings, clock, random, grant_store, deny_list);
  oidc::Codes codes(clock, random, grant_store, refresh_tokens, deny_list,
                    token_settings.access_token_life);
  storage::ProfileStore profile_store(*db);
  oidc::IdentityUserDirectory users(identities, profile_store);
  oidc::TokenEndpoint token_endpoint(token_settings, clock, random, client_auth.authenticator(),
                                     signer, codes, refresh_tokens, users);
  oidc::Userinfo userinfo(config.issuer(), clock, verifier, deny_list, users);
  oidc::Introspection introspection(config.issuer(), clock, client_auth.authenticator(), verifier,
                                    deny_list, refresh_tokens);
  oidc::Revocation revocation(config.issuer(), clock, client_auth.authenticator(), verifier,
                              deny_list, refresh_tokens);
  // The browser login (R-O6): /oidc/authorize and the login pages.
  app::LoginServer login({config, *db, clock, random, identities, devices_store, sessions, symbols,
                          clients, codes, users, &refresh_tokens});
  app::LogoutServer logout(config, clients, verifier, refresh_tokens, login.sessions());
  app::OidcRoutes oidc_routes(
      config.issuer(), keys,
      {token_endpoint, userinfo, introspection, revocation, logout.logout()});
  // The admin API (R-O5): bearer tokens with the admin role for `<issuer>/admin`.
  admin::AdminAccess admin_access(config.issuer(), clock, verifier, deny_list, clients, users);
  admin::ClientApi admin_api(admin_access, clients);
  app::Routes routes(config, service_api, device_api, hub, oidc_routes, login.routes(), admin_api);

  http::IoPool pool(config.server.threads);
  auto& io = pool.main();
  http::Server server(pool, config, routes);
  server.start();

  bool stopping = false;
  auto chore = [&](auto period, const char* what, auto task) {
    asio::co_spawn(io, http::every(period, what, stopping, std::move(task)), asio::detached);
  };
  chore(std::chrono::seconds(1), "auth sessions", [&] { sessions.sweep(); });
  // Another instance or `twofold keys rotate` may have rotated the signing keys.
  chore(std::chrono::seconds(10), "signing keys", [&] {
    keys.reload(clock.now());
    keys.prune(clock.now());
  });
  // Revocations made by other instances reach this one's deny-list; expired grants go.
  chore(std::chrono::seconds(10), "OIDC grants", [&] {
    const auto now = clock.now();
    deny_list.load(now);
    grant_store.purge(now - oidc::Codes::kKeptAfterExpiry, now);
  });
  // Expired login transactions and idle browser sessions (R-P3).
  chore(std::chrono::seconds(60), "login sweep", [&] { return login.routes().sweep(); });
  // Regulation events older than the longest window (24 h) count for nothing.
  chore(std::chrono::minutes(10), "regulation events",
        [&] { login.regulation_events().purge(clock.now() - std::chrono::hours(24)); });

  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", signal);
    stopping = true;
    server.stop();
    hub.wake_all();
    // Every state change is already durable; give in-flight requests a moment, then stop.
    grace.expires_after(std::chrono::milliseconds(1500));
    grace.async_wait([&](const boost::system::error_code&) { pool.stop(); });
  });

  spdlog::info("twofoldd {} listening on {} ({} live auth sessions restored)", TWOFOLD_VERSION,
               config.https_url(), sessions.live_count());
  if (config.server.http_port)
    spdlog::info("plain HTTP for a reverse proxy on {}:{}", config.server.listen_address,
                 config.server.http_port);

  pool.run();
  // Work still running on the worker pools resumes on an I/O context when done: let it end
  // while the contexts exist (they go before the routes when run() returns).
  oidc_routes.join();
  login.routes().join();
  spdlog::info("twofoldd stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"twofoldd: the twofold server (second factor and single sign-on)"};
  std::string config_path = "/etc/twofold/twofold.toml";
  if (const char* env = std::getenv("TWOFOLD_CONFIG")) config_path = env;
  app.add_option("-c,--config", config_path, "Configuration file (TOML)")->capture_default_str();
  app.set_version_flag("--version", std::string("twofoldd ") + TWOFOLD_VERSION);
  app.footer(
      "Exit codes: 0 stopped cleanly, 1 runtime error, 2 configuration error.\n"
      "Usually started by `twofold start` or systemd (packaging/twofoldd.service).");
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGPIPE, SIG_IGN);
  try {
    return run(config_path);
  } catch (const config::ConfigError& e) {
    std::cerr << "twofoldd: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "twofoldd: " << e.what() << "\n";
    spdlog::critical("{}", e.what());
    return 1;
  }
}
