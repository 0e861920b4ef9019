#include "oidc/refresh_tokens.hpp"

#include "core/encoding.hpp"

namespace twofold::oidc {
namespace {

// "tfr_" + 32 random bytes: recognisable for secret scanners, never mistaken for a JWT.
constexpr std::string_view kPrefix = "tfr_";
constexpr std::size_t kTokenChars = 4 + 43;

GrantError invalid(std::string description) {
  return {"invalid_grant", std::move(description)};
}

}  // namespace

RefreshRecord RefreshTokens::successor(const std::string& family, const Authorization& grant,
                                       bool offline, const std::string& access_jti,
                                       core::TimePoint access_expires, std::string& token) {
  const auto now = clock_.now();
  token = std::string(kPrefix) + random_.token(32);
  RefreshRecord r;
  r.hash = core::sha256_hex(token);
  r.family = family;
  r.grant = grant;
  r.grant.nonce.clear();  // OIDC Core §12.2: refreshed ID tokens carry no nonce
  r.grant.code_challenge.clear();
  r.grant.code_challenge_method.clear();
  r.grant.redirect_uri.clear();
  r.offline = offline;
  r.created = now;
  if (offline) {
    r.expires = now + settings_.offline_refresh_idle;
  } else {
    const auto login = grant.auth_time == core::TimePoint{} ? now : grant.auth_time;
    r.expires = login + settings_.session_refresh_life;
  }
  r.access_jti = access_jti;
  r.access_expires = access_expires;
  return r;
}

std::string RefreshTokens::start_family(const std::string& family, const Authorization& grant,
                                        const std::string& access_jti,
                                        core::TimePoint access_expires) {
  std::string token;
  const bool offline = has_scope(grant.scopes, "offline_access");
  store_.save_refresh(successor(family, grant, offline, access_jti, access_expires, token));
  return token;
}

std::variant<RefreshRecord, GrantError> RefreshTokens::check(std::string_view token,
                                                             const Client& client) {
  auto record = find(token);
  if (!record) return invalid("unknown refresh token");
  // Bound to the client: another client's token is refused and changes nothing (it may be
  // probing with a leaked token; the owner's family stays usable).
  if (record->grant.client_id != client.id)
    return invalid("the refresh token was issued to another client");
  if (record->revoked) return invalid("the refresh token was revoked");
  if (record->used) {
    revoke_family(record->family);
    return invalid("the refresh token was already used; its grant is revoked");
  }
  if (record->expires <= clock_.now()) return invalid("the refresh token has expired");
  return std::move(*record);
}

std::optional<std::string> RefreshTokens::rotate(const RefreshRecord& current,
                                                 const std::string& access_jti,
                                                 core::TimePoint access_expires) {
  std::string token;
  RefreshRecord next =
      successor(current.family, current.grant, current.offline, access_jti, access_expires, token);
  if (!current.offline) next.expires = current.expires;  // the login's end does not move
  if (!store_.rotate_refresh(current.hash, clock_.now(), next)) {
    revoke_family(current.family);
    return std::nullopt;
  }
  return token;
}

void RefreshTokens::revoke_family(const std::string& family) {
  deny_.remember(store_.revoke_family(family, clock_.now()));
}

void RefreshTokens::revoke_session(const std::string& sid) {
  if (sid.empty()) return;
  deny_.remember(store_.revoke_session(sid, clock_.now()));
}

std::optional<RefreshRecord> RefreshTokens::find(std::string_view token) {
  if (token.size() != kTokenChars || token.substr(0, kPrefix.size()) != kPrefix)
    return std::nullopt;
  return store_.find_refresh(core::sha256_hex(token));
}

bool RefreshTokens::is_active(const RefreshRecord& record) const {
  return !record.used && !record.revoked && clock_.now() < record.expires;
}

}  // namespace twofold::oidc
