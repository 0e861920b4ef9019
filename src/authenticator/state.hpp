#pragma once
// The authenticator's state directory: state.json (server, accounts, encrypted keys) and
// ca.pem (the CA that signs the server's certificate). Files are 0600, the directory 0700,
// and every write is atomic (temporary file + rename) so a crash never leaves half a state.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authenticator/key_store.hpp"
#include "crypto/signature.hpp"

namespace twofold::authenticator {

struct Account {
  std::string id;  // as the server returned it at enrolment
  std::string device_id;
  std::string device_token;  // bearer token: as secret as the key file itself
  std::string device_name;
  crypto::KeyType key_type{crypto::KeyType::p256};
  std::string public_key_pem;
  SealedKey private_key;
};

// What the sealed private key of `account` is bound to (see seal()).
std::string key_binding(const Account& account);

struct State {
  std::string server_url;
  std::string ca_file;  // relative paths are relative to the state directory
  std::vector<Account> accounts;

  // Case-insensitive, as IDs are on the server.
  const Account* find(std::string_view id) const;
};

// The state directory given by --state, else $TWOFOLD_AUTH_STATE, else ~/.config/twofold.
std::filesystem::path default_state_dir();

std::string to_json(const State& state);
// Throws std::runtime_error naming what is wrong.
State state_from_json(std::string_view text);

class StateDir {
 public:
  explicit StateDir(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& path() const { return dir_; }
  std::filesystem::path state_file() const { return dir_ / "state.json"; }
  // Where the CA file of `state` is, resolved against the directory.
  std::filesystem::path ca_file(const State& state) const;

  bool exists() const;
  // Throws when the state is missing ("enrol first") or unreadable.
  State load() const;
  // Creates the directory (0700) if needed and replaces state.json atomically (0600).
  void save(const State& state) const;
  // Copies `source` to ca.pem atomically (0600); returns the name to store in State::ca_file.
  std::string install_ca(const std::filesystem::path& source) const;

  // Serialises read-modify-write cycles of concurrent twofold-auth processes (flock).
  class Lock {
   public:
    explicit Lock(const StateDir& dir);
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    int fd_{-1};
  };

 private:
  void ensure_dir() const;
  void write_atomically(const std::string& name, std::string_view content) const;

  std::filesystem::path dir_;
};

// Reads a whole file; throws std::runtime_error naming the file when it cannot.
std::string read_file(const std::filesystem::path& path, std::size_t max_size = 16 << 20);

}  // namespace twofold::authenticator
