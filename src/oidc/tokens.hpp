#pragma once
// The tokens the provider issues: ID tokens (OIDC Core §2, §3.1.3.6) and RFC 9068 access
// tokens, built here and signed through TokenSigner; and the check of an access token that
// comes back (userinfo, introspection, revocation) through TokenVerifier and the deny-list.
// Pure domain code: jose sits behind the two ports (apps/twofoldd/oidc_routes).
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "oidc/client.hpp"
#include "oidc/grant.hpp"

namespace twofold::oidc {

class DenyList;

// Signs JWTs with the provider's current key for `alg` (RS256 or ES256).
class TokenSigner {
 public:
  virtual ~TokenSigner() = default;
  virtual std::string sign(const nlohmann::json& claims, std::string_view alg,
                           std::string_view typ) = 0;
};

// A token whose signature checked out against one of the provider's published keys.
struct VerifiedToken {
  nlohmann::json header;
  nlohmann::json claims;
};

// Checks the signature of a token this provider issued (jose::KeyRing::verify). Claims are
// not validated. nullopt: malformed, unknown key, or bad signature.
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  virtual std::optional<VerifiedToken> verify(std::string_view token) = 0;
};

struct TokenSettings {
  std::string issuer;  // https://host:port (no trailing slash)
  std::chrono::seconds access_token_life{300};
  std::chrono::seconds id_token_life{3600};
  // Refresh tokens without `offline_access`: the family ends this long after the login.
  std::chrono::seconds session_refresh_life{std::chrono::hours(24)};
  // With `offline_access`: each token lives this long unused (idle timeout, rotation renews).
  std::chrono::seconds offline_refresh_idle{std::chrono::hours(24 * 30)};
};

struct Reply {
  int status{200};
  nlohmann::json body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// RFC 6749 §5.2 error reply.
Reply oauth_error(int status, std::string_view error, std::string_view description);

// An RFC 6749 §5.2 error the grant code hands up ("invalid_grant", "invalid_target"...).
struct GrantError {
  std::string error;
  std::string description;
};

// The user claims a set of scopes releases (ID token, userinfo): `profile` → name,
// preferred_username; `email` → email, email_verified; `roles` → roles (array). Empty values
// are left out; `sub` is not included.
nlohmann::json scoped_claims(const UserClaims& user, const std::vector<std::string>& scopes);

bool has_scope(const std::vector<std::string>& scopes, std::string_view scope);
std::vector<std::string> split_scope(std::string_view scope);  // on spaces, duplicates dropped
std::string join_scope(const std::vector<std::string>& scopes);

// `aud` of an access token (RFC 8707): the requested resource (one of the authorized ones
// when the authorization named any), else the authorized resources, else the client's
// default audience, else the client id. A string for one audience, an array for several.
std::variant<nlohmann::json, GrantError> access_audience(const Client& client,
                                                         const std::vector<std::string>& resources,
                                                         std::optional<std::string_view> requested);
// RFC 8707 §2: an absolute URI without a fragment.
bool is_resource_uri(std::string_view uri);

class TokenMinter {
 public:
  TokenMinter(TokenSettings settings, const core::Clock& clock, core::Random& random,
              TokenSigner& signer)
      : settings_(std::move(settings)), clock_(clock), random_(random), signer_(signer) {}

  const TokenSettings& settings() const { return settings_; }
  std::string new_jti() { return random_.token(16); }

  // RFC 9068 access token for a user: sub, client_id, aud, scope, auth_time, acr, amr, jti,
  // and (scope `roles`, RFC 9068 §2.2.3.1) the user's roles.
  // `jti` and `iat` come in so the caller may record them before signing.
  std::string user_access_token(const Client& client, const Authorization& grant,
                                const std::vector<std::string>& scopes,
                                const nlohmann::json& audience, const std::string& jti,
                                core::TimePoint iat, const std::vector<std::string>& roles = {});
  // RFC 9068 access token for the client itself (client_credentials); `roles` are the
  // client's own (service account) when it has any.
  std::string client_access_token(const Client& client, const std::vector<std::string>& scopes,
                                  const nlohmann::json& audience);
  // ID token with the client's id_token_alg. `nonce` empty: left out (refresh, §12.2);
  // `access_token` non-empty: at_hash of it.
  std::string id_token(const Client& client, const Authorization& grant, const UserClaims& user,
                       std::string_view nonce, std::string_view access_token);

 private:
  TokenSettings settings_;
  const core::Clock& clock_;
  core::Random& random_;
  TokenSigner& signer_;
};

// Checks an access token presented back to us: a valid signature by a published key, header
// typ "at+jwt" (so an ID token is not taken for one), our `iss`, not expired, `jti` not on the
// deny-list. The claims, or why not (for logs and error_description).
std::variant<nlohmann::json, std::string> check_access_token(std::string_view token,
                                                             TokenVerifier& verifier,
                                                             const DenyList& deny_list,
                                                             std::string_view issuer,
                                                             core::TimePoint now);

// The token of an "Authorization: Bearer <token>" header (scheme case-insensitive, RFC 7235
// §2.1); nullopt for another scheme or a malformed header.
std::optional<std::string> bearer_of(std::string_view header);

// A JWT (three dot-separated segments) rather than one of our opaque refresh tokens.
bool looks_like_jwt(std::string_view token);

}  // namespace twofold::oidc
