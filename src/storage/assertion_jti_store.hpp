#pragma once
// The jtis of accepted client assertions (migration 10), kept until the assertion expires so
// each is used once (RFC 7523 §3, OIDC Core §9) on every instance sharing the database.
#include "oidc/client_assertion.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class AssertionJtiStore final : public oidc::JtiRegistry {
 public:
  explicit AssertionJtiStore(Database& db) : db_(db) {}
  // One transaction: drops expired entries, then inserts unless (client, jti) is present.
  bool remember(const std::string& client_id, const std::string& jti, core::TimePoint expires,
                core::TimePoint now) override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
