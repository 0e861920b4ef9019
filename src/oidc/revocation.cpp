#include "oidc/revocation.hpp"
#include "oidc/discovery.hpp"

namespace twofold::oidc {
namespace {

using nlohmann::json;

Reply revoked() {
  return {200, json::object(), {}};
}

Reply not_yours() {
  return oauth_error(400, "unauthorized_client", "the token was issued to another client");
}

}  // namespace

Reply Revocation::handle(const TokenRequest& request) {
  auto parsed = parse_token_form(request);
  if (auto* reply = std::get_if<Reply>(&parsed)) return std::move(*reply);
  const auto& form = std::get<serviceapi::Form>(parsed);
  auto authenticated = clients_.authenticate(request, form, Endpoints::kRevoke);
  if (auto* reply = std::get_if<Reply>(&authenticated)) return std::move(*reply);
  const Client& caller = std::get<Client>(authenticated);
  const auto token = form.get("token");
  if (!token) return oauth_error(400, "invalid_request", "token is missing");

  if (!looks_like_jwt(*token)) {
    auto record = refresh_.find(*token);
    if (!record) return revoked();
    if (record->grant.client_id != caller.id) return not_yours();
    if (!record->revoked) refresh_.revoke_family(record->family);
    return revoked();
  }
  const auto now = clock_.now();
  auto checked = check_access_token(*token, verifier_, deny_, issuer_, now);
  auto* claims = std::get_if<json>(&checked);
  if (!claims) return revoked();  // invalid, expired or already revoked: nothing to do
  if ((*claims)["client_id"] != caller.id) return not_yours();
  const auto exp = core::from_millis((*claims)["exp"].get<std::int64_t>() * 1000);
  deny_.deny((*claims)["jti"].get<std::string>(), exp, now);
  return revoked();
}

}  // namespace twofold::oidc
