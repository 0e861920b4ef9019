#include "admin/access.hpp"

#include <algorithm>

namespace twofold::admin {
namespace {

using nlohmann::json;

constexpr std::string_view kRealm = "Bearer realm=\"twofold\"";

bool holds(const json& list_or_string, std::string_view wanted) {
  if (list_or_string.is_string()) return list_or_string.get<std::string>() == wanted;
  if (!list_or_string.is_array()) return false;
  return std::any_of(list_or_string.begin(), list_or_string.end(), [&](const json& v) {
    return v.is_string() && v.get<std::string>() == wanted;
  });
}

bool has_role(const std::vector<std::string>& roles) {
  return std::find(roles.begin(), roles.end(), kAdminRole) != roles.end();
}

oidc::Reply invalid_token(std::string_view why) {
  return bearer_error(401, "invalid_token", why);
}

oidc::Reply forbidden(std::string_view why) {
  return bearer_error(403, "insufficient_scope", why);
}

}  // namespace

std::string admin_audience(std::string_view issuer) {
  return std::string(issuer) + "/admin";
}

std::string Principal::describe() const {
  return service_account ? "client " + client_id : "user " + subject + " (via " + client_id + ")";
}

oidc::Reply bearer_error(int status, std::string_view error, std::string_view description) {
  oidc::Reply r = oidc::oauth_error(status, error, description);
  // Descriptions are ours: no quotes or backslashes to escape.
  r.headers.push_back({"WWW-Authenticate", std::string(kRealm) + ", error=\"" + std::string(error) +
                                               "\", error_description=\"" +
                                               std::string(description) + "\""});
  return r;
}

std::variant<Principal, oidc::Reply> AdminAccess::check(std::string_view authorization) {
  if (authorization.empty()) {  // RFC 6750 §3.1: no error code when no credentials came
    oidc::Reply r = oidc::oauth_error(401, "invalid_token", "an admin access token is required");
    r.headers.push_back({"WWW-Authenticate", std::string(kRealm)});
    return r;
  }
  const auto token = oidc::bearer_of(authorization);
  if (!token) return invalid_token("send the token as Authorization: Bearer <token>");
  auto checked = oidc::check_access_token(*token, verifier_, deny_, issuer_, clock_.now());
  if (auto* why = std::get_if<std::string>(&checked)) return invalid_token(*why);
  const json& claims = std::get<json>(checked);
  if (!claims.contains("aud") || !holds(claims["aud"], audience_))
    return invalid_token("the token's audience is not " + audience_);
  if (!claims.contains("roles") || !holds(claims["roles"], kAdminRole))
    return forbidden("the token does not carry the admin role");

  Principal who;
  who.subject = claims["sub"].get<std::string>();
  who.client_id = claims["client_id"].get<std::string>();
  // client_credentials tokens name the client as subject and carry no login (auth_time).
  who.service_account = who.subject == who.client_id && !claims.contains("auth_time");
  if (who.service_account) {
    const auto client = clients_.find(who.client_id);
    if (!client) return invalid_token("the client of this token no longer exists");
    if (!has_role(client->roles)) return forbidden("the client no longer has the admin role");
  } else {
    const auto user = users_.claims_of(who.subject);
    if (!user || !user->active) return invalid_token("the user may no longer sign in");
    if (!has_role(user->roles)) return forbidden("the user no longer has the admin role");
  }
  return who;
}

}  // namespace twofold::admin
