#include "oidc/userinfo.hpp"

#include <cctype>

#include "serviceapi/form.hpp"

namespace twofold::oidc {
namespace {

using nlohmann::json;

constexpr std::string_view kRealm = "Bearer realm=\"twofold\"";

// RFC 6750 §3: error codes in the header; descriptions are ours (no quotes or backslashes).
Reply bearer_error(int status, std::string_view error, std::string_view description,
                   std::string_view extra = "") {
  Reply r = oauth_error(status, error, description);
  std::string challenge(kRealm);
  challenge += ", error=\"" + std::string(error) + "\", error_description=\"" +
               std::string(description) + "\"" + std::string(extra);
  r.headers.push_back({"WWW-Authenticate", challenge});
  return r;
}

}  // namespace

Reply Userinfo::handle(const UserinfoRequest& request) {
  std::optional<std::string> token;
  if (!request.authorization.empty()) {
    token = bearer_of(request.authorization);
    if (!token) return bearer_error(400, "invalid_request", "malformed Bearer authorization");
  }
  if (request.post && request.content_type.substr(0, 33) == "application/x-www-form-urlencoded") {
    auto parsed = serviceapi::parse_form(request.body, {32, 64, 8192, 64 * 1024});
    if (std::holds_alternative<serviceapi::FormError>(parsed))
      return bearer_error(400, "invalid_request", "the form body is malformed");
    if (auto body_token = std::get<serviceapi::Form>(parsed).get("access_token")) {
      if (token) return bearer_error(400, "invalid_request", "use one way to send the token");
      token = std::string(*body_token);
    }
  }
  if (!token) {  // §3.1: no error code when the request carries no credentials at all
    Reply r = oauth_error(401, "invalid_token", "an access token is required");
    r.headers.push_back({"WWW-Authenticate", std::string(kRealm)});
    return r;
  }

  auto checked = check_access_token(*token, verifier_, deny_, issuer_, clock_.now());
  if (auto* why = std::get_if<std::string>(&checked))
    return bearer_error(401, "invalid_token", *why);
  const json& claims = std::get<json>(checked);
  const auto scopes = split_scope(claims.value("scope", ""));
  if (!has_scope(scopes, "openid"))
    return bearer_error(403, "insufficient_scope", "the token lacks the scope openid",
                        ", scope=\"openid\"");
  const std::string subject = claims["sub"].get<std::string>();
  auto user = users_.claims_of(subject);
  if (!user || !user->active) return bearer_error(401, "invalid_token", "the user is not active");
  json body = scoped_claims(*user, scopes);
  body["sub"] = subject;
  return {200, std::move(body), {}};
}

}  // namespace twofold::oidc
