// twofold-auth: the command-line authenticator. It plays the user's phone: enrols a key pair
// under a PIN, sees pending auth sessions, picks the symbol the website shows and signs.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "authenticator/commands.hpp"

namespace {

using namespace twofold::authenticator;

// The tty whose echo is off, so a signal can restore it before the process dies.
volatile sig_atomic_t g_tty_fd = -1;
termios g_saved_tty{};

extern "C" void restore_tty_and_exit(int sig) {
  if (g_tty_fd >= 0) tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_tty);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

class TtyTerminal final : public Terminal {
 public:
  bool interactive() const override { return ::isatty(STDIN_FILENO) == 1; }

  Secret read_secret(std::string_view prompt) override {
    const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
      throw CommandError("no PIN given: use --pin-file FILE or TWOFOLD_PIN, or run on a terminal");
    write_all(fd, prompt);
    termios saved{};
    const bool is_tty = ::tcgetattr(fd, &saved) == 0;
    if (is_tty) {
      g_saved_tty = saved;
      g_tty_fd = fd;
      std::signal(SIGINT, restore_tty_and_exit);
      std::signal(SIGTERM, restore_tty_and_exit);
      termios quiet = saved;
      quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
      ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    std::string line;
    line.reserve(256);  // no reallocation: no stray copies of the PIN in freed memory
    char c = 0;
    bool got_newline = false;
    while (::read(fd, &c, 1) == 1) {
      if (c == '\n' || c == '\r') {
        got_newline = true;
        break;
      }
      if (line.size() < 255) line.push_back(c);
    }
    c = 0;
    if (is_tty) {
      ::tcsetattr(fd, TCSAFLUSH, &saved);
      g_tty_fd = -1;
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGTERM, SIG_DFL);
    }
    write_all(fd, "\n");
    ::close(fd);
    Secret pin(std::move(line));
    if (!got_newline && pin.empty()) throw CommandError("no PIN entered");
    return pin;
  }

  std::string read_line(std::string_view prompt) override {
    if (!interactive()) throw CommandError("cannot ask: standard input is not a terminal");
    std::cerr << prompt << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) throw CommandError("no answer");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

 private:
  static void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
      const ssize_t n = ::write(fd, text.data(), text.size());
      if (n <= 0) return;
      text.remove_prefix(static_cast<std::size_t>(n));
    }
  }
};

constexpr const char* kFooter = R"(
Global options (--state, --id, --pin-file, --json) may also follow the command.
PIN: --pin-file FILE (its first line), else $TWOFOLD_PIN, else asked on the terminal.
State: --state DIR, else $TWOFOLD_AUTH_STATE, else ~/.config/twofold.
TWOFOLD_AUTH_FAST_KDF=1 makes enrol use a fast PIN hash (for test suites only).

Exit codes:
  0  success (approve: the server accepted the answer)
  1  error: unreachable or refusing server, wrong PIN, no pending requests, ...
  2  bad command line, or a choice is needed (--id, --session, --symbol)
  3  approve: the server turned the answer into a denial (wrong symbol))";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"twofold-auth: the twofold authenticator (plays the user's phone)", "twofold-auth"};
  app.footer(kFooter);  // set before the subcommands so they inherit it
  app.fallthrough();    // global options may also follow the subcommand
  app.require_subcommand(1);

  std::string state_dir;
  std::string global_id;
  std::string pin_file;
  bool json = false;
  app.add_option("--state", state_dir, "State directory")->type_name("DIR");
  app.add_option("--id", global_id, "Which account (needed only when the state has several)")
      ->type_name("NAME");
  app.add_option("--pin-file", pin_file, "Read the PIN from the first line of this file")
      ->check(CLI::ExistingFile);
  app.add_flag("--json", json, "Machine-readable JSON output on stdout");

  EnrolOptions enrol;
  auto* enrol_cmd = app.add_subcommand(
      "enrol",
      "Create a key pair under a PIN, register it with the server and remember it "
      "(the PIN needs at least 4 characters)");
  enrol_cmd->alias("enroll");
  enrol_cmd->add_option("--server", enrol.server,
                        "Server URL, https://host[:port] (default: the remembered one)");
  enrol_cmd
      ->add_option("--ca", enrol.ca_file,
                   "CA certificate (PEM) the server's certificate is checked against; "
                   "copied into the state (default: the remembered one)")
      ->check(CLI::ExistingFile);
  enrol_cmd->add_option("--id", enrol.id, "The ID to enrol (required)")->type_name("NAME");
  enrol_cmd->add_option("--device-name", enrol.device_name, "Device name (default: host name)");
  enrol_cmd->add_option("--key-type", enrol.key_type, "Key type")
      ->check(CLI::IsMember({"p256", "rsa2048"}))
      ->capture_default_str();
  enrol_cmd->add_option("--activation-code", enrol.activation_code,
                        "Needed when the ID already exists (from another device or the admin)");

  int pending_wait = 0;
  auto* pending_cmd = app.add_subcommand(
      "pending", "List pending requests; exit 1 when there are none (--json: the raw list)");
  pending_cmd->add_option("--wait", pending_wait, "Wait up to SECONDS for a request to arrive")
      ->check(CLI::Range(0, 86400))
      ->type_name("SECONDS");

  ApproveOptions approve;
  std::uint32_t symbol = 0;
  std::string match;
  auto* approve_cmd = app.add_subcommand(
      "approve", "Approve a request with the symbol the website shows; exit 0 only when ACCEPTED");
  approve_cmd->add_option("--session", approve.session,
                          "The request's authsessionid (default: the only pending one)");
  auto* symbol_opt =
      approve_cmd->add_option("--symbol", symbol, "Take the candidate with this symbol number");
  auto* match_opt =
      approve_cmd
          ->add_option("--match", match, "Take the candidate whose PNG equals this file's bytes")
          ->check(CLI::ExistingFile);
  symbol_opt->excludes(match_opt);
  approve_cmd
      ->add_option("--wait", approve.wait_seconds, "Wait up to SECONDS for the request to arrive")
      ->check(CLI::Range(0, 86400))
      ->type_name("SECONDS");

  std::string deny_session;
  bool not_me = false;
  auto* deny_cmd = app.add_subcommand("deny", "Deny a request");
  deny_cmd->add_option("--session", deny_session,
                       "The request's authsessionid (default: the only pending one)");
  deny_cmd->add_flag("--not-me", not_me,
                     "Report that you did not start it: denies every pending request of the ID, "
                     "tells the admin, and may lock the ID");

  auto* priority_cmd = app.add_subcommand(
      "priority-code", "Get a single-use code a website may take instead of the ID (stdout)");
  auto* lock_cmd = app.add_subcommand("lock", "Lock the ID: the server refuses new requests");
  auto* unlock_cmd = app.add_subcommand("unlock", "Unlock the ID");
  auto* resume_cmd = app.add_subcommand("resume", "Lift a suspension of the ID");
  auto* activation_cmd = app.add_subcommand(
      "activation-code", "Get a single-use code to enrol another device for the ID (stdout)");
  auto* status_cmd = app.add_subcommand("status", "Show the ID's state on the server");
  auto* list_cmd = app.add_subcommand("list", "List the accounts in the state directory");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (symbol_opt->count() > 0) approve.symbol = symbol;
  if (!match.empty()) approve.match = match;

  TtyTerminal terminal;
  try {
    GlobalOptions options;
    options.state_dir = state_dir.empty() ? default_state_dir() : std::filesystem::path(state_dir);
    options.id = global_id;
    if (!pin_file.empty()) options.pin_file = pin_file;
    options.json = json;
    Commands commands(std::move(options), terminal, std::cout, std::cerr);

    if (enrol_cmd->parsed()) return commands.enrol(enrol);
    if (pending_cmd->parsed()) return commands.pending(pending_wait);
    if (approve_cmd->parsed()) return commands.approve(approve);
    if (deny_cmd->parsed()) return commands.deny(deny_session, not_me);
    if (priority_cmd->parsed()) return commands.priority_code();
    if (lock_cmd->parsed()) return commands.lock();
    if (unlock_cmd->parsed()) return commands.unlock();
    if (resume_cmd->parsed()) return commands.resume();
    if (activation_cmd->parsed()) return commands.activation_code();
    if (status_cmd->parsed()) return commands.status();
    if (list_cmd->parsed()) return commands.list();
  } catch (const CommandError& e) {
    std::cerr << "twofold-auth: " << e.what() << "\n";
    return e.code();
  } catch (const std::exception& e) {
    std::cerr << "twofold-auth: error: " << e.what() << "\n";
    return kExitError;
  }
  return kExitUsage;
}
