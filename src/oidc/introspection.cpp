#include "oidc/introspection.hpp"
#include "oidc/discovery.hpp"

namespace twofold::oidc {
namespace {

using nlohmann::json;

const json kInactive = {{"active", false}};

bool audience_includes(const json& aud, std::string_view who) {
  if (who.empty()) return false;
  if (aud.is_string()) return aud.get<std::string>() == who;
  if (aud.is_array())
    for (const auto& a : aud)
      if (a.is_string() && a.get<std::string>() == who) return true;
  return false;
}

}  // namespace

Reply Introspection::handle(const TokenRequest& request) {
  auto parsed = parse_token_form(request);
  if (auto* reply = std::get_if<Reply>(&parsed)) return std::move(*reply);
  const auto& form = std::get<serviceapi::Form>(parsed);
  auto authenticated = clients_.authenticate(request, form, Endpoints::kIntrospect);
  if (auto* reply = std::get_if<Reply>(&authenticated)) return std::move(*reply);
  const Client& caller = std::get<Client>(authenticated);
  if (caller.is_public())
    return oauth_error(401, "invalid_client", "public clients cannot introspect tokens");
  const auto token = form.get("token");
  if (!token) return oauth_error(400, "invalid_request", "token is missing");
  // token_type_hint only orders the look-ups (§2.1); the token's shape decides here.
  return {200,
          looks_like_jwt(*token) ? access_token(caller, *token) : refresh_token(caller, *token),
          {}};
}

json Introspection::access_token(const Client& caller, std::string_view token) {
  auto checked = check_access_token(token, verifier_, deny_, issuer_, clock_.now());
  auto* claims = std::get_if<json>(&checked);
  if (!claims) return kInactive;
  const json aud = claims->value("aud", json());
  if ((*claims)["client_id"] != caller.id && !audience_includes(aud, caller.id) &&
      !audience_includes(aud, caller.audience))
    return kInactive;
  json out = {{"active", true}, {"token_type", "Bearer"}};
  for (const char* name :
       {"scope", "client_id", "sub", "aud", "iss", "exp", "iat", "jti", "auth_time", "acr", "amr"})
    if (claims->contains(name)) out[name] = (*claims)[name];
  return out;
}

json Introspection::refresh_token(const Client& caller, std::string_view token) {
  auto record = refresh_.find(token);
  if (!record || !refresh_.is_active(*record) || record->grant.client_id != caller.id)
    return kInactive;
  const auto seconds = [](core::TimePoint t) { return core::to_millis(t) / 1000; };
  return {{"active", true},
          {"token_type", "refresh_token"},
          {"scope", join_scope(record->grant.scopes)},
          {"client_id", record->grant.client_id},
          {"sub", record->grant.subject},
          {"iss", issuer_},
          {"iat", seconds(record->created)},
          {"exp", seconds(record->expires)}};
}

}  // namespace twofold::oidc
