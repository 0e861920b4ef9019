#include "setup/quick_setup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/files.hpp"
#include "crypto/certificates.hpp"
#include "crypto/signature.hpp"
#include "storage/database.hpp"

namespace twofold::setup {
namespace fs = std::filesystem;
namespace {

constexpr mode_t kSecretMode = 0600;
constexpr mode_t kPublicMode = 0644;
constexpr mode_t kConfigMode = 0640;  // no secrets today, but it names where they are

[[noreturn]] void fail_errno(const std::string& what, const fs::path& path) {
  throw SetupError(what + " " + path.string() + ": " + std::strerror(errno));
}

// Readers see the old file or the complete new one, and a key is never briefly readable.
void write_file(const fs::path& path, const std::string& content, mode_t mode) {
  try {
    core::write_file_atomically(path, content, mode);
  } catch (const std::runtime_error& e) {
    throw SetupError(e.what());
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SetupError("cannot read " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void make_dir(const fs::path& dir, fs::perms perms) {
  std::error_code ec;
  if (fs::create_directories(dir, ec)) {
    fs::permissions(dir, perms, ec);
  } else if (ec) {
    throw SetupError("cannot create directory " + dir.string() + ": " + ec.message());
  } else if (!fs::is_directory(dir)) {
    throw SetupError(dir.string() + " exists and is not a directory");
  }
}

// Absolute, normalised, without a trailing separator ("var/" and "./var" name one directory).
fs::path normal_dir(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  return p.has_filename() ? p : p.parent_path();
}

bool is_wildcard(const std::string& address) {
  return address == "0.0.0.0" || address == "::";
}

class Setup {
 public:
  explicit Setup(const Options& options) : options_(options) {}

  Result run() {
    validate(options_);
    result_.config_path = dir_ / "twofold.toml";
    if (fs::exists(result_.config_path) && !options_.force)
      throw SetupError(result_.config_path.string() +
                       " already exists; pass --force to overwrite it (the database is kept)");
    make_dir(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                       fs::perms::others_read | fs::perms::others_exec);

    build_config();
    auto ca = certificate_authority();
    server_certificate(ca);
    signing_key("keys/signing-rs256.pem", crypto::KeyType::rsa2048);
    signing_key("keys/signing-es256.pem", crypto::KeyType::p256);
    database();
    // Last, so that an interrupted run leaves no configuration and can simply be repeated.
    write_file(result_.config_path, config::render(result_.config), kConfigMode);
    result_.steps.push_back("wrote twofold.toml");
    return std::move(result_);
  }

 private:
  void build_config() {
    config::Config& c = result_.config;
    c.base_dir = dir_;
    c.server.host_names = options_.host_names;
    c.server.listen_address = options_.listen_address;
    c.server.https_port = options_.https_port;
    c.server.http_port = options_.http_port;
    c.storage.path = database_path_setting();
    // Round trip through the parser: what we write must load in twofoldd, and validation
    // (e.g. equal ports) stays in one place.
    try {
      c = config::parse(config::render(c), dir_);
    } catch (const config::ConfigError& e) {
      throw SetupError(std::string("invalid settings: ") + e.what());
    }
  }

  // The database stays next to the configuration unless a data directory is given; inside
  // DIR the path is stored relative so the whole directory can be moved.
  std::string database_path_setting() const {
    if (options_.data_dir.empty()) return "twofold.db";
    const fs::path data = normal_dir(options_.data_dir);
    const fs::path relative = data.lexically_relative(dir_);
    const fs::path file = !relative.empty() && *relative.begin() != ".." ? relative / "twofold.db"
                                                                         : data / "twofold.db";
    return file.lexically_normal().string();
  }

  std::string shown(const fs::path& p) const {
    const fs::path relative = p.lexically_relative(dir_);
    return !relative.empty() && *relative.begin() != ".." ? relative.string() : p.string();
  }

  crypto::CertifiedKey certificate_authority() {
    const fs::path crt = dir_ / "tls/ca.crt", key = dir_ / "tls/ca.key";
    make_dir(dir_ / "tls", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
    const bool have_crt = fs::exists(crt), have_key = fs::exists(key);
    crypto::CertifiedKey ca;
    if (!options_.force && (have_crt || have_key)) {
      if (!have_crt || !have_key)
        throw SetupError("found only one of tls/ca.crt and tls/ca.key in " + dir_.string() +
                         "; restore the other, remove it, or pass --force for a new CA");
      ca = {read_file(crt), read_file(key)};
      if (!crypto::certificate_matches_key(ca.certificate_pem, ca.private_key_pem))
        throw SetupError("tls/ca.crt and tls/ca.key in " + dir_.string() +
                         " do not belong together; pass --force for a new CA");
      result_.steps.push_back("reused tls/ca.crt and tls/ca.key");
    } else {
      ca = crypto::make_ca("twofold CA " + options_.host_names.front());
      // Key first: a certificate without its key could not be reused on the next run.
      write_file(key, ca.private_key_pem, kSecretMode);
      write_file(crt, ca.certificate_pem, kPublicMode);
      result_.steps.push_back("created tls/ca.crt and tls/ca.key (10 years)");
    }
    result_.ca_fingerprint = crypto::certificate_fingerprint(ca.certificate_pem);
    return ca;
  }

  void server_certificate(const crypto::CertifiedKey& ca) {
    const config::Config& c = result_.config;
    std::vector<std::string> ips;
    if (!is_wildcard(c.server.listen_address)) ips.push_back(c.server.listen_address);
    crypto::CertifiedKey server;
    try {
      server = crypto::make_server_certificate(ca, c.server.host_names, ips);
    } catch (const crypto::CertificateError& e) {
      throw SetupError(std::string("cannot issue the server certificate: ") + e.what());
    }
    const fs::path crt = c.resolve(c.server.tls_certificate);
    const fs::path key = c.resolve(c.server.tls_private_key);
    write_file(key, server.private_key_pem, kSecretMode);
    write_file(crt, server.certificate_pem, kPublicMode);
    result_.steps.push_back("created " + shown(crt) + " and " + shown(key) + " (2 years)");
  }

  void signing_key(const std::string& name, crypto::KeyType type) {
    const fs::path path = dir_ / name;
    make_dir(path.parent_path(), fs::perms::owner_all);
    if (!options_.force && fs::exists(path)) {
      if (read_file(path).find("-----BEGIN PRIVATE KEY-----") == std::string::npos)
        throw SetupError(path.string() + " is not a PKCS#8 private key; remove it or pass --force");
      result_.steps.push_back("reused " + name);
      return;
    }
    write_file(path, crypto::generate_key_pair(type).private_key_pem, kSecretMode);
    result_.steps.push_back("created " + name);
  }

  void database() {
    const config::Config& c = result_.config;
    const fs::path path = c.resolve(c.storage.path);
    const bool existed = fs::exists(path);
    if (!existed) {
      // It holds token hashes and device keys: readable by the server's user only. Made
      // empty here (SQLite accepts that) so that it, and the WAL files SQLite derives from
      // its mode, never exist with looser permissions.
      make_dir(path.parent_path(),
               fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
      const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kSecretMode);
      if (fd < 0) fail_errno("cannot create", path);
      ::close(fd);
    }
    int version = 0;
    try {
      auto db = storage::Database::open(c);
      version = db->schema_version();
    } catch (const std::exception& e) {
      throw SetupError(std::string("cannot create the database: ") + e.what());
    }
    result_.steps.push_back((existed ? "opened " : "created ") + shown(path) + " (schema version " +
                            std::to_string(version) + ")");
  }

  const Options& options_;
  const fs::path dir_ = normal_dir(options_.dir);
  Result result_;
};

}  // namespace

void validate(const Options& options) {
  if (options.dir.empty()) throw SetupError("the setup directory must not be empty");
  if (options.host_names.empty()) throw SetupError("at least one host name is needed");
  for (const auto& h : options.host_names)
    if (!crypto::is_dns_name(h) && !crypto::is_ip_address(h))
      throw SetupError("\"" + h + "\" is neither a host name nor an IP address");
  if (!crypto::is_ip_address(options.listen_address))
    throw SetupError("listen address \"" + options.listen_address +
                     "\" is not an IP address (0.0.0.0 or :: listen on all)");
  if (options.https_port == 0) throw SetupError("the HTTPS port must not be 0");
  if (options.https_port == options.http_port)
    throw SetupError("the HTTPS and HTTP ports must differ");
}

Result quick_setup(const Options& options) {
  return Setup(options).run();
}

}  // namespace twofold::setup
