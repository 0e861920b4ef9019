#pragma once
// One private signing key (RS256: RSA-2048, ES256: P-256) held as a parsed cjose JWK, so
// signing a token costs one signature and no key parsing.
//
// Thread-safety: a SigningKey is immutable after construction; sign() may be called from any
// number of threads at once. cjose_jws_sign only reads the JWK (it neither retains nor caches
// on it), every call builds its own header and JWS objects, and OpenSSL's RSA/ECDSA signing
// with a shared key is thread-safe (RSA blinding is locked internally). The concurrency unit
// test signs from several threads under ASan.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "jose/alg.hpp"
#include "jose/cjose_util.hpp"

namespace twofold::jose {

class SigningKey {
 public:
  // A fresh key: RSA-2048 for RS256, P-256 for ES256. Throws JoseError for HS256.
  static SigningKey generate(Alg alg, std::string kid);
  // A private key PEM: PKCS#8 ("BEGIN PRIVATE KEY", what `twofold setup` writes) or the
  // traditional RSA/EC forms. RSA >= 2048 bits becomes RS256, P-256 becomes ES256; anything
  // else (other curves, encrypted PEM, public keys) throws JoseError.
  static SigningKey from_pem(std::string_view pem, std::string kid);

  SigningKey(SigningKey&&) noexcept = default;
  SigningKey& operator=(SigningKey&&) noexcept = default;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  Alg alg() const { return alg_; }
  const std::string& kid() const { return kid_; }
  // PKCS#8 PEM of the private key (for the key store). Secret.
  const std::string& private_pem() const { return private_pem_; }
  // The public JWK: {kty, kid, use:"sig", alg, n, e} or {kty, kid, use, alg, crv, x, y}.
  // Never contains private members.
  const nlohmann::json& public_jwk() const { return public_jwk_; }
  // RFC 7638 JWK thumbprint (base64url SHA-256), independent of the kid.
  std::string thumbprint() const;

  // Compact JWS of `claims` with the protected header {alg, kid, typ}; typ "JWT" for ID
  // tokens, "at+jwt" for RFC 9068 access tokens, "" to leave it out. Throws JoseError only
  // if the claims are not serialisable (e.g. invalid UTF-8) or OpenSSL fails.
  std::string sign(const nlohmann::json& claims, std::string_view typ = "JWT") const;

  // The cjose key, for verifying our own tokens.
  const cjose_jwk_t* jwk() const { return jwk_.get(); }

 private:
  SigningKey() = default;

  Alg alg_{Alg::ES256};
  std::string kid_;
  std::string private_pem_;
  nlohmann::json public_jwk_;
  detail::Jwk jwk_;
};

}  // namespace twofold::jose
