#pragma once
// A public key given as PEM — an X.509 certificate ("BEGIN CERTIFICATE") or a public key
// ("BEGIN PUBLIC KEY") — as a public JWK, so tokens can be checked against a configured
// certificate with the same verify() as against a JWKS (seed 002: the certificate text comes
// before the JSON-Web-Key endpoint). RSA >= 2048 bits becomes RS256, P-256 becomes ES256.
#include <nlohmann/json.hpp>
#include <string_view>

#include "jose/alg.hpp"

namespace twofold::jose {

// {kty, use:"sig", alg, n, e} or {kty, use, alg, crv, x, y}; throws JoseError on anything else
// (a private key, another curve, a short RSA key, not PEM).
nlohmann::json public_jwk_from_pem(std::string_view pem);

}  // namespace twofold::jose
