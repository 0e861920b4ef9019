#include "oidc/client_assertion.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/encoding.hpp"
#include "oidc/discovery.hpp"

namespace twofold::oidc {
namespace {

using nlohmann::json;

std::int64_t seconds_of(core::TimePoint t) {
  return core::to_millis(t) / 1000;
}

std::optional<std::int64_t> int_claim(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_float()) return static_cast<std::int64_t>(it->get<double>());
  return it->get<std::int64_t>();
}

std::optional<std::string> string_claim(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool names_audience(const json& aud, const std::vector<std::string>& audiences) {
  auto ok = [&](const json& a) {
    return a.is_string() &&
           std::find(audiences.begin(), audiences.end(), a.get<std::string>()) != audiences.end();
  };
  if (aud.is_string()) return ok(aud);
  if (aud.is_array()) return std::any_of(aud.begin(), aud.end(), ok);
  return false;
}

}  // namespace

std::variant<AssertionFacts, std::string> check_assertion(const VerifiedToken& token,
                                                          const Client& client,
                                                          const std::vector<std::string>& audiences,
                                                          const AssertionPolicy& policy,
                                                          core::TimePoint now) {
  const auto alg = string_claim(token.header, "alg").value_or("");
  if (client.auth_method == AuthMethod::client_secret_jwt) {
    if (alg != "HS256") return std::string("client_secret_jwt assertions are signed with HS256");
  } else if (client.auth_method == AuthMethod::private_key_jwt) {
    if (alg != "RS256" && alg != "ES256")
      return std::string("private_key_jwt assertions are signed with RS256 or ES256");
  } else {
    return std::string("the client does not authenticate with a JWT assertion");
  }
  const json& c = token.claims;
  if (string_claim(c, "iss") != client.id) return std::string("iss must be the client id");
  if (string_claim(c, "sub") != client.id) return std::string("sub must be the client id");
  if (!c.contains("aud") || !names_audience(c["aud"], audiences))
    return std::string("aud must name the token endpoint or the issuer");
  const auto t = seconds_of(now);
  const auto exp = int_claim(c, "exp");
  if (!exp) return std::string("exp is missing");
  if (*exp <= t) return std::string("the assertion has expired");
  if (*exp > t + policy.max_life.count() + policy.leeway.count())
    return std::string("exp is too far ahead (at most " + std::to_string(policy.max_life.count()) +
                       " s)");
  if (auto nbf = int_claim(c, "nbf"); nbf && *nbf > t + policy.leeway.count())
    return std::string("the assertion is not valid yet (nbf)");
  if (auto iat = int_claim(c, "iat"); iat && *iat > t + policy.leeway.count())
    return std::string("iat is in the future");
  auto jti = string_claim(c, "jti");
  if (!jti || jti->empty() || jti->size() > AssertionPolicy::kMaxJti)
    return std::string("jti is missing or longer than 256 characters");
  return AssertionFacts{std::move(*jti), core::from_millis(*exp * 1000)};
}

std::optional<std::string> assertion_subject(std::string_view assertion) {
  const auto first = assertion.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = assertion.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto payload = core::base64url_decode(assertion.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  const auto claims = json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return std::nullopt;
  auto sub = string_claim(claims, "sub");
  if (!sub || sub->empty() || sub->size() > 128) return std::nullopt;
  return sub;
}

std::variant<Client, std::string> ClientAssertions::authenticate(
    Clients& clients, std::string_view assertion, std::optional<std::string_view> client_id,
    std::string_view endpoint_path) {
  auto subject = assertion_subject(assertion);
  if (!subject) return std::string("the assertion is malformed or has no sub");
  if (client_id && *client_id != *subject)
    return std::string("client_id differs from the assertion's sub");
  // Until the signature checks out the reasons stay vague: they would tell a stranger which
  // client ids exist and how they authenticate (AssertionKeys logs the details).
  auto client = clients.find(*subject);
  if (!client || (client->auth_method != AuthMethod::client_secret_jwt &&
                  client->auth_method != AuthMethod::private_key_jwt))
    return std::string("unknown client or not registered for JWT assertions");
  auto verified = keys_.verify(*client, assertion);
  if (std::holds_alternative<std::string>(verified))
    return std::string("the signature does not verify with the client's registered keys");
  const std::vector<std::string> audiences = {policy_.issuer, policy_.issuer + Endpoints::kToken,
                                              policy_.issuer + std::string(endpoint_path)};
  const auto now = clock_.now();
  auto checked =
      check_assertion(std::get<VerifiedToken>(verified), *client, audiences, policy_, now);
  if (auto* why = std::get_if<std::string>(&checked)) return std::move(*why);
  const auto& facts = std::get<AssertionFacts>(checked);
  if (!jtis_.remember(client->id, facts.jti, facts.expires, now))
    return std::string("the assertion was used before (jti)");
  return std::move(*client);
}

}  // namespace twofold::oidc
