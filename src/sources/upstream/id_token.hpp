#pragma once
// Validation of an upstream provider's ID token (R-C4, OpenID Connect Core §3.1.3.7), in the
// order seed 002 and the spec list: the alg must be one we expect and asymmetric (never
// "none", never HS256 with a public key), the signature must check with the provider's keys
// (its JWKS or a configured certificate), then iss exactly, aud contains our client id (and
// azp is us when there are several audiences), exp/iat/nbf within a small leeway, and the
// nonce of this login. The first failing check decides the refusal. Pure: keys and time come in.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"

namespace twofold::sources::upstream {

enum class Refusal {
  malformed,         // not a compact JWS / no JSON claims
  bad_alg,           // none, HS*, or an alg not configured
  no_key,            // no key of the provider fits the token (or fetching them failed)
  bad_signature,     // a key fits but the signature does not match
  wrong_issuer,      // iss differs from the configured issuer
  wrong_audience,    // aud does not contain our client id
  wrong_azp,         // several audiences and azp is not our client id
  expired,           // exp in the past (beyond the leeway) or missing
  issued_in_future,  // iat after now (beyond the leeway) or missing
  not_yet_valid,     // nbf in the future (beyond the leeway)
  wrong_nonce,       // nonce missing or not the one of this login
  no_subject,        // sub missing or empty
};

std::string_view refusal_name(Refusal r);

struct IdTokenError {
  Refusal refusal;
  std::string message;  // for logs and the error page; never holds the token
};

struct Expectations {
  std::string issuer;
  std::string client_id;
  std::string nonce;
  std::vector<std::string> algs{"RS256", "ES256"};  // asymmetric only; others are dropped
  std::chrono::seconds leeway{60};
};

// The provider's public keys (JWKs). `kid`: the token's key id ("" when none); a configured
// certificate answers with its key under that kid, because it is the one key trusted whatever
// the token names. `refresh`: the cached keys lacked the token's key (the provider rotated
// keys): fetch again if allowed. A string is why there are none.
using KeySource = std::function<std::variant<std::vector<nlohmann::json>, std::string>(
    bool refresh, const std::string& kid)>;

// The verified claims, or the first check that failed.
std::variant<nlohmann::json, IdTokenError> validate_id_token(std::string_view compact,
                                                             const Expectations& expect,
                                                             const KeySource& keys,
                                                             core::TimePoint now);

}  // namespace twofold::sources::upstream
