#include "authenticator/state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/encoding.hpp"
#include "core/files.hpp"

namespace twofold::authenticator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kStateVersion = 1;

[[noreturn]] void fail_errno(const std::string& what, const fs::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_id(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string decode_b64(const json& j, const char* field) {
  auto bytes = core::base64_decode(j.at(field).get<std::string>());
  if (!bytes) throw std::runtime_error(std::string(field) + " is not base64");
  return std::move(*bytes);
}

json account_to_json(const Account& a) {
  return {{"id", a.id},
          {"device_id", a.device_id},
          {"device_token", a.device_token},
          {"device_name", a.device_name},
          {"key_type", std::string(crypto::key_type_name(a.key_type))},
          {"public_key_pem", a.public_key_pem},
          {"encrypted_private_key",
           {{"salt", core::base64_encode(a.private_key.salt)},
            {"opslimit", a.private_key.kdf.opslimit},
            {"memlimit", a.private_key.kdf.memlimit},
            {"nonce", core::base64_encode(a.private_key.nonce)},
            {"ciphertext", core::base64_encode(a.private_key.ciphertext)}}}};
}

Account account_from_json(const json& j) {
  Account a;
  a.id = j.at("id").get<std::string>();
  a.device_id = j.at("device_id").get<std::string>();
  a.device_token = j.at("device_token").get<std::string>();
  a.device_name = j.at("device_name").get<std::string>();
  const auto type = crypto::parse_key_type(j.at("key_type").get<std::string>());
  if (!type) throw std::runtime_error("unknown key_type for " + a.id);
  a.key_type = *type;
  a.public_key_pem = j.at("public_key_pem").get<std::string>();
  const auto& k = j.at("encrypted_private_key");
  a.private_key.salt = decode_b64(k, "salt");
  a.private_key.kdf.opslimit = k.at("opslimit").get<std::uint64_t>();
  a.private_key.kdf.memlimit = k.at("memlimit").get<std::uint64_t>();
  a.private_key.nonce = decode_b64(k, "nonce");
  a.private_key.ciphertext = decode_b64(k, "ciphertext");
  if (a.id.empty() || a.device_token.empty())
    throw std::runtime_error("an account has no id or device token");
  return a;
}

}  // namespace

std::string key_binding(const Account& account) {
  std::string out = "twofold-auth-key-v1\n";
  out.append(crypto::key_type_name(account.key_type)).append("\n").append(account.public_key_pem);
  return out;
}

const Account* State::find(std::string_view id) const {
  for (const auto& a : accounts)
    if (same_id(a.id, id)) return &a;
  return nullptr;
}

fs::path default_state_dir() {
  if (const char* env = std::getenv("TWOFOLD_AUTH_STATE"); env != nullptr && *env != '\0')
    return env;
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    throw std::runtime_error("HOME is not set; pass --state DIR or set TWOFOLD_AUTH_STATE");
  return fs::path(home) / ".config" / "twofold";
}

std::string to_json(const State& state) {
  json accounts = json::array();
  for (const auto& a : state.accounts) accounts.push_back(account_to_json(a));
  json j = {{"version", kStateVersion},
            {"server_url", state.server_url},
            {"ca_file", state.ca_file},
            {"accounts", std::move(accounts)}};
  return j.dump(2) + "\n";
}

State state_from_json(std::string_view text) {
  try {
    const auto j = json::parse(text);
    if (j.at("version").get<int>() != kStateVersion)
      throw std::runtime_error("unsupported state version");
    State s;
    s.server_url = j.at("server_url").get<std::string>();
    s.ca_file = j.at("ca_file").get<std::string>();
    for (const auto& a : j.at("accounts")) s.accounts.push_back(account_from_json(a));
    return s;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("malformed state: ") + e.what());
  }
}

std::string read_file(const fs::path& path, std::size_t max_size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_errno("cannot read", path);
  std::string out;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_size) throw std::runtime_error(path.string() + " is too large");
  }
  if (in.bad()) fail_errno("cannot read", path);
  return out;
}

fs::path StateDir::ca_file(const State& state) const {
  const fs::path ca(state.ca_file);
  return ca.is_absolute() ? ca : dir_ / ca;
}

bool StateDir::exists() const {
  return fs::exists(state_file());
}

State StateDir::load() const {
  if (!exists())
    throw std::runtime_error("no authenticator state in " + dir_.string() +
                             "; enrol first (twofold-auth enrol --server URL --ca FILE --id NAME)");
  try {
    return state_from_json(read_file(state_file()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(state_file().string() + ": " + e.what());
  }
}

void StateDir::ensure_dir() const {
  if (!fs::exists(dir_)) {
    if (dir_.has_parent_path() && !dir_.parent_path().empty())
      fs::create_directories(dir_.parent_path());
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) fail_errno("cannot create", dir_);
  }
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0) fail_errno("cannot inspect", dir_);
  if (!S_ISDIR(st.st_mode)) throw std::runtime_error(dir_.string() + " is not a directory");
  // The directory holds the bearer tokens: nobody else may even list it.
  if ((st.st_mode & 0777) != 0700 && ::chmod(dir_.c_str(), 0700) != 0)
    fail_errno("cannot restrict the permissions of", dir_);
}

void StateDir::write_atomically(const std::string& name, std::string_view content) const {
  ensure_dir();
  core::write_file_atomically(dir_ / name, content, 0600);
}

void StateDir::save(const State& state) const {
  write_atomically("state.json", to_json(state));
}

std::string StateDir::install_ca(const fs::path& source) const {
  const auto pem = read_file(source, 1 << 20);
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    throw std::runtime_error(source.string() + " holds no PEM certificate");
  write_atomically("ca.pem", pem);
  return "ca.pem";
}

StateDir::Lock::Lock(const StateDir& dir) {
  dir.ensure_dir();
  const auto path = dir.path() / ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) fail_errno("cannot open", path);
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int saved = errno;
    ::close(fd_);
    errno = saved;
    fail_errno("cannot lock", path);
  }
}

StateDir::Lock::~Lock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace twofold::authenticator
