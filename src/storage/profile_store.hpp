#pragma once
#include "identity/profile.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class ProfileStore final : public identity::ProfileStore {
 public:
  explicit ProfileStore(Database& db) : db_(db) {}
  std::optional<identity::Profile> find_profile(std::string_view identity_key) override;
  void save_profile(const identity::Profile& profile) override;
  // The IDs whose profile has this address (ASCII case ignored), at most `limit`.
  std::vector<std::string> keys_with_email(std::string_view email, std::size_t limit);

 private:
  Database& db_;
};

}  // namespace twofold::storage
