#pragma once
// Revoked access tokens (RFC 7009 §2): JWT access tokens are checked without the database, so
// revoking one puts its `jti` here until the token would have expired anyway. Issuing a token
// writes nothing; only a revocation does (the durable table, then this instance's copy).
//
// Thread-safety: denied() may be called from any thread; it reads the in-memory copy. Other
// instances' revocations arrive with the next load().
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "oidc/grant_ports.hpp"

namespace twofold::oidc {

class DenyList {
 public:
  explicit DenyList(GrantStore& store) : store_(store) {}

  // Merges the durable table into memory and drops expired entries (startup, then
  // periodically to pick up other instances' revocations).
  void load(core::TimePoint now);
  // Durable first, then in memory. An already expired token is not recorded.
  void deny(const std::string& jti, core::TimePoint expires, core::TimePoint now);
  // Entries the store already holds (returned by GrantStore::revoke_family).
  void remember(const std::vector<DeniedToken>& tokens);
  bool denied(const std::string& jti) const;
  std::size_t size() const;

 private:
  GrantStore& store_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, core::TimePoint> entries_;
};

}  // namespace twofold::oidc
