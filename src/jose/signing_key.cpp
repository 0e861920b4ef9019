#include "jose/signing_key.hpp"

#include "crypto/openssl_error.hpp"
#include "crypto/pem.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>
#include <vector>

namespace twofold::jose {
namespace {

constexpr int kRsaBits = 2048;
constexpr std::size_t kP256Bytes = 32;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using crypto::Pkey;
using Bn = std::unique_ptr<BIGNUM, BnFree>;

// Key material on its way from OpenSSL to cjose; wiped when it goes out of scope.
struct SecretBytes {
  std::vector<uint8_t> bytes;
  ~SecretBytes() {
    if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  }
};

[[noreturn]] void fail(const std::string& what) {
  throw JoseError(crypto::with_openssl_reason(what));
}

std::string pkcs8_pem(EVP_PKEY* key) {
  auto pem = crypto::private_key_pem(key);
  if (pem.empty()) fail("cannot encode the private key");
  return pem;
}

// One big-number parameter of `key`, big-endian; left-padded to `width` when it is nonzero.
void param(EVP_PKEY* key, const char* name, SecretBytes& out, std::size_t width = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1 || raw == nullptr)
    fail(std::string("the private key lacks ") + name);
  Bn bn(raw);
  const std::size_t len = width != 0 ? width : static_cast<std::size_t>(BN_num_bytes(bn.get()));
  out.bytes.assign(len, 0);
  if (BN_bn2binpad(bn.get(), out.bytes.data(), static_cast<int>(len)) < 0)
    fail(std::string("cannot encode ") + name);
}

// Which algorithm a private key is for: exactly P-256 or plain RSA of at least 2048 bits.
Alg alg_of(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) == 1) {
      const std::string_view name(group, len);
      if (name == "prime256v1" || name == "P-256") return Alg::ES256;
    }
    ERR_clear_error();
    throw JoseError("EC signing keys must be on the P-256 curve");
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) >= kRsaBits) return Alg::RS256;
    throw JoseError("RSA signing keys must have at least 2048 bits");
  }
  throw JoseError("signing keys must be RSA or EC P-256");
}

detail::Jwk rsa_jwk(EVP_PKEY* key) {
  SecretBytes n, e, d, p, q, dp, dq, qi;
  param(key, OSSL_PKEY_PARAM_RSA_N, n);
  param(key, OSSL_PKEY_PARAM_RSA_E, e);
  param(key, OSSL_PKEY_PARAM_RSA_D, d);
  param(key, OSSL_PKEY_PARAM_RSA_FACTOR1, p);
  param(key, OSSL_PKEY_PARAM_RSA_FACTOR2, q);
  param(key, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp);
  param(key, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq);
  param(key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi);
  // With the CRT parameters OpenSSL signs about 3x faster than with d alone.
  cjose_jwk_rsa_keyspec spec{};
  spec.e = e.bytes.data(), spec.elen = e.bytes.size();
  spec.n = n.bytes.data(), spec.nlen = n.bytes.size();
  spec.d = d.bytes.data(), spec.dlen = d.bytes.size();
  spec.p = p.bytes.data(), spec.plen = p.bytes.size();
  spec.q = q.bytes.data(), spec.qlen = q.bytes.size();
  spec.dp = dp.bytes.data(), spec.dplen = dp.bytes.size();
  spec.dq = dq.bytes.data(), spec.dqlen = dq.bytes.size();
  spec.qi = qi.bytes.data(), spec.qilen = qi.bytes.size();
  cjose_err err{};
  detail::Jwk jwk(cjose_jwk_create_RSA_spec(&spec, &err));
  if (!jwk) throw JoseError(detail::describe("cjose refused the RSA key", err));
  return jwk;
}

detail::Jwk ec_jwk(EVP_PKEY* key) {
  SecretBytes d, x, y;
  param(key, OSSL_PKEY_PARAM_PRIV_KEY, d, kP256Bytes);
  param(key, OSSL_PKEY_PARAM_EC_PUB_X, x, kP256Bytes);
  param(key, OSSL_PKEY_PARAM_EC_PUB_Y, y, kP256Bytes);
  cjose_jwk_ec_keyspec spec{};
  spec.crv = CJOSE_JWK_EC_P_256;
  spec.d = d.bytes.data(), spec.dlen = d.bytes.size();
  spec.x = x.bytes.data(), spec.xlen = x.bytes.size();
  spec.y = y.bytes.data(), spec.ylen = y.bytes.size();
  cjose_err err{};
  detail::Jwk jwk(cjose_jwk_create_EC_spec(&spec, &err));
  if (!jwk) throw JoseError(detail::describe("cjose refused the EC key", err));
  return jwk;
}

nlohmann::json public_json(const cjose_jwk_t* jwk) {
  cjose_err err{};
  char* text = cjose_jwk_to_json(jwk, false, &err);
  if (text == nullptr) throw JoseError(detail::describe("cannot export the public JWK", err));
  nlohmann::json out = nlohmann::json::parse(text, nullptr, false);
  cjose_get_dealloc()(text);
  if (!out.is_object()) throw JoseError("cjose exported an unreadable public JWK");
  return out;
}

}  // namespace

SigningKey SigningKey::generate(Alg alg, std::string kid) {
  Pkey key;
  if (alg == Alg::RS256)
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(kRsaBits)));
  else if (alg == Alg::ES256)
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  else
    throw JoseError("HS256 has no key pair to generate");
  if (!key) fail("key generation failed");
  std::string pem = pkcs8_pem(key.get());
  SigningKey out = from_pem(pem, std::move(kid));
  OPENSSL_cleanse(pem.data(), pem.size());
  return out;
}

SigningKey SigningKey::from_pem(std::string_view pem, std::string kid) {
  Pkey key = crypto::read_private_key_pem(pem);
  if (!key) fail("cannot read the private key PEM");
  SigningKey out;
  out.alg_ = alg_of(key.get());
  out.jwk_ = out.alg_ == Alg::RS256 ? rsa_jwk(key.get()) : ec_jwk(key.get());
  cjose_err err{};
  if (!kid.empty() && !cjose_jwk_set_kid(out.jwk_.get(), kid.data(), kid.size(), &err))
    throw JoseError(detail::describe("cannot set the kid", err));
  out.kid_ = std::move(kid);
  out.private_pem_ = pkcs8_pem(key.get());

  // cjose gives kty, kid and the public numbers; we add what relying parties filter on.
  out.public_jwk_ = public_json(out.jwk_.get());
  out.public_jwk_["use"] = "sig";
  out.public_jwk_["alg"] = std::string(alg_name(out.alg_));
  return out;
}

SigningKey::~SigningKey() {
  if (!private_pem_.empty()) OPENSSL_cleanse(private_pem_.data(), private_pem_.size());
}

std::string SigningKey::thumbprint() const {
  // RFC 7638: the required members only, sorted, no whitespace (nlohmann objects are sorted).
  nlohmann::json members;
  for (const char* name : {"kty", "n", "e", "crv", "x", "y"})
    if (public_jwk_.contains(name)) members[name] = public_jwk_[name];
  const std::string canonical = members.dump();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    fail("SHA-256 failed");
  return detail::b64url_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string SigningKey::sign(const nlohmann::json& claims, std::string_view typ) const {
  const std::string payload = detail::claims_text(claims);
  detail::Header header = detail::make_header(alg_name(alg_), kid_, typ);
  return detail::sign_compact(jwk_.get(), header.get(), payload);
}

}  // namespace twofold::jose
