#pragma once
// Refresh tokens (RFC 6749 §6, RFC 9700 §4.14): opaque, stored as SHA-256, bound to the
// client, rotated on every use; presenting a rotated token again revokes its whole family
// (every token descended from the same code) and the access tokens issued with them.
//
// When one is issued (decided like Keycloak, lifetimes like Authelia's offline_access):
// the authorization_code grant returns a refresh token when the client's grant types include
// `refresh_token` (the registry's default for code-flow clients). Without the scope
// `offline_access` the family is bound to the login: it ends `session_refresh_life` after
// auth_time and when the browser session `sid` is logged out (revoke_session). With
// `offline_access` granted it is independent of the browser session and expires after
// `offline_refresh_idle` without use (each rotation renews it). Every refresh re-checks that
// the user may still sign in.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/random.hpp"
#include "oidc/client.hpp"
#include "oidc/deny_list.hpp"
#include "oidc/grant_ports.hpp"
#include "oidc/tokens.hpp"

namespace twofold::oidc {

class RefreshTokens {
 public:
  RefreshTokens(const TokenSettings& settings, const core::Clock& clock, core::Random& random,
                GrantStore& store, DenyList& deny_list)
      : settings_(settings), clock_(clock), random_(random), store_(store), deny_(deny_list) {}

  // Whether the code grant issues a refresh token to this client (see above).
  static bool issued_to(const Client& client) { return client.allows_grant("refresh_token"); }

  // The first token of a family (the code grant); `access_jti`/`access_expires`: the access
  // token issued with it, denied should the family be revoked.
  std::string start_family(const std::string& family, const Authorization& grant,
                           const std::string& access_jti, core::TimePoint access_expires);

  // A presented token: known, issued to `client`, not revoked, not expired, and not rotated
  // before — a rotated one is a replay (stolen token or a confused client), so its family is
  // revoked. invalid_grant otherwise.
  std::variant<RefreshRecord, GrantError> check(std::string_view token, const Client& client);
  // The successor of `current` (same grant, same family). nullopt when a concurrent request
  // rotated or revoked it first: the family is revoked then, as for a replay.
  std::optional<std::string> rotate(const RefreshRecord& current, const std::string& access_jti,
                                    core::TimePoint access_expires);

  void revoke_family(const std::string& family);
  // Logout of the browser session `sid`: its non-offline families end.
  void revoke_session(const std::string& sid);

  // The record of a token in any state (revocation), or nullopt when unknown.
  std::optional<RefreshRecord> find(std::string_view token);
  // Introspection: active means known, unused, not revoked and not expired.
  bool is_active(const RefreshRecord& record) const;

 private:
  RefreshRecord successor(const std::string& family, const Authorization& grant, bool offline,
                          const std::string& access_jti, core::TimePoint access_expires,
                          std::string& token);

  TokenSettings settings_;
  const core::Clock& clock_;
  core::Random& random_;
  GrantStore& store_;
  DenyList& deny_;
};

}  // namespace twofold::oidc
