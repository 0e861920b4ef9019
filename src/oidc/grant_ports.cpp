#include "oidc/grant_ports.hpp"

namespace twofold::oidc {

using nlohmann::json;

json to_json(const Authorization& a) {
  return {{"client_id", a.client_id},
          {"redirect_uri", a.redirect_uri},
          {"scopes", a.scopes},
          {"nonce", a.nonce},
          {"code_challenge", a.code_challenge},
          {"code_challenge_method", a.code_challenge_method},
          {"resources", a.resources},
          {"subject", a.subject},
          {"sid", a.sid},
          {"auth_time_ms", core::to_millis(a.auth_time)},
          {"acr", a.acr},
          {"amr", a.amr}};
}

std::optional<Authorization> authorization_from_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  try {
    Authorization a;
    a.client_id = j.at("client_id").get<std::string>();
    a.redirect_uri = j.value("redirect_uri", "");
    a.scopes = j.value("scopes", std::vector<std::string>{});
    a.nonce = j.value("nonce", "");
    a.code_challenge = j.value("code_challenge", "");
    a.code_challenge_method = j.value("code_challenge_method", "");
    a.resources = j.value("resources", std::vector<std::string>{});
    a.subject = j.at("subject").get<std::string>();
    a.sid = j.value("sid", "");
    a.auth_time = core::from_millis(j.value("auth_time_ms", std::int64_t{0}));
    a.acr = j.value("acr", "");
    a.amr = j.value("amr", std::vector<std::string>{});
    return a;
  } catch (const json::exception&) {
    return std::nullopt;  // a row this version cannot read is not trusted
  }
}

}  // namespace twofold::oidc
