#pragma once
// Authorization codes, refresh tokens and revoked access-token ids (migration 8): tables
// oidc_codes, oidc_refresh_tokens, oidc_denied_jtis. Only hashes of codes and refresh tokens
// are stored. Every atomic step of the grants (redeem a code once, rotate a refresh token
// once, revoke a family with its access tokens) is one transaction.
#include "oidc/grant_ports.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class GrantStore final : public oidc::GrantStore {
 public:
  explicit GrantStore(Database& db) : db_(db) {}

  void save_code(const std::string& hash, const oidc::Authorization& authorization,
                 core::TimePoint expires) override;
  std::optional<oidc::StoredCode> redeem_code(const std::string& hash,
                                              core::TimePoint now) override;

  void save_refresh(const oidc::RefreshRecord& record) override;
  std::optional<oidc::RefreshRecord> find_refresh(const std::string& hash) override;
  bool rotate_refresh(const std::string& old_hash, core::TimePoint now,
                      const oidc::RefreshRecord& next) override;
  std::vector<oidc::DeniedToken> revoke_family(const std::string& family,
                                               core::TimePoint now) override;
  std::vector<oidc::DeniedToken> revoke_session(const std::string& sid,
                                                core::TimePoint now) override;

  void deny(const oidc::DeniedToken& token) override;
  std::vector<oidc::DeniedToken> denied(core::TimePoint now) override;

  void purge(core::TimePoint codes_before, core::TimePoint now) override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
