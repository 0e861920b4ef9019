#pragma once
// `twofold setup`: turns a directory into a ready-to-start server. Writes, under DIR:
//   twofold.toml                  every setting, commented (config::render)
//   tls/ca.crt, tls/ca.key        private CA that clients install or pin
//   tls/server.crt, server.key    HTTPS certificate for every configured host name
//   keys/signing-rs256.pem        OpenID Connect token signing keys (RSA-2048, P-256)
//   keys/signing-es256.pem
// and creates (or migrates) the database. Secrets are 0600, and every file is written to a
// temporary name and renamed, so a crash never leaves a half-written key behind.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace twofold::setup {

struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  std::filesystem::path dir{"var"};
  std::filesystem::path data_dir{};  // where the database lives; empty: `dir`
  std::vector<std::string> host_names = config::Server{}.host_names;
  std::string listen_address = config::Server{}.listen_address;
  std::uint16_t https_port = config::Server{}.https_port;
  std::uint16_t http_port = config::Server{}.http_port;  // 0 = off
  // Overwrite an existing configuration and make new keys and certificates. The database is
  // never deleted: it is opened, and pending migrations are applied.
  bool force = false;
};

struct Result {
  std::filesystem::path config_path;  // absolute
  config::Config config;              // as written
  std::vector<std::string> steps;     // one line per file: "created tls/ca.crt", ...
  std::string ca_fingerprint;         // SHA-256 of tls/ca.crt
};

// Throws SetupError naming the offending option (host name, address, port).
void validate(const Options& options);

// Without `force`, refuses when DIR/twofold.toml exists, and reuses a CA and signing keys
// left by an earlier, interrupted run (the configuration is written last for that reason).
// The server certificate is always issued anew: it must match the host names just chosen.
Result quick_setup(const Options& options);

}  // namespace twofold::setup
