#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "core/encoding.hpp"
#include "jose/key_ring.hpp"
#include "storage/database.hpp"
#include "storage/signing_key_store.hpp"
#include "support/sqlite_fixture.hpp"

namespace twofold::jose {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

template <typename T>
using Owned = std::unique_ptr<T, void (*)(T*)>;

// Keys are expensive (RSA under ASan): one of each for the whole binary.
const SigningKey& rs_key() {
  static const SigningKey k = SigningKey::generate(Alg::RS256, "rs-1");
  return k;
}
const SigningKey& es_key() {
  static const SigningKey k = SigningKey::generate(Alg::ES256, "es-1");
  return k;
}
const std::string kSecret(32, 's');

std::string b64(std::string_view s) {
  return core::base64url_encode(s);
}
std::string compact(const json& header, const json& claims, std::string_view sig = "c2ln") {
  return b64(header.dump()) + "." + b64(claims.dump()) + "." + std::string(sig);
}
std::string segment(const std::string& token, int i) {
  std::size_t start = 0;
  for (int k = 0; k < i; ++k) start = token.find('.', start) + 1;
  return token.substr(start, token.find('.', start) - start);
}
json decoded(const std::string& token, int i) {
  return json::parse(*core::base64url_decode(segment(token, i)));
}
std::string bytes(const json& jwk, const char* name) {
  return *core::base64url_decode(jwk.at(name).get<std::string>());
}
Failure failure_of(const Outcome<Verified>& r) {
  return std::holds_alternative<Error>(r) ? std::get<Error>(r).failure
                                          : throw std::logic_error("token was accepted");
}

// Interoperability: rebuild the public key from the JWK alone with plain OpenSSL and check the
// JWS signature with EVP, without cjose.
bool openssl_verifies(const std::string& token, const json& jwk) {
  Owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  std::vector<Owned<BIGNUM>> bns;
  std::string point;
  const bool ec = jwk.at("kty") == "EC";
  if (ec) {
    point = "\x04" + bytes(jwk, "x") + bytes(jwk, "y");
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                     point.size());
  } else {
    for (const char* name : {"n", "e"}) {
      const std::string raw = bytes(jwk, name);
      bns.emplace_back(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()),
                                 static_cast<int>(raw.size()), nullptr),
                       BN_free);
      OSSL_PARAM_BLD_push_BN(bld.get(),
                             name[0] == 'n' ? OSSL_PKEY_PARAM_RSA_N : OSSL_PKEY_PARAM_RSA_E,
                             bns.back().get());
    }
  }
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  Owned<EVP_PKEY_CTX> pctx(EVP_PKEY_CTX_new_from_name(nullptr, ec ? "EC" : "RSA", nullptr),
                           EVP_PKEY_CTX_free);
  EVP_PKEY* raw_key = nullptr;
  if (EVP_PKEY_fromdata_init(pctx.get()) != 1 ||
      EVP_PKEY_fromdata(pctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return false;
  Owned<EVP_PKEY> key(raw_key, EVP_PKEY_free);

  const std::string input = token.substr(0, token.rfind('.'));
  std::string sig = *core::base64url_decode(token.substr(token.rfind('.') + 1));
  if (ec) {  // JWS R || S → DER ECDSA-Sig-Value
    if (sig.size() != 64) return false;
    Owned<ECDSA_SIG> es(ECDSA_SIG_new(), ECDSA_SIG_free);
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG_set0(es.get(), BN_bin2bn(p, 32, nullptr), BN_bin2bn(p + 32, 32, nullptr));
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(es.get(), &der);
    sig.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  }
  Owned<EVP_MD_CTX> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

TEST(JoseAlg, NamesRoundTrip) {
  for (const Alg a : {Alg::RS256, Alg::ES256, Alg::HS256}) EXPECT_EQ(parse_alg(alg_name(a)), a);
  EXPECT_FALSE(parse_alg("none"));
  EXPECT_FALSE(parse_alg("es256"));
  EXPECT_FALSE(parse_alg("PS256"));
}

TEST(JoseSign, RoundTripPerAlgAndOpenSslInterop) {
  const json claims = {{"sub", "alice"}, {"roles", {"a", "b"}}, {"name", "Jörg"}};
  for (const SigningKey* key : {&rs_key(), &es_key()}) {
    const std::string token = key->sign(claims);
    EXPECT_EQ(decoded(token, 0),
              (json{{"alg", alg_name(key->alg())}, {"kid", key->kid()}, {"typ", "JWT"}}));
    EXPECT_EQ(decoded(token, 1), claims);
    EXPECT_TRUE(openssl_verifies(token, key->public_jwk())) << alg_name(key->alg());

    const auto own = verify(token, *key);
    ASSERT_TRUE(std::holds_alternative<Verified>(own)) << std::get<Error>(own).message;
    EXPECT_EQ(std::get<Verified>(own).claims, claims);
    const auto viajwks = verify(token, {es_key().public_jwk(), rs_key().public_jwk()});
    ASSERT_TRUE(std::holds_alternative<Verified>(viajwks));
    EXPECT_EQ(std::get<Verified>(viajwks).kid, key->kid());
    EXPECT_EQ(std::get<Verified>(viajwks).header.at("alg"), alg_name(key->alg()));
  }
  const std::string at = es_key().sign({{"sub", "x"}}, "at+jwt");
  EXPECT_EQ(decoded(at, 0).at("typ"), "at+jwt");
  EXPECT_FALSE(decoded(es_key().sign({{"sub", "x"}}, ""), 0).contains("typ"));
}

TEST(JoseSign, PublicJwkShapeHasNoPrivateParts) {
  const json rs = rs_key().public_jwk(), es = es_key().public_jwk();
  EXPECT_EQ(rs.at("kty"), "RSA");
  EXPECT_EQ(rs.at("alg"), "RS256");
  EXPECT_EQ(rs.at("use"), "sig");
  EXPECT_EQ(rs.at("kid"), "rs-1");
  EXPECT_EQ(bytes(rs, "n").size(), 256u);
  EXPECT_EQ(rs.at("e"), "AQAB");
  EXPECT_EQ(es.at("kty"), "EC");
  EXPECT_EQ(es.at("crv"), "P-256");
  EXPECT_EQ(es.at("alg"), "ES256");
  EXPECT_EQ(bytes(es, "x").size(), 32u);
  EXPECT_EQ(bytes(es, "y").size(), 32u);
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
    EXPECT_FALSE(rs.contains(secret)) << secret;
    EXPECT_FALSE(es.contains(secret)) << secret;
  }
  // RFC 7638 thumbprint computed independently.
  const std::string canonical = R"({"crv":"P-256","kty":"EC","x":")" +
                                es.at("x").get<std::string>() + R"(","y":")" +
                                es.at("y").get<std::string>() + R"("})";
  unsigned char md[32];
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), md);
  EXPECT_EQ(es_key().thumbprint(), b64(std::string(reinterpret_cast<char*>(md), 32)));
}

TEST(JoseSign, FromPemAcceptsPkcs8AndTraditionalRefusesOthers) {
  for (const SigningKey* key : {&rs_key(), &es_key()}) {
    const SigningKey again = SigningKey::from_pem(key->private_pem(), "k");
    EXPECT_EQ(again.alg(), key->alg());
    EXPECT_EQ(again.thumbprint(), key->thumbprint());
    Owned<BIO> in(BIO_new_mem_buf(key->private_pem().data(), -1), BIO_free_all);
    Owned<EVP_PKEY> pkey(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr),
                         EVP_PKEY_free);
    Owned<BIO> out(BIO_new(BIO_s_mem()), BIO_free_all);
    ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(out.get(), pkey.get(), nullptr, nullptr, 0,
                                                   nullptr, nullptr),
              1);
    char* data = nullptr;
    const long len = BIO_get_mem_data(out.get(), &data);
    const std::string traditional(data, static_cast<std::size_t>(len));
    ASSERT_EQ(traditional.find("BEGIN PRIVATE KEY"), std::string::npos);
    EXPECT_EQ(SigningKey::from_pem(traditional, "t").thumbprint(), key->thumbprint());
  }
  Owned<EVP_PKEY> p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"), EVP_PKEY_free);
  Owned<EVP_PKEY> rsa1k(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024}),
                        EVP_PKEY_free);
  for (EVP_PKEY* bad : {p384.get(), rsa1k.get()}) {
    Owned<BIO> out(BIO_new(BIO_s_mem()), BIO_free_all);
    PEM_write_bio_PKCS8PrivateKey(out.get(), bad, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long len = BIO_get_mem_data(out.get(), &data);
    const std::string pem(data, static_cast<std::size_t>(len));
    EXPECT_THROW(SigningKey::from_pem(pem, "x"), JoseError);
  }
  EXPECT_THROW(SigningKey::from_pem("", "x"), JoseError);
  EXPECT_THROW(SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n", "x"), JoseError);
  EXPECT_THROW(SigningKey::generate(Alg::HS256, "x"), JoseError);
}

TEST(JoseVerify, TamperedPayloadOrSignatureRefused) {
  for (const SigningKey* key : {&rs_key(), &es_key()}) {
    const std::string token = key->sign({{"sub", "alice"}});
    const std::string other = key->sign({{"sub", "mallory"}});
    const std::string swapped =
        segment(token, 0) + "." + segment(other, 1) + "." + segment(token, 2);
    EXPECT_EQ(failure_of(verify(swapped, *key)), Failure::bad_signature);
    std::string flipped = token;
    char& c = flipped[flipped.size() - 5];
    c = c == 'A' ? 'B' : 'A';
    EXPECT_EQ(failure_of(verify(flipped, {key->public_jwk()})), Failure::bad_signature);
    EXPECT_TRUE(std::holds_alternative<Error>(verify(token + "AA", *key)));
  }
}

TEST(JoseVerify, AlgNoneAndAlgConfusionRefused) {
  const json claims = {{"sub", "admin"}};
  const std::vector<json> keys = {rs_key().public_jwk(), es_key().public_jwk()};
  EXPECT_EQ(failure_of(verify(compact({{"alg", "none"}}, claims), keys)), Failure::unsupported_alg);
  EXPECT_EQ(failure_of(verify(compact({{"alg", "none"}}, claims, ""), keys)), Failure::malformed);
  EXPECT_EQ(failure_of(verify(compact({{"alg", "None"}}, claims), keys)), Failure::unsupported_alg);
  EXPECT_EQ(failure_of(verify(compact({{"alg", "PS256"}}, claims), keys)),
            Failure::unsupported_alg);
  EXPECT_EQ(failure_of(verify(compact({{"alg", "ES256"}, {"crit", {"exp"}}}, claims), keys)),
            Failure::unsupported_alg);
  EXPECT_EQ(failure_of(verify(compact({{"alg", "none"}}, claims), rs_key())),
            Failure::unsupported_alg);
  EXPECT_EQ(failure_of(verify_hs256(compact({{"alg", "none"}}, claims), kSecret)),
            Failure::unsupported_alg);

  // An RS256 token offered against an EC key (and vice versa): no key of that type.
  const std::string rs = rs_key().sign(claims), es = es_key().sign(claims);
  EXPECT_EQ(failure_of(verify(rs, {es_key().public_jwk()})), Failure::no_key);
  EXPECT_EQ(failure_of(verify(es, {rs_key().public_jwk()})), Failure::no_key);
  EXPECT_EQ(failure_of(verify(rs, es_key())), Failure::no_key);
  // The same RSA key material claimed as ES256 under the RSA key's kid.
  json relabelled = decoded(rs, 0);
  relabelled["alg"] = "ES256";
  EXPECT_TRUE(
      std::holds_alternative<Error>(verify(compact(relabelled, claims, segment(rs, 2)), keys)));
  // Classic confusion: HMAC keyed with the public key's JSON must never pass.
  const std::string hs = sign_hs256(claims, rs_key().public_jwk().dump());
  EXPECT_EQ(failure_of(verify(hs, keys)), Failure::unsupported_alg);
  // A JWK restricted to another use or alg is not a candidate.
  json enc = es_key().public_jwk();
  enc["use"] = "enc";
  EXPECT_EQ(failure_of(verify(es, {enc})), Failure::no_key);
  json wrong_alg = es_key().public_jwk();
  wrong_alg["alg"] = "ES384";
  EXPECT_EQ(failure_of(verify(es, {wrong_alg})), Failure::no_key);
}

TEST(JoseVerify, KidSelectsTheKey) {
  const SigningKey other = SigningKey::generate(Alg::ES256, "es-2");
  const std::vector<json> keys = {es_key().public_jwk(), other.public_jwk()};
  const auto r = verify(other.sign({{"n", 1}}), keys);
  ASSERT_TRUE(std::holds_alternative<Verified>(r));
  EXPECT_EQ(std::get<Verified>(r).kid, "es-2");
  // Unknown kid: no fallback to other keys.
  json header = {{"alg", "ES256"}, {"kid", "nope"}};
  const std::string t = other.sign({{"n", 1}});
  EXPECT_EQ(failure_of(verify(compact(header, {{"n", 1}}, segment(t, 2)), keys)), Failure::no_key);
  // Without a kid every EC key is tried.
  const SigningKey nokid = SigningKey::generate(Alg::ES256, "");
  EXPECT_FALSE(decoded(nokid.sign({{"n", 1}}), 0).contains("kid"));
  EXPECT_TRUE(std::holds_alternative<Verified>(
      verify(nokid.sign({{"n", 1}}), {es_key().public_jwk(), nokid.public_jwk()})));
}

TEST(JoseVerify, Hs256) {
  const std::string token = sign_hs256({{"iss", "client"}}, kSecret);
  EXPECT_EQ(decoded(token, 0), (json{{"alg", "HS256"}, {"typ", "JWT"}}));
  const auto ok = verify_hs256(token, kSecret);
  ASSERT_TRUE(std::holds_alternative<Verified>(ok));
  EXPECT_EQ(std::get<Verified>(ok).claims.at("iss"), "client");
  EXPECT_EQ(failure_of(verify_hs256(token, std::string(32, 't'))), Failure::bad_signature);
  EXPECT_EQ(failure_of(verify_hs256(token, "short")), Failure::no_key);
  EXPECT_EQ(failure_of(verify_hs256(es_key().sign(json::object()), kSecret)),
            Failure::unsupported_alg);
  EXPECT_THROW(sign_hs256(json::object(), "short"), JoseError);
  EXPECT_THROW(sign_hs256(json::array(), kSecret), JoseError);
  EXPECT_THROW(es_key().sign(json("x")), JoseError);
}

TEST(JoseVerify, GarbageNeverCrashesNorVerifies) {
  const std::vector<json> keys = {rs_key().public_jwk(), es_key().public_jwk()};
  const std::string good = es_key().sign({{"sub", "a"}});
  std::vector<std::string> inputs = {"",
                                     ".",
                                     "..",
                                     "...",
                                     "a.b",
                                     "a.b.c",
                                     "a..c",
                                     std::string(10'000, '.'),
                                     "!!!.@@@.###",
                                     "e30.e30.e30",
                                     "eyJhbGciOiJFUzI1NiJ9.e30=.AAAA",
                                     std::string(kMaxCompactSize + 1, 'A'),
                                     std::string("ab\0c.d.e", 8),
                                     compact(json::array({"alg", "ES256"}), {}),
                                     compact({{"alg", 256}}, {}),
                                     compact({{"alg", "ES256"}, {"kid", 7}}, {}),
                                     b64("{") + ".e30.AAAA",
                                     b64("\xff\xfe") + ".e30.AAAA",
                                     segment(good, 0) + "." + b64("[1,2]") + "." + segment(good, 2),
                                     segment(good, 0) + ".bm90IGpzb24." + segment(good, 2),
                                     std::string(1000, '[') + ".e30.AA",
                                     b64(std::string(20'000, '[')) + ".e30.AA"};
  // Mutations of a valid token: every single-character change and truncation.
  for (std::size_t i = 0; i < good.size(); i += 7) {
    std::string m = good;
    m[i] = m[i] == '.' ? 'A' : (m[i] == 'A' ? '.' : 'A');
    inputs.push_back(m);
    inputs.push_back(good.substr(0, i));
  }
  for (const auto& in : inputs) {
    EXPECT_TRUE(std::holds_alternative<Error>(verify(in, keys))) << in.substr(0, 80);
    EXPECT_TRUE(std::holds_alternative<Error>(verify(in, es_key())));
    EXPECT_TRUE(std::holds_alternative<Error>(verify_hs256(in, kSecret)));
    (void)unverified_claims(in);
  }
  // Garbage JWKs are skipped, not fatal.
  const std::vector<json> junk = {json(),
                                  json::array(),
                                  {{"kty", "EC"}},
                                  {{"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}},
                                  {{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}};
  EXPECT_EQ(failure_of(verify(good, junk)), Failure::no_key);
  EXPECT_EQ(failure_of(verify(rs_key().sign(json::object()), junk)), Failure::no_key);
}

TEST(JoseVerify, UnverifiedClaimsOnlyPeeks) {
  const auto peeked = unverified_claims(es_key().sign({{"iss", "client-1"}}));
  ASSERT_TRUE(peeked);
  EXPECT_EQ(peeked->at("iss"), "client-1");
  EXPECT_FALSE(unverified_claims("a.b"));
  EXPECT_FALSE(unverified_claims(compact({{"alg", "ES256"}}, json::array(), std::string(86, 'A'))));
}

TEST(JoseSign, ConcurrentSigningWithSharedKeys) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      const SigningKey& key = t % 2 ? es_key() : rs_key();
      for (int i = 0; i < 40; ++i) {
        const std::string token = key.sign({{"t", t}, {"i", i}});
        if (std::holds_alternative<Verified>(verify(token, {key.public_jwk()}))) ++good;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 160);
}

// In-memory store for the ring's own tests.
class MemoryStore final : public KeyStore {
 public:
  std::map<std::string, StoredKey> rows;
  std::vector<StoredKey> load() override {
    std::vector<StoredKey> out;
    for (auto& [_, k] : rows) out.push_back(k);
    return out;
  }
  bool save(const StoredKey& k) override { return rows.emplace(k.kid, k).second; }
  void retire(const std::string& kid, core::TimePoint at) override {
    auto& r = rows.at(kid).retired;
    if (!r) r = at;
  }
  void remove(const std::string& kid) override { rows.erase(kid); }
};

std::vector<std::string> published_kids(const KeyRing& ring) {
  std::vector<std::string> out;
  const json jwks = ring.jwks();
  for (const auto& k : jwks.at("keys")) out.push_back(k.at("kid"));
  return out;
}
bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(JoseKeyRing, RotationKeepsOldKeysUntilTheirTokensExpire) {
  MemoryStore store;
  core::SeededRandom random(7);
  core::ManualClock clock;
  KeyRing ring(store, random, std::chrono::hours(1));
  EXPECT_THROW(ring.current(Alg::ES256), JoseError);
  ring.load_or_import("", "/nonexistent/es.pem", clock.now());  // no files: fresh keys
  ASSERT_EQ(store.rows.size(), 2u);
  const auto old_es = ring.current(Alg::ES256), old_rs = ring.current(Alg::RS256);
  EXPECT_EQ(old_es->kid().size(), 16u);
  const std::string old_token = old_es->sign({{"sub", "a"}});

  clock.advance(std::chrono::minutes(5));
  const auto kids = ring.rotate(clock.now());
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(ring.current(Alg::RS256)->kid(), kids[0]);
  EXPECT_EQ(ring.current(Alg::ES256)->kid(), kids[1]);
  EXPECT_EQ(published_kids(ring).size(), 4u);
  EXPECT_TRUE(has(published_kids(ring), old_es->kid()));
  EXPECT_EQ(json::parse(*ring.jwks_text()), ring.jwks());
  EXPECT_EQ(store.rows.at(old_rs->kid()).retired, clock.now());
  EXPECT_TRUE(std::holds_alternative<Verified>(ring.verify(old_token)));
  EXPECT_TRUE(std::holds_alternative<Verified>(
      ring.verify(ring.current(Alg::RS256)->sign(json::object()))));
  std::size_t current = 0;
  for (const auto& k : ring.keys()) current += k.current;
  EXPECT_EQ(current, 2u);

  clock.advance(std::chrono::minutes(59));
  EXPECT_EQ(ring.prune(clock.now()), 0u);
  EXPECT_TRUE(has(published_kids(ring), old_es->kid()));
  clock.advance(std::chrono::minutes(1));
  EXPECT_EQ(ring.prune(clock.now()), 2u);
  EXPECT_FALSE(has(published_kids(ring), old_es->kid()));
  EXPECT_EQ(published_kids(ring).size(), 2u);
  EXPECT_EQ(failure_of(ring.verify(old_token)), Failure::no_key);
  EXPECT_EQ(store.rows.size(), 2u);
}

class JoseStoreTest : public fakes::SqliteTest {
 protected:
  JoseStoreTest() : SqliteTest("jose") {}
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return dir / name;
  }
};

TEST_F(JoseStoreTest, SqliteRoundTrip) {
  storage::SigningKeyStore store(*db);
  const core::TimePoint t0 = core::from_millis(1'700'000'000'123);
  ASSERT_TRUE(store.save({"k1", Alg::ES256, es_key().private_pem(), t0, std::nullopt}));
  EXPECT_FALSE(store.save({"k1", Alg::RS256, rs_key().private_pem(), t0, std::nullopt}));
  ASSERT_TRUE(store.save({"k2", Alg::RS256, rs_key().private_pem(), t0, t0}));
  store.retire("k1", t0 + std::chrono::seconds(5));
  store.retire("k1", t0 + std::chrono::seconds(9));  // the first retirement stands
  auto rows = store.load();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kid, "k1");
  EXPECT_EQ(rows[0].alg, Alg::ES256);
  EXPECT_EQ(rows[0].private_pem, es_key().private_pem());
  EXPECT_EQ(rows[0].created, t0);
  EXPECT_EQ(rows[0].retired, t0 + std::chrono::seconds(5));
  EXPECT_EQ(rows[1].retired, t0);
  store.remove("k1");
  EXPECT_EQ(store.load().size(), 1u);
}

TEST_F(JoseStoreTest, FirstStartImportsSetupKeysThenTheDatabaseRules) {
  const fs::path rs = write("rs.pem", rs_key().private_pem());
  const fs::path es = write("es.pem", es_key().private_pem());
  storage::SigningKeyStore store(*db);
  core::SeededRandom random(1);
  const core::TimePoint now = core::from_millis(1'700'000'000'000);
  KeyRing a(store, random, std::chrono::hours(1));
  a.load_or_import(rs, es, now);
  EXPECT_EQ(a.current(Alg::RS256)->kid(), rs_key().thumbprint());
  EXPECT_EQ(a.current(Alg::ES256)->kid(), es_key().thumbprint());

  // A second instance with other files: the database wins.
  const SigningKey other = SigningKey::generate(Alg::ES256, "");
  KeyRing b(store, random, std::chrono::hours(1));
  b.load_or_import(rs, write("other.pem", other.private_pem()), now);
  EXPECT_EQ(b.current(Alg::ES256)->kid(), es_key().thumbprint());
  EXPECT_EQ(b.jwks(), a.jwks());

  // Rotation on one instance reaches the other on reload.
  const auto kids = a.rotate(now + std::chrono::seconds(1));
  b.reload(now + std::chrono::seconds(2));
  EXPECT_EQ(b.current(Alg::ES256)->kid(), kids[1]);
  EXPECT_TRUE(
      std::holds_alternative<Verified>(b.verify(a.current(Alg::RS256)->sign(json::object()))));

  // A file with the wrong key type is refused on an empty store.
  auto fresh = storage::Database::open_sqlite((dir / "fresh.db").string(), false, 100);
  storage::SigningKeyStore fresh_store(*fresh);
  KeyRing c(fresh_store, random, std::chrono::hours(1));
  EXPECT_THROW(c.load_or_import(es, es, now), JoseError);
}

}  // namespace
}  // namespace twofold::jose
