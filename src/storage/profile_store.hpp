#pragma once
#include "identity/profile.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class ProfileStore final : public identity::ProfileStore {
 public:
  explicit ProfileStore(Database& db) : db_(db) {}
  std::optional<identity::Profile> find_profile(std::string_view identity_key) override;
  void save_profile(const identity::Profile& profile) override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
