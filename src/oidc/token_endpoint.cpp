#include "oidc/token_endpoint.hpp"
#include "oidc/discovery.hpp"

namespace twofold::oidc {
namespace {

using nlohmann::json;
using serviceapi::Form;

Reply grant_error(const GrantError& e) {
  return oauth_error(400, e.error, e.description);
}

}  // namespace

Reply TokenEndpoint::handle(const TokenRequest& request) {
  auto parsed = parse_token_form(request);
  if (auto* reply = std::get_if<Reply>(&parsed)) return std::move(*reply);
  const Form& form = std::get<Form>(parsed);

  const auto grant = form.get("grant_type");
  if (!grant) return oauth_error(400, "invalid_request", "grant_type is missing");

  auto authenticated = clients_.authenticate(request, form, Endpoints::kToken);
  if (auto* reply = std::get_if<Reply>(&authenticated)) return std::move(*reply);
  const Client& client = std::get<Client>(authenticated);

  const bool known =
      *grant == "client_credentials" || *grant == "authorization_code" || *grant == "refresh_token";
  if (!known) return oauth_error(400, "unsupported_grant_type", "unsupported grant_type");
  if (!client.allows_grant(*grant))
    return oauth_error(400, "unauthorized_client", "this client may not use this grant type");
  if (*grant == "authorization_code") return authorization_code(client, form);
  if (*grant == "refresh_token") return refresh_token(client, form);
  return client_credentials(client, form);
}

Reply TokenEndpoint::client_credentials(const Client& client, const Form& form) {
  // Scopes are a subset of the client's, minus the user-only ones.
  std::vector<std::string> scopes;
  if (auto scope = form.get("scope")) {
    for (const auto& s : split_scope(*scope)) {
      if (s == "openid" || s == "offline_access" || !has_scope(client.scopes, s))
        return oauth_error(400, "invalid_scope", "scope " + s + " is not allowed here");
      scopes.push_back(s);
    }
  }
  auto audience = access_audience(client, {}, form.get("resource"));
  if (auto* e = std::get_if<GrantError>(&audience)) return grant_error(*e);

  json body = {
      {"access_token", minter_.client_access_token(client, scopes, std::get<json>(audience))},
      {"token_type", "Bearer"},
      {"expires_in", minter_.settings().access_token_life.count()}};
  if (!scopes.empty()) body["scope"] = join_scope(scopes);
  return {200, std::move(body), {}};
}

Reply TokenEndpoint::authorization_code(const Client& client, const Form& form) {
  const auto code = form.get("code");
  if (!code) return oauth_error(400, "invalid_request", "code is missing");
  auto redeemed = codes_.redeem(*code, client, form.get("redirect_uri"), form.get("code_verifier"));
  if (auto* e = std::get_if<GrantError>(&redeemed)) return grant_error(*e);
  const Redeemed& r = std::get<Redeemed>(redeemed);

  auto user = active_user(r.authorization.subject);
  if (auto* reply = std::get_if<Reply>(&user)) return std::move(*reply);
  auto audience = access_audience(client, r.authorization.resources, form.get("resource"));
  if (auto* e = std::get_if<GrantError>(&audience)) return grant_error(*e);

  const auto iat = clock_.now();
  // One second of slack: exp is iat in whole seconds plus the lifetime.
  const auto access_expires = iat + minter_.settings().access_token_life + std::chrono::seconds(1);
  std::string refresh;
  if (RefreshTokens::issued_to(client))
    refresh = refresh_.start_family(r.family, r.authorization, r.access_jti, access_expires);
  return user_tokens(client, r.authorization, std::get<UserClaims>(user), r.authorization.scopes,
                     std::get<json>(audience), r.access_jti, iat, refresh);
}

Reply TokenEndpoint::refresh_token(const Client& client, const Form& form) {
  const auto token = form.get("refresh_token");
  if (!token) return oauth_error(400, "invalid_request", "refresh_token is missing");
  auto checked = refresh_.check(*token, client);
  if (auto* e = std::get_if<GrantError>(&checked)) return grant_error(*e);
  const RefreshRecord& record = std::get<RefreshRecord>(checked);

  auto user = active_user(record.grant.subject);
  if (auto* reply = std::get_if<Reply>(&user)) {
    refresh_.revoke_family(record.family);
    return std::move(*reply);
  }
  // RFC 6749 §6: a narrower scope for this access token; the refresh token keeps its own.
  std::vector<std::string> scopes = record.grant.scopes;
  if (auto scope = form.get("scope")) {
    scopes = split_scope(*scope);
    for (const auto& s : scopes)
      if (!has_scope(record.grant.scopes, s))
        return oauth_error(400, "invalid_scope", "scope " + s + " was not granted");
  }
  auto audience = access_audience(client, record.grant.resources, form.get("resource"));
  if (auto* e = std::get_if<GrantError>(&audience)) return grant_error(*e);

  const std::string jti = minter_.new_jti();
  const auto iat = clock_.now();
  const auto access_expires = iat + minter_.settings().access_token_life + std::chrono::seconds(1);
  auto next = refresh_.rotate(record, jti, access_expires);
  if (!next)
    return oauth_error(400, "invalid_grant",
                       "the refresh token was used concurrently; its grant is revoked");
  Authorization grant = record.grant;
  grant.scopes = scopes;
  return user_tokens(client, grant, std::get<UserClaims>(user), scopes, std::get<json>(audience),
                     jti, iat, *next);
}

std::variant<UserClaims, Reply> TokenEndpoint::active_user(const std::string& subject) {
  auto user = users_.claims_of(subject);
  if (!user || !user->active)
    return oauth_error(400, "invalid_grant", "the user may no longer sign in");
  return std::move(*user);
}

Reply TokenEndpoint::user_tokens(const Client& client, const Authorization& grant,
                                 const UserClaims& user, const std::vector<std::string>& scopes,
                                 const json& audience, const std::string& jti, core::TimePoint iat,
                                 const std::string& refresh) {
  const std::string access =
      minter_.user_access_token(client, grant, scopes, audience, jti, iat, user.roles);
  json body = {{"access_token", access},
               {"token_type", "Bearer"},
               {"expires_in", minter_.settings().access_token_life.count()},
               {"scope", join_scope(scopes)}};
  if (has_scope(scopes, "openid"))
    body["id_token"] = minter_.id_token(client, grant, user, grant.nonce, access);
  if (!refresh.empty()) body["refresh_token"] = refresh;
  return {200, std::move(body), {}};
}

}  // namespace twofold::oidc
