#pragma once
#include "oidc/client.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class ClientStore final : public oidc::ClientRegistry {
 public:
  explicit ClientStore(Database& db) : db_(db) {}
  bool add(const oidc::Client& client) override;
  std::optional<oidc::Client> find(const std::string& id) override;
  bool update(const oidc::Client& client) override;
  bool remove(const std::string& id) override;
  std::vector<oidc::Client> list() override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
