#include "sources/upstream/id_token.hpp"

#include <algorithm>

#include "core/encoding.hpp"
#include "jose/jws.hpp"

namespace twofold::sources::upstream {
namespace {

using Outcome = std::variant<nlohmann::json, IdTokenError>;

Outcome refuse(Refusal r, std::string message) {
  return IdTokenError{r, std::move(message)};
}

// A NumericDate claim as seconds since the epoch; nullopt when absent or not a number.
std::optional<std::int64_t> seconds_of(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_float()) return static_cast<std::int64_t>(it->get<double>());
  if (it->is_number_unsigned())
    return static_cast<std::int64_t>(std::min<std::uint64_t>(it->get<std::uint64_t>(), INT64_MAX));
  return it->get<std::int64_t>();
}

bool asymmetric(std::string_view alg) {
  return alg == "RS256" || alg == "ES256";
}

}  // namespace

std::string_view refusal_name(Refusal r) {
  switch (r) {
    case Refusal::malformed:
      return "malformed";
    case Refusal::bad_alg:
      return "bad_alg";
    case Refusal::no_key:
      return "no_key";
    case Refusal::bad_signature:
      return "bad_signature";
    case Refusal::wrong_issuer:
      return "wrong_issuer";
    case Refusal::wrong_audience:
      return "wrong_audience";
    case Refusal::wrong_azp:
      return "wrong_azp";
    case Refusal::expired:
      return "expired";
    case Refusal::issued_in_future:
      return "issued_in_future";
    case Refusal::not_yet_valid:
      return "not_yet_valid";
    case Refusal::wrong_nonce:
      return "wrong_nonce";
    case Refusal::no_subject:
      return "no_subject";
  }
  return "unknown";
}

Outcome validate_id_token(std::string_view compact, const Expectations& expect,
                          const KeySource& keys, core::TimePoint now) {
  // 1. The alg, read from the header before any key is looked at.
  const auto dot = compact.find('.');
  if (compact.size() > jose::kMaxCompactSize || dot == std::string_view::npos)
    return refuse(Refusal::malformed, "the ID token is not a compact JWS");
  const auto header_text = core::base64url_decode(compact.substr(0, dot));
  if (!header_text) return refuse(Refusal::malformed, "the ID token header is not base64url JSON");
  const auto header = nlohmann::json::parse(*header_text, nullptr, false);
  if (!header.is_object() || !header.contains("alg") || !header["alg"].is_string())
    return refuse(Refusal::malformed, "the ID token header has no alg");
  const auto alg = header["alg"].get<std::string>();
  const auto kid_it = header.find("kid");
  const std::string kid =
      kid_it != header.end() && kid_it->is_string() ? kid_it->get<std::string>() : "";
  if (!asymmetric(alg) ||
      std::find(expect.algs.begin(), expect.algs.end(), alg) == expect.algs.end())
    return refuse(Refusal::bad_alg, "the ID token's alg \"" + alg.substr(0, 20) +
                                        "\" is not an expected asymmetric algorithm");

  // 2. The signature, with the provider's keys; once more with fresh keys if none fitted.
  auto checked = [&](bool refresh) -> std::variant<jose::Verified, IdTokenError> {
    auto set = keys(refresh, kid);
    if (auto* why = std::get_if<std::string>(&set))
      return IdTokenError{Refusal::no_key, "the provider's keys are unavailable: " + *why};
    auto outcome = jose::verify(compact, std::get<0>(set));
    if (auto* error = std::get_if<jose::Error>(&outcome)) {
      switch (error->failure) {
        case jose::Failure::malformed:
          return IdTokenError{Refusal::malformed, error->message};
        case jose::Failure::unsupported_alg:
          return IdTokenError{Refusal::bad_alg, error->message};
        case jose::Failure::no_key:
          return IdTokenError{Refusal::no_key, error->message};
        case jose::Failure::bad_signature:
          return IdTokenError{Refusal::bad_signature, error->message};
      }
    }
    return std::get<jose::Verified>(std::move(outcome));
  };
  auto verified = checked(false);
  if (auto* e = std::get_if<IdTokenError>(&verified); e && e->refusal == Refusal::no_key)
    verified = checked(true);
  if (auto* e = std::get_if<IdTokenError>(&verified)) return *e;
  const auto claims = std::get<jose::Verified>(std::move(verified)).claims;

  // 3. iss, exactly.
  const auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != expect.issuer)
    return refuse(Refusal::wrong_issuer, "the ID token was not issued by " + expect.issuer);

  // 4. aud contains us; 5. azp is us when there are several audiences (or azp is present).
  const auto aud = claims.find("aud");
  std::vector<std::string> audiences;
  if (aud != claims.end() && aud->is_string()) audiences.push_back(aud->get<std::string>());
  if (aud != claims.end() && aud->is_array())
    for (const auto& a : *aud)
      if (a.is_string()) audiences.push_back(a.get<std::string>());
  if (std::find(audiences.begin(), audiences.end(), expect.client_id) == audiences.end())
    return refuse(Refusal::wrong_audience, "the ID token is not meant for this client");
  const auto azp = claims.find("azp");
  if ((audiences.size() > 1 || azp != claims.end()) &&
      (azp == claims.end() || !azp->is_string() || azp->get<std::string>() != expect.client_id))
    return refuse(Refusal::wrong_azp, "the ID token's azp is not this client");

  // 6.–8. Time, with leeway for clock skew.
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto leeway = expect.leeway.count();
  const auto exp = seconds_of(claims, "exp");
  if (!exp || *exp + leeway <= now_s) return refuse(Refusal::expired, "the ID token has expired");
  const auto iat = seconds_of(claims, "iat");
  if (!iat || *iat - leeway > now_s)
    return refuse(Refusal::issued_in_future, "the ID token's iat is missing or in the future");
  if (const auto nbf = seconds_of(claims, "nbf"); nbf && *nbf - leeway > now_s)
    return refuse(Refusal::not_yet_valid, "the ID token is not valid yet");

  // 9. The nonce of this login (replay of another login's token).
  const auto nonce = claims.find("nonce");
  if (expect.nonce.empty() || nonce == claims.end() || !nonce->is_string() ||
      nonce->get<std::string>() != expect.nonce)
    return refuse(Refusal::wrong_nonce, "the ID token's nonce is not the one of this sign-in");

  const auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty())
    return refuse(Refusal::no_subject, "the ID token has no subject");
  return claims;
}

}  // namespace twofold::sources::upstream
