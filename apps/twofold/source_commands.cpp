#include "source_commands.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "sources/configured/configured.hpp"
#include "storage/database.hpp"
#include "storage/identity_store.hpp"
#include "storage/ldap_link_store.hpp"
#include "storage/password_store.hpp"
#include "user_commands.hpp"

namespace twofold::cli {
namespace {

constexpr int kRefused = 1;
constexpr int kUnavailable = 3;

struct Context {
  core::SystemClock clock;
  std::unique_ptr<storage::Database> db;
  storage::IdentityStore identities;
  storage::PasswordStore passwords;
  storage::LdapLinkStore links;
  explicit Context(const config::Config& c)
      : db(storage::Database::open(c)), identities(*db), passwords(*db), links(*db) {}
  identity::Identity require(const std::string& id) {
    auto found = identity::is_valid_name(id) ? identities.find(identity::key_of(id)) : std::nullopt;
    if (!found) throw UsageError("no ID " + id);
    return *found;
  }
};

// The first line of standard input; on a terminal it asks without echoing what is typed.
std::string read_password() {
  const bool tty = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (tty) {
    std::cerr << "password: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "-" : out;
}

bool plausible_ldap_id(const std::string& id) {
  if (id.empty() || id.size() > 255) return false;
  for (char ch : id)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return false;
  return true;
}

// `--repeat N --threads T`: the same check N times over T threads (a load figure for the
// directory and the sources; bench/ldap.py uses it). Prints checks per second and latencies.
int repeat(sources::CredentialSource& chain, const std::string& id, const std::string& password,
           unsigned count, unsigned threads) {
  std::atomic<unsigned> next{0}, accepted{0};
  std::vector<std::vector<double>> latencies(threads);
  std::string first_error;
  std::mutex error_mutex;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      while (next.fetch_add(1) < count) {
        const auto begin = std::chrono::steady_clock::now();
        auto outcome = chain.authenticate({id, password});
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
                .count());
        if (std::holds_alternative<sources::Authenticated>(outcome)) {
          ++accepted;
        } else {
          std::lock_guard lock(error_mutex);
          if (first_error.empty()) first_error = std::get<sources::Error>(outcome).detail;
        }
      }
    });
  for (auto& th : pool) th.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[static_cast<std::size_t>(p * (all.size() - 1))];
  };
  std::printf(
      "%u checks, %u threads, %.2f s: %.1f per second, p50 %.2f ms, p99 %.2f ms, %u accepted\n",
      count, threads, seconds, count / seconds, pct(0.5), pct(0.99), accepted.load());
  if (!first_error.empty()) std::cout << "first refusal: " << first_error << "\n";
  return accepted == count ? 0 : kRefused;
}

int test(const config::Config& config, const std::string& id, unsigned count, unsigned threads) {
  // A directory that drops the connection must give an error, not end the process.
  std::signal(SIGPIPE, SIG_IGN);
  Context ctx(config);
  // No profile store: a test shows what a login would write, it does not write it.
  sources::ConfiguredSources sources(
      config, {ctx.clock, ctx.identities, ctx.passwords, ctx.links, nullptr});
  const auto password = read_password();
  auto& chain = sources.credentials();
  if (count > 1) return repeat(chain, id, password, count, threads);
  auto outcome = chain.authenticate({id, password});
  if (auto* error = std::get_if<sources::Error>(&outcome)) {
    const bool down = error->failure == sources::Failure::unavailable;
    std::cout << (down ? "unavailable: " : "refused: ") << sources::to_string(error->failure)
              << " (order " << chain.name() << ")\n"
              << "detail: " << error->detail << "\n";
    return down ? kUnavailable : kRefused;
  }
  const auto& user = std::get<sources::Authenticated>(outcome);
  std::cout << "accepted by " << user.source << " (order " << chain.name() << ")\n"
            << "id: " << user.key << "\n"
            << "name: " << (user.display_name.empty() ? "-" : user.display_name) << "\n"
            << "email: " << (user.email.empty() ? "-" : user.email) << "\n"
            << "roles: " << joined(user.roles) << "\n"
            << "groups: " << joined(user.groups) << "\n";
  if (user.password_change_required) std::cout << "the password must be changed\n";
  if (!user.detail.empty()) std::cout << "detail: " << user.detail << "\n";
  return 0;
}

}  // namespace

void add_source_commands(CLI::App& app, std::function<int(const config::Config&)>& run) {
  auto* source = app.add_subcommand(
      "source", "Credential sources: test a password, link IDs to their LDAP ids");
  source->require_subcommand(1);
  auto id = std::make_shared<std::string>();
  auto ldap_id = std::make_shared<std::string>();

  auto* t = source->add_subcommand(
      "test",
      "Check ID's password (first line of standard input, or asked on the terminal) against "
      "the configured sources; exit 0 accepted, 1 refused, 3 a source was unavailable");
  t->add_option("id", *id, "The ID")->required();
  auto count = std::make_shared<unsigned>(1);
  auto threads = std::make_shared<unsigned>(1);
  t->add_option("--repeat", *count, "Check this many times and print checks per second")
      ->check(CLI::Range(1u, 10'000'000u));
  t->add_option("--threads", *threads, "With --repeat: in parallel on this many threads")
      ->check(CLI::Range(1u, 256u));
  t->callback([&run, id, count, threads] {
    run = [=](const config::Config& c) { return test(c, *id, *count, *threads); };
  });

  auto* link = source->add_subcommand("link", "Give an ID its LDAP id (LDAP is tried only then)");
  link->add_option("id", *id, "The ID")->required();
  link->add_option("ldap-id", *ldap_id, "Its user name in the directory ({user})")->required();
  link->callback([&run, id, ldap_id] {
    run = [id, ldap_id](const config::Config& c) {
      if (!plausible_ldap_id(*ldap_id))
        throw UsageError("an LDAP id is 1-255 characters without control characters");
      Context ctx(c);
      const auto i = ctx.require(*id);
      ctx.links.link(i.key, *ldap_id);
      std::cout << "linked " << i.name << " to LDAP id " << *ldap_id << "\n";
      return 0;
    };
  });

  auto* unlink = source->add_subcommand("unlink", "Remove an ID's LDAP id");
  unlink->add_option("id", *id, "The ID")->required();
  unlink->callback([&run, id] {
    run = [id](const config::Config& c) {
      Context ctx(c);
      const auto i = ctx.require(*id);
      if (!ctx.links.unlink(i.key)) throw UsageError(i.name + " has no LDAP id");
      std::cout << "unlinked " << i.name << "\n";
      return 0;
    };
  });

  auto* show = source->add_subcommand("show", "Show what an ID has for each source (JSON)");
  show->add_option("id", *id, "The ID")->required();
  show->callback([&run, id] {
    run = [id](const config::Config& c) {
      Context ctx(c);
      const auto i = ctx.require(*id);
      const auto link = ctx.links.ldap_id(i.key);
      nlohmann::json out{{"id", i.name},
                         {"admin", i.admin},
                         {"password", ctx.passwords.find(i.key).has_value()},
                         {"ldap_id", link ? nlohmann::json(*link) : nlohmann::json(nullptr)},
                         {"order", c.sources.order}};
      std::cout << out.dump(2) << "\n";
      return 0;
    };
  });
}

}  // namespace twofold::cli
