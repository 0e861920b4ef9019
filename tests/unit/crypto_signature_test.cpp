#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "crypto/signature.hpp"

namespace twofold::crypto {
namespace {

// Keys of types the server must refuse, made with plain OpenSSL.
std::string public_pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), key), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string private_pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  EXPECT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
            1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

struct Foreign {
  std::string public_pem;
  std::string private_pem;
};

Foreign make_p384() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"), EVP_PKEY_free);
  EXPECT_NE(key, nullptr);
  return {public_pem_of(key.get()), private_pem_of(key.get())};
}

Foreign make_rsa(std::size_t bits) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits), EVP_PKEY_free);
  EXPECT_NE(key, nullptr);
  return {public_pem_of(key.get()), private_pem_of(key.get())};
}

class SignatureTest : public ::testing::TestWithParam<KeyType> {};

TEST(KeyTypeTest, ParsesAndNames) {
  EXPECT_EQ(parse_key_type("p256"), KeyType::p256);
  EXPECT_EQ(parse_key_type("rsa2048"), KeyType::rsa2048);
  EXPECT_FALSE(parse_key_type("P256").has_value());
  EXPECT_FALSE(parse_key_type("rsa").has_value());
  EXPECT_FALSE(parse_key_type("").has_value());
  EXPECT_EQ(key_type_name(KeyType::p256), "p256");
  EXPECT_EQ(key_type_name(KeyType::rsa2048), "rsa2048");
}

TEST_P(SignatureTest, GeneratedKeysArePemOfTheRightType) {
  const auto pair = generate_key_pair(GetParam());
  EXPECT_EQ(pair.private_key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EXPECT_EQ(pair.public_key_pem.rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
  EXPECT_TRUE(is_acceptable_public_key(pair.public_key_pem, GetParam()));
  const auto other = GetParam() == KeyType::p256 ? KeyType::rsa2048 : KeyType::p256;
  EXPECT_FALSE(is_acceptable_public_key(pair.public_key_pem, other));
  // A private key is not a public key.
  EXPECT_FALSE(is_acceptable_public_key(pair.private_key_pem, GetParam()));
}

TEST_P(SignatureTest, SignsAndVerifies) {
  const auto pair = generate_key_pair(GetParam());
  const std::string message = "twofold-answer-v1\n1234567890123456789\n7\nnonce\naccept";
  const auto signature = sign(pair.private_key_pem, message);
  ASSERT_FALSE(signature.empty());
  EXPECT_TRUE(verify(pair.public_key_pem, GetParam(), message, signature));
  // Both schemes are randomised; a second signature differs but verifies too.
  const auto again = sign(pair.private_key_pem, message);
  EXPECT_NE(again, signature);
  EXPECT_TRUE(verify(pair.public_key_pem, GetParam(), message, again));
}

TEST_P(SignatureTest, RejectsTamperedMessageOrSignature) {
  const auto pair = generate_key_pair(GetParam());
  const std::string message = "twofold-lock-v1\nalice\nabc";
  auto signature = sign(pair.private_key_pem, message);
  EXPECT_FALSE(verify(pair.public_key_pem, GetParam(), message + "x", signature));
  EXPECT_FALSE(verify(pair.public_key_pem, GetParam(), "twofold-lock-v1\nalice\nabd", signature));
  auto flipped = signature;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_FALSE(verify(pair.public_key_pem, GetParam(), message, flipped));
  EXPECT_FALSE(verify(pair.public_key_pem, GetParam(), message, signature + '\0'));
  EXPECT_FALSE(verify(pair.public_key_pem, GetParam(), message, signature.substr(1)));
  EXPECT_FALSE(verify(pair.public_key_pem, GetParam(), message, ""));
}

TEST_P(SignatureTest, RejectsAnotherKeyAndTheWrongType) {
  const auto pair = generate_key_pair(GetParam());
  const auto other = generate_key_pair(GetParam());
  const std::string message = "hello";
  const auto signature = sign(pair.private_key_pem, message);
  EXPECT_FALSE(verify(other.public_key_pem, GetParam(), message, signature));
  const auto wrong_type = GetParam() == KeyType::p256 ? KeyType::rsa2048 : KeyType::p256;
  EXPECT_FALSE(verify(pair.public_key_pem, wrong_type, message, signature));
}

INSTANTIATE_TEST_SUITE_P(BothTypes, SignatureTest,
                         ::testing::Values(KeyType::p256, KeyType::rsa2048),
                         [](const auto& info) { return std::string(key_type_name(info.param)); });

TEST(SignatureGarbageTest, GarbagePemFailsWithoutThrowing) {
  for (const std::string& pem :
       {std::string(), std::string("not a key"),
        std::string("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
        std::string("\0\0\0", 3)}) {
    EXPECT_FALSE(is_acceptable_public_key(pem, KeyType::p256));
    EXPECT_FALSE(is_acceptable_public_key(pem, KeyType::rsa2048));
    EXPECT_FALSE(verify(pem, KeyType::p256, "m", "sig"));
    EXPECT_FALSE(verify(pem, KeyType::rsa2048, "m", "sig"));
    EXPECT_THROW(sign(pem, "m"), std::runtime_error);
  }
}

TEST(SignatureGarbageTest, TruncatedPemFails) {
  const auto pair = generate_key_pair(KeyType::p256);
  const auto truncated = pair.public_key_pem.substr(0, pair.public_key_pem.size() / 2);
  EXPECT_FALSE(is_acceptable_public_key(truncated, KeyType::p256));
  EXPECT_THROW(sign(pair.private_key_pem.substr(0, 60), "m"), std::runtime_error);
}

TEST(SignatureForeignKeysTest, P384IsRefused) {
  const auto p384 = make_p384();
  EXPECT_FALSE(is_acceptable_public_key(p384.public_pem, KeyType::p256));
  EXPECT_FALSE(is_acceptable_public_key(p384.public_pem, KeyType::rsa2048));
  // sign refuses it as well, so a device can never produce an unverifiable answer.
  EXPECT_THROW(sign(p384.private_pem, "m"), std::runtime_error);
}

TEST(SignatureForeignKeysTest, Rsa1024IsRefusedButLargerRsaIsFine) {
  const auto small = make_rsa(1024);
  EXPECT_FALSE(is_acceptable_public_key(small.public_pem, KeyType::rsa2048));
  EXPECT_FALSE(is_acceptable_public_key(small.public_pem, KeyType::p256));
  EXPECT_THROW(sign(small.private_pem, "m"), std::runtime_error);

  const auto large = make_rsa(3072);
  EXPECT_TRUE(is_acceptable_public_key(large.public_pem, KeyType::rsa2048));
  const auto signature = sign(large.private_pem, "m");
  EXPECT_TRUE(verify(large.public_pem, KeyType::rsa2048, "m", signature));
}

// Signs with plain OpenSSL: PKCS#1 v1.5 when `pss_salt` < 0, else PSS with that salt length.
std::string rsa_sign_with(const std::string& private_pem, const std::string& message,
                          int pss_salt) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  EXPECT_NE(key, nullptr);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()), 1);
  if (pss_salt >= 0) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()), 1);
  }
  std::string signature(512, '\0');
  std::size_t len = signature.size();
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()),
            1);
  signature.resize(len);
  return signature;
}

TEST(SignatureRsaSchemeTest, OnlyPssWithSalt32IsAccepted) {
  const auto pair = generate_key_pair(KeyType::rsa2048);
  const std::string message = "m";
  // An independent PSS/salt-32 signer interoperates (e.g. WebCrypto with saltLength 32).
  EXPECT_TRUE(verify(pair.public_key_pem, KeyType::rsa2048, message,
                     rsa_sign_with(pair.private_key_pem, message, 32)));
  EXPECT_FALSE(verify(pair.public_key_pem, KeyType::rsa2048, message,
                      rsa_sign_with(pair.private_key_pem, message, 20)));
  EXPECT_FALSE(verify(pair.public_key_pem, KeyType::rsa2048, message,
                      rsa_sign_with(pair.private_key_pem, message, -1)));
}

}  // namespace
}  // namespace twofold::crypto
