#pragma once
// Persistence port of the authorization-code and refresh-token grants and of the access-token
// deny-list (storage::GrantStore, migration 8). Codes and refresh tokens are stored only as
// SHA-256 of the token: a copy of the database cannot be replayed.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "oidc/grant.hpp"

namespace twofold::oidc {

struct StoredCode {
  Authorization authorization;
  core::TimePoint expires{};
  std::optional<core::TimePoint> redeemed;  // set by the first redemption
};

// One refresh token. Every token rotated out of one code shares its family.
struct RefreshRecord {
  std::string hash;     // SHA-256 hex of the token
  std::string family;   // the code's hash
  Authorization grant;  // what was authorized (nonce, PKCE and redirect URI cleared)
  bool offline{false};  // `offline_access`: outlives the browser session
  core::TimePoint created{};
  core::TimePoint expires{};
  std::optional<core::TimePoint> used;  // rotated: its successor was issued then
  bool revoked{false};
  std::string access_jti;  // the access token issued together with it
  core::TimePoint access_expires{};
};

// A revoked access token, denied until it expires anyway.
struct DeniedToken {
  std::string jti;
  core::TimePoint expires{};
};

class GrantStore {
 public:
  virtual ~GrantStore() = default;

  virtual void save_code(const std::string& hash, const Authorization& authorization,
                         core::TimePoint expires) = 0;
  // Atomically marks the code redeemed at `now` unless it already is, and returns it as it
  // was before (so a second redemption sees `redeemed`). nullopt: unknown code.
  virtual std::optional<StoredCode> redeem_code(const std::string& hash, core::TimePoint now) = 0;

  virtual void save_refresh(const RefreshRecord& record) = 0;
  virtual std::optional<RefreshRecord> find_refresh(const std::string& hash) = 0;
  // Atomically: marks `old_hash` used at `now` and saves `next` — only if the old token is
  // still unused and not revoked. false: someone else rotated or revoked it first.
  virtual bool rotate_refresh(const std::string& old_hash, core::TimePoint now,
                              const RefreshRecord& next) = 0;
  // Revokes every token of the family and puts the access tokens issued with them that are
  // still valid at `now` on the deny-list, in one transaction; returns those.
  virtual std::vector<DeniedToken> revoke_family(const std::string& family,
                                                 core::TimePoint now) = 0;
  // The same for every family of the browser session `sid` that is not offline.
  virtual std::vector<DeniedToken> revoke_session(const std::string& sid, core::TimePoint now) = 0;

  virtual void deny(const DeniedToken& token) = 0;                   // insert or keep
  virtual std::vector<DeniedToken> denied(core::TimePoint now) = 0;  // those not yet expired

  // Deletes codes that expired before `codes_before`, and refresh tokens and deny-list
  // entries that expired before `now`.
  virtual void purge(core::TimePoint codes_before, core::TimePoint now) = 0;
};

// The stored form of an Authorization (both tables keep it as JSON).
nlohmann::json to_json(const Authorization& authorization);
std::optional<Authorization> authorization_from_json(const nlohmann::json& j);

}  // namespace twofold::oidc
