#include "jose/public_pem.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/encoding.hpp"

namespace twofold::jose {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey read_key(std::string_view pem) {
  auto bio = [&] {
    return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  };
  if (pem.find("BEGIN CERTIFICATE") != std::string_view::npos) {
    auto b = bio();
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr));
    if (!cert) throw JoseError("the certificate PEM does not parse");
    return Pkey(X509_get_pubkey(cert.get()));
  }
  auto b = bio();
  return Pkey(PEM_read_bio_PUBKEY(b.get(), nullptr, nullptr, nullptr));
}

std::string bn_b64url(const EVP_PKEY* key, const char* param, std::size_t pad_to = 0) {
  BIGNUM* raw = nullptr;
  if (!EVP_PKEY_get_bn_param(key, param, &raw)) throw JoseError("the public key lacks a parameter");
  std::unique_ptr<BIGNUM, BnFree> bn(raw);
  const std::size_t size =
      std::max<std::size_t>(pad_to, static_cast<std::size_t>(BN_num_bytes(raw)));
  std::string bytes(size, '\0');
  if (BN_bn2binpad(raw, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size)) < 0)
    throw JoseError("the public key parameter does not encode");
  return core::base64url_encode(bytes);
}

}  // namespace

nlohmann::json public_jwk_from_pem(std::string_view pem) {
  if (pem.size() > 64 * 1024) throw JoseError("the PEM is too large");
  const auto key = read_key(pem);
  if (!key) throw JoseError("no public key or certificate PEM found");
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    if (EVP_PKEY_get_bits(key.get()) < 2048)
      throw JoseError("the RSA key is shorter than 2048 bits");
    return {{"kty", "RSA"},
            {"use", "sig"},
            {"alg", "RS256"},
            {"n", bn_b64url(key.get(), OSSL_PKEY_PARAM_RSA_N)},
            {"e", bn_b64url(key.get(), OSSL_PKEY_PARAM_RSA_E)}};
  }
  if (EVP_PKEY_is_a(key.get(), "EC")) {
    char curve[64] = {0};
    std::size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                        &len) ||
        std::string_view(curve) != "prime256v1")
      throw JoseError("only EC keys on P-256 are supported");
    return {{"kty", "EC"},
            {"use", "sig"},
            {"alg", "ES256"},
            {"crv", "P-256"},
            {"x", bn_b64url(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)},
            {"y", bn_b64url(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
  }
  throw JoseError("the key is neither RSA nor EC");
}

}  // namespace twofold::jose
