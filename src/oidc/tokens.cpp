#include "oidc/tokens.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "core/encoding.hpp"
#include "oidc/deny_list.hpp"

namespace twofold::oidc {

using nlohmann::json;

namespace {

std::int64_t seconds_of(core::TimePoint t) {
  return core::to_millis(t) / 1000;
}

// OIDC Core §3.1.3.6: base64url of the left half of the hash of the token's ASCII octets;
// RS256 and ES256 both hash with SHA-256.
std::string at_hash(std::string_view access_token) {
  const auto digest = core::from_hex(core::sha256_hex(access_token));
  return core::base64url_encode(std::string_view(*digest).substr(0, 16));
}

void add_session_facts(json& claims, const Authorization& grant) {
  if (grant.auth_time != core::TimePoint{}) claims["auth_time"] = seconds_of(grant.auth_time);
  if (!grant.acr.empty()) claims["acr"] = grant.acr;
  if (!grant.amr.empty()) claims["amr"] = grant.amr;
}

}  // namespace

Reply oauth_error(int status, std::string_view error, std::string_view description) {
  return {status, json{{"error", error}, {"error_description", description}}, {}};
}

bool has_scope(const std::vector<std::string>& scopes, std::string_view scope) {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::vector<std::string> split_scope(std::string_view scope) {
  std::vector<std::string> out;
  std::istringstream in{std::string(scope)};
  for (std::string s; in >> s;)
    if (!has_scope(out, s)) out.push_back(s);
  return out;
}

std::string join_scope(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

json scoped_claims(const UserClaims& user, const std::vector<std::string>& scopes) {
  json out = json::object();
  if (has_scope(scopes, "profile")) {
    if (!user.name.empty()) out["name"] = user.name;
    if (!user.preferred_username.empty()) out["preferred_username"] = user.preferred_username;
  }
  if (has_scope(scopes, "email") && !user.email.empty()) {
    out["email"] = user.email;
    out["email_verified"] = user.email_verified;
  }
  if (has_scope(scopes, "roles")) out["roles"] = user.roles;  // [] says "no roles"
  return out;
}

bool is_resource_uri(std::string_view uri) {
  const auto colon = uri.find("://");
  return colon != std::string_view::npos && colon > 0 && uri.size() > colon + 3 &&
         uri.find('#') == std::string_view::npos && uri.size() <= 2000;
}

std::variant<json, GrantError> access_audience(const Client& client,
                                               const std::vector<std::string>& resources,
                                               std::optional<std::string_view> requested) {
  if (requested) {
    if (!is_resource_uri(*requested))
      return GrantError{"invalid_target", "resource must be an absolute URI"};
    if (!resources.empty() && !has_scope(resources, *requested))
      return GrantError{"invalid_target", "resource was not part of the authorization"};
    return json(std::string(*requested));
  }
  if (resources.size() == 1) return json(resources.front());
  if (!resources.empty()) return json(resources);
  return json(client.audience.empty() ? client.id : client.audience);
}

std::string TokenMinter::user_access_token(const Client& client, const Authorization& grant,
                                           const std::vector<std::string>& scopes,
                                           const json& audience, const std::string& jti,
                                           core::TimePoint iat,
                                           const std::vector<std::string>& roles) {
  const auto now = seconds_of(iat);
  json claims = {{"iss", settings_.issuer},
                 {"sub", grant.subject},
                 {"aud", audience},
                 {"client_id", client.id},
                 {"iat", now},
                 {"exp", now + settings_.access_token_life.count()},
                 {"jti", jti}};
  if (!scopes.empty()) claims["scope"] = join_scope(scopes);
  if (has_scope(scopes, "roles")) claims["roles"] = roles;
  add_session_facts(claims, grant);
  return signer_.sign(claims, client.access_token_alg, "at+jwt");
}

std::string TokenMinter::client_access_token(const Client& client,
                                             const std::vector<std::string>& scopes,
                                             const json& audience) {
  const auto now = seconds_of(clock_.now());
  json claims = {{"iss", settings_.issuer},
                 {"sub", client.id},
                 {"aud", audience},
                 {"client_id", client.id},
                 {"iat", now},
                 {"exp", now + settings_.access_token_life.count()},
                 {"jti", new_jti()}};
  if (!scopes.empty()) claims["scope"] = join_scope(scopes);
  if (!client.roles.empty()) claims["roles"] = client.roles;
  return signer_.sign(claims, client.access_token_alg, "at+jwt");
}

std::string TokenMinter::id_token(const Client& client, const Authorization& grant,
                                  const UserClaims& user, std::string_view nonce,
                                  std::string_view access_token) {
  const auto now = seconds_of(clock_.now());
  json claims = scoped_claims(user, grant.scopes);
  claims.update(json{{"iss", settings_.issuer},
                     {"sub", grant.subject},
                     {"aud", client.id},
                     {"azp", client.id},
                     {"iat", now},
                     {"exp", now + settings_.id_token_life.count()}});
  add_session_facts(claims, grant);
  if (!nonce.empty()) claims["nonce"] = nonce;
  if (!grant.sid.empty()) claims["sid"] = grant.sid;
  if (!access_token.empty()) claims["at_hash"] = at_hash(access_token);
  return signer_.sign(claims, client.id_token_alg, "JWT");
}

std::optional<std::string> bearer_of(std::string_view header) {
  if (header.size() <= 7) return std::nullopt;
  const std::string_view scheme = header.substr(0, 7);
  bool is_bearer = true;
  for (std::size_t i = 0; i < 6; ++i)
    if (std::tolower(static_cast<unsigned char>(scheme[i])) != "bearer"[i]) is_bearer = false;
  if (!is_bearer || scheme[6] != ' ') return std::nullopt;
  std::string_view token = header.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty() || token.find(' ') != std::string_view::npos) return std::nullopt;
  return std::string(token);
}

bool looks_like_jwt(std::string_view token) {
  return std::count(token.begin(), token.end(), '.') == 2;
}

std::variant<json, std::string> check_access_token(std::string_view token, TokenVerifier& verifier,
                                                   const DenyList& deny_list,
                                                   std::string_view issuer, core::TimePoint now) {
  if (!looks_like_jwt(token)) return std::string("not an access token of this provider");
  auto verified = verifier.verify(token);
  if (!verified) return std::string("the signature does not verify");
  const json& header = verified->header;
  json& claims = verified->claims;
  if (!header.contains("typ") || header["typ"] != "at+jwt")
    return std::string("not an access token (typ)");
  if (!claims.contains("iss") || claims["iss"] != issuer)
    return std::string("issued by someone else");
  const auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer() ||
      exp->get<std::int64_t>() <= seconds_of(now))
    return std::string("the token has expired");
  const auto jti = claims.find("jti");
  if (jti == claims.end() || !jti->is_string()) return std::string("the token has no jti");
  if (deny_list.denied(jti->get<std::string>())) return std::string("the token was revoked");
  if (!claims.contains("sub") || !claims["sub"].is_string() || !claims.contains("client_id") ||
      !claims["client_id"].is_string())
    return std::string("the token lacks sub or client_id");
  return std::move(claims);
}

}  // namespace twofold::oidc
