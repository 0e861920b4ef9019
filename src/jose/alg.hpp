#pragma once
// Vocabulary shared by the JOSE library: the signature algorithms twofold speaks and the
// outcome of checking a token. Only these three algorithms exist here on purpose: every
// other "alg" (above all "none") is refused before any key is looked at.
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace twofold::jose {

enum class Alg { RS256, ES256, HS256 };

std::string_view alg_name(Alg alg);                   // "RS256" | "ES256" | "HS256"
std::optional<Alg> parse_alg(std::string_view name);  // exact, case-sensitive (RFC 7515)

// Thrown for our own mistakes (bad PEM, key generation failure, claims that cannot be
// serialised); never for attacker input, which always comes back as an Error.
struct JoseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Why a token was refused. All of them mean "do not trust it"; the split is for logs and for
// choosing an error answer (e.g. no_key may warrant refetching a client's JWKS once).
enum class Failure {
  malformed,        // not a compact JWS, bad base64url/JSON, header or claims not objects
  unsupported_alg,  // "none", an alg outside Alg, "crit" headers, HS256 where keys are public
  no_key,           // no key of the right type (and kid) to check it with
  bad_signature,    // a candidate key was found and the signature does not match
};

struct Error {
  Failure failure;
  std::string message;
};

template <typename T>
using Outcome = std::variant<T, Error>;

// A token whose signature checked out. Claims are NOT validated (exp, nbf, iss, aud, jti):
// that is the caller's job, because the rules differ per use.
struct Verified {
  nlohmann::json header;  // the protected header (object)
  nlohmann::json claims;  // the payload (object)
  std::string kid;        // of the key that verified it ("" for HS256 or a kid-less JWK)
};

}  // namespace twofold::jose
