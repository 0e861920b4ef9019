#include "ops/daemon_control.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>
#include <vector>

namespace twofold::ops {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
namespace {

constexpr const char* kDaemonName = "twofoldd";
constexpr auto kPollInterval = 100ms;
constexpr std::size_t kLogTailLines = 20;

std::string read_text(const fs::path& path, std::size_t limit = 1 << 16) {
  std::ifstream in(path, std::ios::binary);
  std::string text(limit, '\0');
  in.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// State letter from /proc/<pid>/stat ('R', 'S', 'Z', ...); 0 when the process is gone. The
// command name may contain spaces and parentheses, so the state is found after the last ')'.
char process_state(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat", 4096);
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() ? stat[close + 2] : 0;
}

bool is_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  return process_state(pid) == 'Z';  // exited, waiting to be reaped by its parent
}

std::string signal_or_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + ::strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// The address a client on this host reaches a listener on `address` through.
std::string probe_address(const std::string& address) {
  if (address == "0.0.0.0" || address.empty()) return "127.0.0.1";
  if (address == "::") return "::1";
  return address;
}

std::string endpoint(const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

std::optional<pid_t> read_pid_file(const fs::path& path) {
  std::string text = read_text(path, 64);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0 ||
      value > INT_MAX)
    return std::nullopt;
  return static_cast<pid_t>(value);
}

void write_pid_file(const fs::path& path, pid_t pid) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << pid << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write PID file " + tmp.string());
  }
  ::chmod(tmp.c_str(), 0644);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot write PID file " + path.string() + ": " + ec.message());
}

bool is_twofoldd(pid_t pid) {
  if (pid <= 1 || is_gone(pid)) return false;
  const std::string proc = "/proc/" + std::to_string(pid);
  std::error_code ec;
  const fs::path exe = fs::read_symlink(proc + "/exe", ec);  // EACCES for other users
  if (!ec) {
    std::string name = exe.filename().string();
    if (name.ends_with(" (deleted)")) name.resize(name.size() - 10);  // upgraded in place
    if (name == kDaemonName) return true;
  }
  const std::string cmdline = read_text(proc + "/cmdline", 4096);
  const std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
  return !argv0.empty() && fs::path(argv0).filename() == kDaemonName;
}

bool port_accepts(const std::string& address, std::uint16_t port,
                  std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(probe_address(address).c_str(), std::to_string(port).c_str(), &hints, &found) !=
      0)
    return false;
  bool ok = false;
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    if (::connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
      ok = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int error = 0;
      socklen_t len = sizeof error;
      ok = ::poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
           ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return ok;
}

std::optional<fs::path> find_daemon_binary() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path dir = self.parent_path();
    for (const fs::path& candidate :
         {dir / kDaemonName, dir.parent_path() / kDaemonName / kDaemonName})
      if (is_executable_file(candidate)) return candidate;
  }
  const char* path = std::getenv("PATH");
  std::stringstream entries(path ? path : "");
  for (std::string entry; std::getline(entries, entry, ':');) {
    const fs::path candidate = fs::path(entry.empty() ? "." : entry) / kDaemonName;
    if (is_executable_file(candidate)) return fs::absolute(candidate);
  }
  return std::nullopt;
}

DaemonControl::DaemonControl(fs::path config_path, config::Config config, std::ostream& out,
                             std::ostream& err)
    : config_path_(fs::absolute(std::move(config_path))),
      config_(std::move(config)),
      out_(out),
      err_(err) {}

fs::path DaemonControl::pid_file() const {
  return config_.base_dir / "twofoldd.pid";
}

fs::path DaemonControl::log_file() const {
  return config_.log.file.empty() ? config_.base_dir / "twofoldd.log"
                                  : config_.resolve(config_.log.file);
}

std::optional<pid_t> DaemonControl::running_pid() const {
  auto pid = read_pid_file(pid_file());
  if (pid && is_twofoldd(*pid)) return pid;
  return std::nullopt;
}

int DaemonControl::start(const fs::path& daemon_binary, std::chrono::seconds timeout) {
  if (auto pid = running_pid()) {
    out_ << "twofoldd is already running (pid " << *pid << ")\n";
    return 0;
  }
  std::error_code ec;
  if (fs::remove(pid_file(), ec)) out_ << "removed stale PID file " << pid_file().string() << "\n";
  const auto& server = config_.server;
  // Otherwise the readiness probe below would be answered by whoever holds the port.
  if (port_accepts(server.listen_address, server.https_port)) {
    err_ << "twofold: " << endpoint(server.listen_address, server.https_port)
         << " already accepts connections: another server (perhaps twofoldd under systemd)"
            " is listening there\n";
    return 1;
  }
  if (!is_executable_file(daemon_binary)) {
    err_ << "twofold: " << daemon_binary.string() << " is not an executable file\n";
    return 1;
  }

  const fs::path log = log_file();
  fs::create_directories(log.parent_path(), ec);
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0) {
    err_ << "twofold: cannot open log file " << log.string() << ": " << std::strerror(errno)
         << "\n";
    return 1;
  }
  const auto log_offset = static_cast<std::uintmax_t>(::lseek(log_fd, 0, SEEK_END));
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int exec_pipe[2];
  if (null_fd < 0 || ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    err_ << "twofold: " << std::strerror(errno) << "\n";
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return 1;
  }

  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  const std::string binary = daemon_binary.string(), config_arg = config_path_.string();
  const std::string workdir = config_.base_dir.string();
  std::vector<char*> argv{const_cast<char*>(binary.c_str()), const_cast<char*>("--config"),
                          const_cast<char*>(config_arg.c_str()), nullptr};
  const pid_t pid = ::fork();
  if (pid == 0) {
    // New session: no controlling terminal, and Ctrl-C in this shell does not reach it.
    ::setsid();
    if (::chdir(workdir.c_str()) != 0) (void)::chdir("/");
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(binary.c_str(), argv.data());
    const int error = errno;
    (void)::write(exec_pipe[1], &error, sizeof error);
    ::_exit(127);
  }
  ::close(exec_pipe[1]);
  ::close(null_fd);
  ::close(log_fd);
  if (pid < 0) {
    err_ << "twofold: fork: " << std::strerror(errno) << "\n";
    ::close(exec_pipe[0]);
    return 1;
  }
  // The write end closes on exec, so this read returns 0 once twofoldd runs.
  int exec_error = 0;
  ssize_t n;
  do n = ::read(exec_pipe[0], &exec_error, sizeof exec_error);
  while (n < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (n == sizeof exec_error) {
    ::waitpid(pid, nullptr, 0);
    err_ << "twofold: cannot run " << binary << ": " << std::strerror(exec_error) << "\n";
    return 1;
  }
  write_pid_file(pid_file(), pid);
  out_ << "starting twofoldd (pid " << pid << "), log: " << log.string() << "\n";

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      remove_pid_file(pid);
      err_ << "twofold: twofoldd exited during start-up (" << signal_or_status(status) << ")\n";
      print_log_tail(log_offset);
      return 1;
    }
    if (port_accepts(server.listen_address, server.https_port, 200ms)) {
      out_ << "twofoldd is running (pid " << pid << ") at " << config_.https_url() << "\n";
      return 0;
    }
    std::this_thread::sleep_for(kPollInterval);
  }

  // Half started is the worst state (no way to tell it is broken): end it and say why.
  err_ << "twofold: twofoldd did not accept connections on "
       << endpoint(server.listen_address, server.https_port) << " within " << timeout.count()
       << " s; stopping it\n";
  ::kill(pid, SIGTERM);
  if (!wait_until_gone(pid, 5s)) ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  remove_pid_file(pid);
  print_log_tail(log_offset);
  return 1;
}

std::optional<pid_t> DaemonControl::signal_daemon(int sig, int& exit_code) {
  exit_code = 0;
  const auto recorded = read_pid_file(pid_file());
  if (!recorded || !is_twofoldd(*recorded)) {
    std::error_code ec;
    if (fs::remove(pid_file(), ec))
      out_ << "removed stale PID file " << pid_file().string() << "\n";
    out_ << "twofoldd is not running\n";
    return std::nullopt;
  }
  if (::kill(*recorded, sig) != 0) {
    err_ << "twofold: cannot signal pid " << *recorded << ": " << std::strerror(errno) << "\n";
    exit_code = 1;
    return std::nullopt;
  }
  return recorded;
}

int DaemonControl::stop(std::chrono::seconds timeout) {
  int exit_code = 0;
  const auto signalled = signal_daemon(SIGTERM, exit_code);
  if (!signalled) return exit_code;
  const pid_t pid = *signalled;
  out_ << "stopping twofoldd (pid " << pid << ")...\n";
  if (!wait_until_gone(pid, timeout)) {
    err_ << "twofold: twofoldd (pid " << pid << ") is still running after " << timeout.count()
         << " s; `twofold kill` ends it at once\n";
    return 1;
  }
  remove_pid_file(pid);
  out_ << "twofoldd stopped\n";
  return 0;
}

int DaemonControl::kill() {
  int exit_code = 0;
  const auto signalled = signal_daemon(SIGKILL, exit_code);
  if (!signalled) return exit_code;
  const pid_t pid = *signalled;
  if (!wait_until_gone(pid, 5s)) {
    err_ << "twofold: twofoldd (pid " << pid << ") survived SIGKILL (stuck in the kernel?)\n";
    return 1;
  }
  remove_pid_file(pid);
  out_ << "twofoldd (pid " << pid << ") killed\n";
  return 0;
}

int DaemonControl::status() {
  const auto recorded = read_pid_file(pid_file());
  int code = kStatusStopped;
  if (recorded && is_twofoldd(*recorded)) {
    out_ << "twofoldd is running (pid " << *recorded << ")\n";
    code = kStatusRunning;
  } else if (fs::exists(pid_file())) {
    out_ << "twofoldd is not running, but " << pid_file().string()
         << (recorded ? " names pid " + std::to_string(*recorded) : std::string(" is unreadable"))
         << " (stale; `twofold start` removes it)\n";
    code = kStatusDeadWithPidFile;
  } else {
    out_ << "twofoldd is stopped\n";
  }
  print_endpoints();
  return code;
}

bool DaemonControl::wait_until_gone(pid_t pid, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!is_gone(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

void DaemonControl::remove_pid_file(pid_t pid) const {
  // Only our own record: a concurrent `twofold start` may already have written a new one.
  if (read_pid_file(pid_file()) == pid) {
    std::error_code ec;
    fs::remove(pid_file(), ec);
  }
}

void DaemonControl::print_log_tail(std::uintmax_t from_offset) const {
  std::ifstream in(log_file(), std::ios::binary);
  if (!in) return;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uintmax_t>(in.tellg());
  const std::uintmax_t start =
      std::max<std::uintmax_t>(from_offset, size > 65536 ? size - 65536 : 0);
  in.seekg(static_cast<std::streamoff>(start));
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (lines.size() > kLogTailLines) lines.pop_front();
  }
  if (lines.empty()) {
    err_ << "(nothing was logged to " << log_file().string() << ")\n";
    return;
  }
  err_ << "last lines of " << log_file().string() << ":\n";
  for (const auto& line : lines) err_ << "  | " << line << "\n";
}

void DaemonControl::print_endpoints() const {
  const auto& s = config_.server;
  const bool up = port_accepts(s.listen_address, s.https_port, 300ms);
  out_ << "  config: " << config_path_.string() << "\n"
       << "  https:  " << endpoint(s.listen_address, s.https_port) << " (" << config_.https_url()
       << ")" << (up ? ", accepting connections" : ", not accepting connections") << "\n"
       << "  http:   "
       << (s.http_port ? endpoint(s.listen_address, s.http_port) : std::string("off")) << "\n"
       << "  log:    " << log_file().string() << "\n"
       << "  pid:    " << pid_file().string() << "\n";
}

}  // namespace twofold::ops
