#pragma once
// Checking compact JWS tokens someone else signed (client assertions for private_key_jwt and
// client_secret_jwt, upstream ID tokens, our own tokens coming back) and HS256 signing.
//
// These functions parse attacker input: they never throw and never crash on it; anything
// odd is an Error. Before cjose sees a token we insist on exactly three base64url segments,
// a JSON-object header with an alg from Alg (so "none" and everything else is refused), no
// "crit", and a key whose type matches the alg (RS256 → RSA >= 2048 bits, ES256 → EC P-256,
// HS256 → only through verify_hs256). Claims are not validated here (see Verified).
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "jose/alg.hpp"
#include "jose/signing_key.hpp"

namespace twofold::jose {

// Longest compact token we look at; real JWTs are a few KiB.
inline constexpr std::size_t kMaxCompactSize = 64 * 1024;
// At most this many JWKs are tried when the token has no kid (each try costs a verify).
inline constexpr std::size_t kMaxKeysTried = 8;

// Verifies an RS256 or ES256 token against public JWKs (the "keys" array of a JWKS). With a
// kid in the header only JWKs with that kid are candidates; JWKs whose "use" is not "sig" or
// whose "alg" differs from the header's are skipped. Private members in a JWK are ignored.
Outcome<Verified> verify(std::string_view compact, const std::vector<nlohmann::json>& jwks_keys);

// Verifies a token against one of our own keys (the kid, when present, must match).
Outcome<Verified> verify(std::string_view compact, const SigningKey& key);

// Verifies an HS256 token with a shared secret (client_secret_jwt: the client secret). The
// secret must be at least 32 bytes (RFC 7518 §3.2), otherwise the result is no_key.
Outcome<Verified> verify_hs256(std::string_view compact, std::string_view secret);

// Signs `claims` with HS256; header {alg, typ}. Throws JoseError on a secret under 32 bytes.
std::string sign_hs256(const nlohmann::json& claims, std::string_view secret,
                       std::string_view typ = "JWT");

// DANGER: the claims of a token WITHOUT checking its signature. Only for deciding which keys
// to check it with (e.g. `iss`/`sub` of a client assertion naming the client whose JWKS to
// use); never act on anything else in it. nullopt when the token is malformed.
std::optional<nlohmann::json> unverified_claims(std::string_view compact);

}  // namespace twofold::jose
