#pragma once
#include "servicekey/service_key.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class ServiceKeyStore final : public servicekey::Registry {
 public:
  explicit ServiceKeyStore(Database& db) : db_(db) {}
  bool add(const servicekey::ServiceKey& key) override;
  std::optional<std::string> service_for(const std::string& key_hash) override;
  bool remove(const std::string& service) override;
  std::vector<servicekey::ServiceKey> list() override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
