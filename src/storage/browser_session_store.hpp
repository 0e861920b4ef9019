#pragma once
#include "login/session.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

// Browser sessions of the login (R-O6, R-P3, R-P4); secrets are stored as SHA-256 only.
class BrowserSessionStore final : public login::SessionStore {
 public:
  explicit BrowserSessionStore(Database& db) : db_(db) {}
  void insert(const login::BrowserSession& session) override;
  std::optional<login::BrowserSession> find_by_hash(std::string_view hash) override;
  std::optional<login::BrowserSession> find_by_sid(std::string_view sid) override;
  void touch(std::string_view sid, core::TimePoint last_seen) override;
  bool rotate(std::string_view sid, std::string_view expected_hash, std::string_view new_hash,
              core::TimePoint rotated) override;
  bool remove(std::string_view sid) override;
  std::size_t remove_identity(std::string_view identity_key) override;
  std::size_t remove_stale(core::TimePoint now, core::TimePoint idle_cutoff) override;
  // The sids of an ID's sessions (to end what hangs on them, e.g. refresh tokens).
  std::vector<std::string> sids_of(std::string_view identity_key);

 private:
  std::optional<login::BrowserSession> find_where(const char* condition, std::string_view value);
  Database& db_;
};

}  // namespace twofold::storage
