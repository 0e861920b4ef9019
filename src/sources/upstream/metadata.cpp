#include "sources/upstream/metadata.hpp"

#include <nlohmann/json.hpp>

#include "sources/upstream/http_client.hpp"

namespace twofold::sources::upstream {
namespace {

using Outcome = std::variant<ProviderMetadata, std::string>;
Outcome bad(std::string why) {
  return Outcome(std::in_place_index<1>, std::move(why));
}

std::string text_of(const nlohmann::json& doc, const char* name) {
  const auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> list_of(const nlohmann::json& doc, const char* name) {
  std::vector<std::string> out;
  const auto it = doc.find(name);
  if (it != doc.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

std::string discovery_url(std::string_view issuer) {
  std::string url(issuer);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/.well-known/openid-configuration";
}

Outcome parse_metadata(std::string_view text, std::string_view expected_issuer) {
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object()) return bad("the discovery document is not a JSON object");
  ProviderMetadata m;
  m.issuer = text_of(doc, "issuer");
  if (m.issuer != expected_issuer)
    return bad("the discovery document names the issuer \"" + m.issuer.substr(0, 200) +
               "\", not the configured one");
  m.authorization_endpoint = text_of(doc, "authorization_endpoint");
  m.token_endpoint = text_of(doc, "token_endpoint");
  m.jwks_uri = text_of(doc, "jwks_uri");
  if (!allowed_url(m.authorization_endpoint))
    return bad("the provider's authorization_endpoint is missing or not https");
  if (!allowed_url(m.token_endpoint))
    return bad("the provider's token_endpoint is missing or not https");
  if (!m.jwks_uri.empty() && !allowed_url(m.jwks_uri))
    return bad("the provider's jwks_uri is not https");
  m.id_token_signing_alg_values_supported = list_of(doc, "id_token_signing_alg_values_supported");
  m.token_endpoint_auth_methods_supported = list_of(doc, "token_endpoint_auth_methods_supported");
  m.code_challenge_methods_supported = list_of(doc, "code_challenge_methods_supported");
  return m;
}

}  // namespace twofold::sources::upstream
