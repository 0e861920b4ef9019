// twofold: the admin CLI. Thin wiring of the setup, ops, device and audit domains.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <iostream>

#include "audit/audit.hpp"
#include "client_commands.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "device/service.hpp"
#include "identity/identity.hpp"
#include "oidc/clients.hpp"
#include "ops/daemon_control.hpp"
#include "setup/manual_setup.hpp"
#include "setup/quick_setup.hpp"
#include "source_commands.hpp"
#include "storage/auth_session_store.hpp"
#include "storage/database.hpp"
#include "storage/device_store.hpp"
#include "storage/identity_store.hpp"
#include "storage/service_key_store.hpp"
#include "storage/signing_key_store.hpp"
#include "user_commands.hpp"

using namespace twofold;

namespace {

// Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
constexpr int kFailure = 1;
constexpr int kUsage = 2;

std::string default_config_path() {
  if (const char* env = std::getenv("TWOFOLD_CONFIG")) return env;
  return "/etc/twofold/twofold.toml";
}

int run_setup(setup::Options options, bool quick) {
  if (!quick) {
    if (::isatty(STDIN_FILENO) != 1) {
      std::cerr << "twofold setup: standard input is not a terminal; use --quick (with flags) "
                   "to set up without questions\n";
      return kUsage;
    }
    options = setup::ask(std::move(options), std::cin, std::cout);
  }
  setup::validate(options);
  const auto result = setup::quick_setup(options);
  for (const auto& step : result.steps) std::cout << "  " << step << "\n";
  std::cout << "configuration: " << result.config_path.string() << "\n"
            << "CA certificate SHA-256: " << result.ca_fingerprint << "\n"
            << "start the server with: twofold --config " << result.config_path.string()
            << " start\n";
  return 0;
}

std::string format_time(core::TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

int run_activation_code(const config::Config& config, const std::string& id) {
  if (!identity::is_valid_name(id)) {
    std::cerr << "twofold activation-code: '" << id << "' is not a valid ID\n";
    return kUsage;
  }
  auto db = storage::Database::open(config);
  storage::IdentityStore identities(*db);
  storage::DeviceStore devices(*db);
  core::SystemClock clock;
  core::SystemRandom random;
  device::Settings settings;
  settings.activation_code_life = std::chrono::hours(config.device.activation_code_hours);
  device::Service service(settings, clock, random, identities, devices);
  const auto outcome = service.issue_activation_code(identity::key_of(id));
  if (const auto* error = std::get_if<device::Error>(&outcome)) {
    std::cerr << "twofold activation-code: " << error->message << "\n";
    return kFailure;
  }
  const auto& issued = std::get<device::IssuedCode>(outcome);
  std::cout << issued.code << "\n";
  std::cerr << "single use, valid until " << format_time(issued.expires)
            << "; enrol a further device with: twofold-auth enrol --id " << id
            << " --activation-code CODE\n";
  return 0;
}

int run_audit(const config::Config& config, const std::string& id, std::size_t limit) {
  auto db = storage::Database::open(config);
  storage::AuthSessionStore store(*db);
  audit::Query query;
  query.identity_key = id.empty() ? std::string() : identity::key_of(id);
  query.limit = limit;
  const auto table = audit::format_table(store.list(query));
  std::cout << table << (table.empty() || table.back() == '\n' ? "" : "\n");
  return 0;
}

int run_service_key(const config::Config& config, const std::string& action,
                    const std::string& service) {
  auto db = storage::Database::open(config);
  storage::ServiceKeyStore store(*db);
  if (action == "list") {
    for (const auto& k : store.list())
      std::cout << k.service << "  created " << format_time(k.created) << "\n";
    return 0;
  }
  if (service.empty()) {
    std::cerr << "twofold service-key " << action << ": name the service\n";
    return kUsage;
  }
  if (action == "remove") {
    if (store.remove(service)) return 0;
    std::cerr << "twofold service-key remove: no key for " << service << "\n";
    return kFailure;
  }
  core::SystemClock clock;
  core::SystemRandom random;
  servicekey::Keys keys(clock, random, store);
  try {
    std::cout << keys.issue(service) << "\n";
  } catch (const servicekey::KeyError& e) {
    std::cerr << "twofold service-key add: " << e.what() << "\n";
    return kUsage;
  }
  std::cerr << "shown only now; the website sends it as apikey=... with every request"
            << (config.service.require_api_key
                    ? "\n"
                    : " (turn keys on with [service] require_api_key = true)\n");
  return 0;
}

int run_keys(const config::Config& config, const std::string& action) {
  auto db = storage::Database::open(config);
  storage::SigningKeyStore store(*db);
  core::SystemClock clock;
  core::SystemRandom random;
  jose::KeyRing ring(store, random,
                     std::chrono::seconds(config.oidc.key_publish_after_retirement_seconds));
  ring.load_or_import(config.resolve("keys/signing-rs256.pem"),
                      config.resolve("keys/signing-es256.pem"), clock.now());
  if (action == "rotate") {
    for (const auto& kid : ring.rotate(clock.now())) std::cout << "new key " << kid << "\n";
    std::cerr << "running servers sign with the new keys within 10 s; the old ones stay "
                 "published for key_publish_after_retirement_seconds\n";
    return 0;
  }
  for (const auto& k : ring.keys())
    std::cout << jose::alg_name(k.alg) << "  " << k.kid << "  created " << format_time(k.created)
              << (k.retired ? "  retired " + format_time(*k.retired) : std::string("  current"))
              << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"twofold: set up and administer a twofold server"};
  app.set_version_flag("--version", std::string("twofold ") + TWOFOLD_VERSION);
  app.require_subcommand(1);
  std::string config_path = default_config_path();
  app.add_option("-c,--config", config_path, "Configuration file (or TWOFOLD_CONFIG)")
      ->capture_default_str();
  app.footer(
      "Exit codes: 0 success, 1 failure, 2 usage or configuration error;\n"
      "status: 0 running, 1 dead with a PID file, 3 stopped.");

  setup::Options options;
  bool quick = false;
  std::string data_dir;
  auto* setup_cmd = app.add_subcommand("setup",
                                       "Write configuration, keys, CA and TLS "
                                       "certificate, and create the database");
  setup_cmd->add_flag("--quick", quick, "Use the flags and defaults, ask nothing");
  setup_cmd->add_option("--dir", options.dir, "Directory to set up")->capture_default_str();
  setup_cmd->add_option("--host", options.host_names,
                        "Host name for URLs and the TLS certificate (repeatable)");
  setup_cmd->add_option("--listen", options.listen_address, "Listen address")
      ->capture_default_str();
  setup_cmd->add_option("--https-port", options.https_port, "HTTPS port")->capture_default_str();
  setup_cmd
      ->add_option("--http-port", options.http_port,
                   "Plain-HTTP port for a reverse proxy (0 = off)")
      ->capture_default_str();
  setup_cmd->add_option("--data-dir", data_dir, "Where the database lives (default: --dir)");
  setup_cmd->add_flag("--force", options.force,
                      "Overwrite an existing configuration; new keys and certificates "
                      "(the database is kept)");

  std::chrono::seconds::rep timeout = ops::kDefaultTimeout.count();
  auto* start_cmd = app.add_subcommand("start", "Start twofoldd in the background");
  start_cmd->add_option("--timeout", timeout, "Seconds to wait until it accepts connections")
      ->capture_default_str();
  auto* stop_cmd = app.add_subcommand("stop", "Stop twofoldd (SIGTERM, then wait)");
  stop_cmd->add_option("--timeout", timeout, "Seconds to wait")->capture_default_str();
  auto* status_cmd = app.add_subcommand("status", "Tell whether twofoldd runs, and its ports");
  auto* kill_cmd = app.add_subcommand("kill", "Kill twofoldd (SIGKILL)");

  std::string audit_id;
  std::size_t audit_limit = 50;
  auto* audit_cmd = app.add_subcommand("audit", "List auth session outcomes, newest first");
  audit_cmd->add_option("--id", audit_id, "Only this ID");
  audit_cmd->add_option("--limit", audit_limit, "At most this many")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));

  std::string code_id;
  auto* code_cmd = app.add_subcommand(
      "activation-code", "Issue a single-use code to enrol a further device for an ID");
  code_cmd->add_option("id", code_id, "The ID")->required();

  std::string key_action, key_service;
  auto* key_cmd = app.add_subcommand(
      "service-key", "Manage the API keys of websites using the service API (R-S8)");
  key_cmd->add_option("action", key_action, "add NAME | remove NAME | list")
      ->required()
      ->check(CLI::IsMember({"add", "remove", "list"}));
  key_cmd->add_option("service", key_service, "The service's name");

  std::string keys_action;
  auto* keys_cmd = app.add_subcommand("keys", "OpenID Connect signing keys: list, or rotate");
  keys_cmd->add_option("action", keys_action, "list | rotate")
      ->required()
      ->check(CLI::IsMember({"list", "rotate"}));

  std::function<int(const config::Config&)> run_client;
  cli::add_client_commands(app, run_client);
  cli::add_user_commands(app, run_client);
  cli::add_source_commands(app, run_client);

  CLI11_PARSE(app, argc, argv);

  try {
    if (*setup_cmd) {
      if (!data_dir.empty()) options.data_dir = data_dir;
      return run_setup(options, quick);
    }
    const auto config = config::load(config_path);
    if (*audit_cmd) return run_audit(config, audit_id, audit_limit);
    if (*code_cmd) return run_activation_code(config, code_id);
    if (*key_cmd) return run_service_key(config, key_action, key_service);
    if (run_client) return run_client(config);
    if (*keys_cmd) return run_keys(config, keys_action);

    ops::DaemonControl control(config_path, config, std::cout, std::cerr);
    const std::chrono::seconds wait{timeout};
    if (*start_cmd) {
      const auto binary = ops::find_daemon_binary();
      if (!binary) {
        std::cerr << "twofold start: twofoldd not found next to twofold or on PATH\n";
        return kFailure;
      }
      return control.start(*binary, wait);
    }
    if (*stop_cmd) return control.stop(wait);
    if (*status_cmd) return control.status();
    if (*kill_cmd) return control.kill();
  } catch (const config::ConfigError& e) {
    std::cerr << "twofold: configuration error: " << e.what() << "\n";
    return kUsage;
  } catch (const cli::UsageError& e) {
    std::cerr << "twofold: " << e.what() << "\n";
    return kUsage;
  } catch (const oidc::ClientError& e) {
    std::cerr << "twofold client: " << e.what() << "\n";
    return kUsage;
  } catch (const setup::SetupError& e) {
    std::cerr << "twofold setup: " << e.what() << "\n";
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "twofold: " << e.what() << "\n";
    return kFailure;
  }
  return kUsage;
}
