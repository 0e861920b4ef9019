#pragma once
#include "identity/identity.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class IdentityStore final : public identity::Directory {
 public:
  explicit IdentityStore(Database& db) : db_(db) {}
  std::optional<identity::Identity> find(std::string_view key) override;
  bool create(identity::Identity& identity, bool admin_if_first) override;
  void save(const identity::Identity& identity) override;
  std::vector<identity::Identity> list();

 private:
  Database& db_;
};

}  // namespace twofold::storage
