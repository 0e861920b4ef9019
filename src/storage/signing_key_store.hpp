#pragma once
// The provider's signing keys (table signing_keys, migration 3), shared by every instance on
// the database. Private keys are stored as PKCS#8 PEM, as readable as the key files
// `twofold setup` writes: protect the database like the keys/ directory.
#include "jose/key_ring.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class SigningKeyStore final : public jose::KeyStore {
 public:
  explicit SigningKeyStore(Database& db) : db_(db) {}
  std::vector<jose::StoredKey> load() override;
  bool save(const jose::StoredKey& key) override;
  void retire(const std::string& kid, core::TimePoint at) override;
  void remove(const std::string& kid) override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
