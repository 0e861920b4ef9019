#pragma once
#include "audit/audit.hpp"
#include "authsession/auth_session.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

// Live auth sessions and their audit records; both written in one transaction.
class AuthSessionStore final : public authsession::Store, public audit::Trail {
 public:
  explicit AuthSessionStore(Database& db) : db_(db) {}
  void save(std::span<const authsession::AuthSession> sessions) override;
  void remove(const std::string& id) override;
  std::vector<authsession::AuthSession> load_live() override;
  std::vector<audit::Record> list(const audit::Query& query) override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
