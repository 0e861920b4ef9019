#pragma once
// Password reset links (migration 15): only the token's SHA-256 is stored.
#include "recovery/password_reset.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class ResetTokenStore final : public recovery::TokenStore {
 public:
  explicit ResetTokenStore(Database& db) : db_(db) {}
  void replace(const recovery::ResetToken& token) override;
  std::optional<recovery::ResetToken> find(const std::string& token_hash) override;
  bool consume(const std::string& token_hash) override;
  void restore(const recovery::ResetToken& token) override;
  void purge(core::TimePoint now) override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
