#pragma once
#include "sources/database/store.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

// Password hashes of the database credential source (R-C1) and their history.
class PasswordStore final : public sources::database::PasswordStore {
 public:
  explicit PasswordStore(Database& db) : db_(db) {}
  std::optional<sources::database::StoredPassword> find(std::string_view key) override;
  std::vector<std::string> history(std::string_view key, std::size_t limit) override;
  void set(std::string_view key, const sources::database::StoredPassword& password,
           std::size_t keep) override;
  bool rehash(std::string_view key, const std::string& old_hash,
              const std::string& new_hash) override;
  bool remove(std::string_view key) override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
