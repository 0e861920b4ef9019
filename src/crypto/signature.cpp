#include "crypto/signature.hpp"

#include "crypto/openssl_error.hpp"
#include "crypto/pem.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <climits>
#include <memory>
#include <stdexcept>

namespace twofold::crypto {
namespace {

constexpr int kPssSaltLength = 32;
constexpr int kMinRsaBits = 2048;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(with_openssl_reason(what));
}

// Which of our key types `key` is, if any: exactly P-256 (named curve) or plain RSA >= 2048.
std::optional<KeyType> type_of(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1)
      return std::nullopt;  // explicit curve parameters are not accepted
    const std::string_view name(group, len);
    if ((name == "prime256v1" || name == "P-256") && EVP_PKEY_get_bits(key) == 256)
      return KeyType::p256;
    return std::nullopt;
  }
  // Only plain RSA keys: an "RSA-PSS" key may carry restrictions that contradict ours.
  if (EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) >= kMinRsaBits) return KeyType::rsa2048;
  return std::nullopt;
}

// Sets the RSA-PSS parameters (SHA-256, MGF1-SHA-256, salt 32) on a sign/verify context.
bool configure(EVP_PKEY_CTX* pctx, KeyType type) {
  if (type != KeyType::rsa2048) return true;
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, kPssSaltLength) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
}

}  // namespace

std::optional<KeyType> parse_key_type(std::string_view name) {
  if (name == "p256") return KeyType::p256;
  if (name == "rsa2048") return KeyType::rsa2048;
  return std::nullopt;
}

std::string_view key_type_name(KeyType type) {
  switch (type) {
    case KeyType::p256:
      return "p256";
    case KeyType::rsa2048:
      return "rsa2048";
  }
  return "unknown";
}

KeyPair generate_key_pair(KeyType type) {
  Pkey key(type == KeyType::p256
               ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
               : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048)));
  if (!key) fail("key generation failed");

  KeyPair pair;
  pair.private_key_pem = private_key_pem(key.get());
  if (pair.private_key_pem.empty()) fail("cannot encode the private key");
  pair.public_key_pem = public_key_pem(key.get());
  if (pair.public_key_pem.empty()) fail("cannot encode the public key");
  return pair;
}

std::string sign(std::string_view private_key_pem, std::string_view message) {
  Pkey key = read_private_key_pem(private_key_pem);
  if (!key) fail("cannot read the private key");
  const auto type = type_of(key.get());
  if (!type) {
    ERR_clear_error();
    throw std::runtime_error("the private key is neither P-256 nor RSA of at least 2048 bits");
  }

  MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1 ||
      !configure(pctx, *type))
    fail("cannot initialise signing");
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data, message.size()) != 1) fail("signing failed");
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, data,
                     message.size()) != 1)
    fail("signing failed");
  signature.resize(len);  // DER ECDSA signatures vary in length
  return signature;
}

bool is_acceptable_public_key(std::string_view public_key_pem, KeyType type) {
  try {
    Pkey key = read_public_key_pem(public_key_pem);
    const bool ok = key && type_of(key.get()) == type;
    ERR_clear_error();
    return ok;
  } catch (...) {
    ERR_clear_error();
    return false;
  }
}

bool verify(std::string_view public_key_pem, KeyType type, std::string_view message,
            std::string_view signature) {
  try {
    if (signature.empty()) return false;
    Pkey key = read_public_key_pem(public_key_pem);
    bool ok = false;
    if (key && type_of(key.get()) == type) {
      MdCtx ctx(EVP_MD_CTX_new());
      EVP_PKEY_CTX* pctx = nullptr;
      ok =
          ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) == 1 &&
          configure(pctx, type) &&
          EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                           signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                           message.size()) == 1;
    }
    ERR_clear_error();
    return ok;
  } catch (...) {
    ERR_clear_error();
    return false;
  }
}

}  // namespace twofold::crypto
