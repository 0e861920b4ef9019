#pragma once
// `twofold start|stop|status|kill`: runs twofoldd in the background without systemd, for
// development and small installations. The daemon itself stays a plain foreground process
// (which is what systemd wants); this side detaches it, records its PID in
// <config dir>/twofoldd.pid and waits until its HTTPS port accepts connections.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace twofold::ops {

// Exit codes of `status`, as for LSB init scripts.
inline constexpr int kStatusRunning = 0;
inline constexpr int kStatusDeadWithPidFile = 1;
inline constexpr int kStatusStopped = 3;

inline constexpr std::chrono::seconds kDefaultTimeout{15};

// The PID recorded in `path`; nullopt when it is missing or does not hold one positive number.
std::optional<pid_t> read_pid_file(const std::filesystem::path& path);
// Atomically (temporary file + rename), mode 0644.
void write_pid_file(const std::filesystem::path& path, pid_t pid);

// True when `pid` is a live (not zombie) process whose executable or argv[0] is named
// twofoldd: a PID file left by a crash may name a PID the kernel has since reused.
bool is_twofoldd(pid_t pid);

// True when a TCP connection to address:port succeeds within `timeout`. The wildcard
// addresses 0.0.0.0 and :: are probed through the loopback address.
bool port_accepts(const std::string& address, std::uint16_t port,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(500));

// twofoldd next to the running executable (installed layout), in the build tree's sibling
// folder (../twofoldd/twofoldd), else the first one on PATH.
std::optional<std::filesystem::path> find_daemon_binary();

class DaemonControl {
 public:
  // `config_path` is what twofoldd gets as --config; `config` is its parsed content. Progress
  // goes to `out`, failures to `err`.
  DaemonControl(std::filesystem::path config_path, config::Config config, std::ostream& out,
                std::ostream& err);

  std::filesystem::path pid_file() const;
  // The configured log file, else <config dir>/twofoldd.log: twofoldd's stdout and stderr
  // go there too, so a start-up failure is never lost.
  std::filesystem::path log_file() const;

  // The PID of the running twofoldd named by the PID file.
  std::optional<pid_t> running_pid() const;

  // Returns the process exit code: 0 on success (also when it was already running).
  int start(const std::filesystem::path& daemon_binary,
            std::chrono::seconds timeout = kDefaultTimeout);
  // SIGTERM, then waits; 0 when it stopped (or was not running), 1 when it is still running.
  int stop(std::chrono::seconds timeout = kDefaultTimeout);
  // SIGKILL; 0 when it is gone (or was not running).
  int kill();
  // kStatusRunning, kStatusDeadWithPidFile or kStatusStopped, with a description on `out`.
  int status();

 private:
  // Sends `sig` to the twofoldd of the PID file; nullopt (with the exit code to return) when
  // it is not running or cannot be signalled.
  std::optional<pid_t> signal_daemon(int sig, int& exit_code);
  bool wait_until_gone(pid_t pid, std::chrono::milliseconds timeout) const;
  void remove_pid_file(pid_t pid) const;
  void print_log_tail(std::uintmax_t from_offset) const;
  void print_endpoints() const;

  std::filesystem::path config_path_;
  config::Config config_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace twofold::ops
