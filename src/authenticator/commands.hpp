#pragma once
// The twofold-auth commands, independent of the command-line parser: main.cpp maps CLI11
// options onto these structs and a Terminal onto the real tty.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "authenticator/device_client.hpp"
#include "authenticator/key_store.hpp"
#include "authenticator/state.hpp"

namespace twofold::authenticator {

// Exit codes of twofold-auth.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,   // any failure, including "no pending requests" and a wrong PIN
  kExitUsage = 2,   // bad command line
  kExitDenied = 3,  // approve: the server turned the answer into a denial (wrong symbol)
};

// A failure that ends the command with `code` and `message` (no "error:" prefix needed).
class CommandError : public std::runtime_error {
 public:
  explicit CommandError(const std::string& message, int code = kExitError)
      : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// The user at the terminal (tests script it).
class Terminal {
 public:
  virtual ~Terminal() = default;
  // True when someone can answer a prompt (stdin is a terminal).
  virtual bool interactive() const = 0;
  // Reads a line without echo; throws CommandError when there is no terminal.
  virtual Secret read_secret(std::string_view prompt) = 0;
  // Reads a line with echo; throws CommandError when there is no terminal.
  virtual std::string read_line(std::string_view prompt) = 0;
};

struct GlobalOptions {
  std::filesystem::path state_dir;
  std::string id;                                 // empty: the only account
  std::optional<std::filesystem::path> pin_file;  // else $TWOFOLD_PIN, else the terminal
  bool json{false};
};

struct EnrolOptions {
  std::string server;       // empty: the one the state remembers
  std::string ca_file;      // empty: the one the state remembers
  std::string id;           // empty: GlobalOptions::id
  std::string device_name;  // empty: the host name
  std::string key_type{"p256"};
  std::string activation_code;
};

struct ApproveOptions {
  std::string session;  // empty: the only pending one
  std::optional<std::uint32_t> symbol;
  std::optional<std::filesystem::path> match;  // PNG file to compare with the candidates
  int wait_seconds{0};
};

// Picks the candidate for --symbol / --match; throws CommandError listing the candidates.
const Candidate& candidate_by_symbol(const std::vector<Candidate>& candidates,
                                     std::uint32_t symbol);
const Candidate& candidate_by_png(const std::vector<Candidate>& candidates, std::string_view png);
// Replaces control characters so server-supplied text cannot drive the terminal.
std::string printable(std::string_view text);
// "45 s", "4 min 59 s", "23 h 59 min".
std::string format_duration(std::int64_t seconds);
// IDs are 1–255 characters of A–Z a–z 0–9 . _ @ -
bool is_valid_id(std::string_view id);

class Commands {
 public:
  Commands(GlobalOptions options, Terminal& terminal, std::ostream& out, std::ostream& err);

  int enrol(const EnrolOptions& options);
  int pending(int wait_seconds);
  int approve(const ApproveOptions& options);
  int deny(const std::string& session, bool not_me);
  int priority_code();
  int lock() { return status_action("lock"); }
  int unlock() { return status_action("unlock"); }
  int resume() { return status_action("resume"); }
  int activation_code();
  int status();
  int list();

 private:
  struct Context {
    State state;
    Account account;
    DeviceClient client;
  };

  Context open_account() const;
  Secret read_pin(bool confirm) const;
  Secret unlock_key(const Account& account) const;
  // Waits up to `wait_seconds` for a pending session (the one named `wanted`, if given).
  PendingSession pick_session(DeviceClient& client, const std::string& wanted, int wait_seconds,
                              bool any_of_several) const;
  std::uint32_t choose_symbol(const std::vector<Candidate>& candidates,
                              const ApproveOptions& options) const;
  int report_answer(const AnswerResult& result, const PendingSession& session) const;
  nlohmann::json signed_action(Context& ctx, std::string_view action) const;
  int status_action(std::string_view action);
  void print_status(const nlohmann::json& status) const;
  void print_code(const nlohmann::json& answer, std::string_view what) const;

  GlobalOptions options_;
  Terminal& terminal_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace twofold::authenticator
