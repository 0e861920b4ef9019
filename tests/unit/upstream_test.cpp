// R-C4: ID-token validation order and refusals, the claim mapping, and the federation steps
// (discovery, authorization request with PKCE, code exchange) against a scripted provider.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <map>

#include "core/encoding.hpp"
#include "jose/jws.hpp"
#include "jose/public_pem.hpp"
#include "jose/signing_key.hpp"
#include "sources/upstream/federation.hpp"

namespace twofold::sources::upstream {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const jose::SigningKey& rs_key() {
  static const auto k = jose::SigningKey::generate(jose::Alg::RS256, "up-1");
  return k;
}
const jose::SigningKey& other_key() {
  static const auto k = jose::SigningKey::generate(jose::Alg::RS256, "up-1");  // same kid!
  return k;
}
const jose::SigningKey& es_key() {
  static const auto k = jose::SigningKey::generate(jose::Alg::ES256, "up-es");
  return k;
}

const core::TimePoint kNow = core::TimePoint(std::chrono::seconds(1'900'000'000));
constexpr std::int64_t kNowS = 1'900'000'000;

json good_claims() {
  return {{"iss", "https://idp.example"},
          {"sub", "u-17"},
          {"aud", "twofold"},
          {"exp", kNowS + 300},
          {"iat", kNowS - 5},
          {"nonce", "n-123"},
          {"preferred_username", "alice"},
          {"email", "alice@example.com"}};
}

Expectations expect() {
  return {"https://idp.example", "twofold", "n-123", {"RS256", "ES256"}, 60s};
}

KeySource keys_of(std::vector<json> keys, int* calls = nullptr) {
  return [keys, calls](bool, const std::string&) -> std::variant<std::vector<json>, std::string> {
    if (calls) ++*calls;
    return keys;
  };
}

std::variant<json, IdTokenError> check(const std::string& token, Expectations e = expect()) {
  return validate_id_token(token, e, keys_of({rs_key().public_jwk(), es_key().public_jwk()}), kNow);
}

Refusal refusal_of(const std::variant<json, IdTokenError>& r) {
  EXPECT_TRUE(std::holds_alternative<IdTokenError>(r));
  return std::holds_alternative<IdTokenError>(r) ? std::get<IdTokenError>(r).refusal
                                                 : Refusal::malformed;
}

std::string b64(const std::string& s) {
  return core::base64url_encode(s);
}

TEST(UpstreamIdToken, AcceptsAGoodTokenRsAndEs) {
  auto r = check(rs_key().sign(good_claims()));
  ASSERT_TRUE(std::holds_alternative<json>(r));
  EXPECT_EQ(std::get<json>(r)["sub"], "u-17");
  EXPECT_TRUE(std::holds_alternative<json>(check(es_key().sign(good_claims()))));
}

TEST(UpstreamIdToken, RefusesAlgNone) {
  const auto token = b64(R"({"alg":"none","typ":"JWT"})") + "." + b64(good_claims().dump()) + ".";
  EXPECT_EQ(refusal_of(check(token)), Refusal::bad_alg);
}

TEST(UpstreamIdToken, RefusesHs256EvenWithThePublicKeyAsSecret) {
  // The classic confusion: HS256 "signed" with the provider's public key material.
  const auto token = jose::sign_hs256(good_claims(), rs_key().public_jwk().dump());
  EXPECT_EQ(refusal_of(check(token)), Refusal::bad_alg);
}

TEST(UpstreamIdToken, RefusesAnAlgNotConfigured) {
  auto e = expect();
  e.algs = {"RS256"};
  EXPECT_EQ(refusal_of(check(es_key().sign(good_claims()), e)), Refusal::bad_alg);
}

TEST(UpstreamIdToken, RefusesAnotherKeysSignatureAndRefetchesOnUnknownKey) {
  EXPECT_EQ(refusal_of(check(other_key().sign(good_claims()))), Refusal::bad_signature);
  // No key with the token's kid: the keys are fetched once more (rotation), then refused.
  auto unknown = jose::SigningKey::generate(jose::Alg::ES256, "not-there");
  int calls = 0;
  auto r = validate_id_token(unknown.sign(good_claims()), expect(),
                             keys_of({rs_key().public_jwk()}, &calls), kNow);
  EXPECT_EQ(refusal_of(r), Refusal::no_key);
  EXPECT_EQ(calls, 2);
}

TEST(UpstreamIdToken, RefusesWhenTheKeysAreUnavailable) {
  KeySource none = [](bool, const std::string&) -> std::variant<std::vector<json>, std::string> {
    return std::string("connection refused");
  };
  EXPECT_EQ(refusal_of(validate_id_token(rs_key().sign(good_claims()), expect(), none, kNow)),
            Refusal::no_key);
}

TEST(UpstreamIdToken, RefusesTamperedAndMalformedTokens) {
  auto token = rs_key().sign(good_claims());
  auto parts = token.substr(0, token.find('.') + 1);
  auto claims = good_claims();
  claims["preferred_username"] = "admin";
  const auto forged = parts + b64(claims.dump()) + token.substr(token.rfind('.'));
  EXPECT_EQ(refusal_of(check(forged)), Refusal::bad_signature);
  EXPECT_EQ(refusal_of(check("")), Refusal::malformed);
  EXPECT_EQ(refusal_of(check("abc")), Refusal::malformed);
  EXPECT_EQ(refusal_of(check("!!.!!.!!")), Refusal::malformed);
}

TEST(UpstreamIdToken, RefusesEachBadClaim) {
  auto with = [](const char* name, json value) {
    auto c = good_claims();
    if (value.is_null())
      c.erase(name);
    else
      c[name] = value;
    return rs_key().sign(c);
  };
  EXPECT_EQ(refusal_of(check(with("iss", "https://evil.example"))), Refusal::wrong_issuer);
  EXPECT_EQ(refusal_of(check(with("iss", "https://idp.example/"))), Refusal::wrong_issuer);
  EXPECT_EQ(refusal_of(check(with("iss", nullptr))), Refusal::wrong_issuer);
  EXPECT_EQ(refusal_of(check(with("aud", "someone-else"))), Refusal::wrong_audience);
  EXPECT_EQ(refusal_of(check(with("aud", json::array({"a", "b"})))), Refusal::wrong_audience);
  EXPECT_EQ(refusal_of(check(with("aud", json::array({"twofold", "other"})))), Refusal::wrong_azp);
  EXPECT_EQ(refusal_of(check(with("azp", "other"))), Refusal::wrong_azp);
  EXPECT_EQ(refusal_of(check(with("exp", kNowS - 61))), Refusal::expired);
  EXPECT_EQ(refusal_of(check(with("exp", nullptr))), Refusal::expired);
  EXPECT_EQ(refusal_of(check(with("iat", kNowS + 120))), Refusal::issued_in_future);
  EXPECT_EQ(refusal_of(check(with("nbf", kNowS + 120))), Refusal::not_yet_valid);
  EXPECT_EQ(refusal_of(check(with("nonce", "n-other"))), Refusal::wrong_nonce);
  EXPECT_EQ(refusal_of(check(with("nonce", nullptr))), Refusal::wrong_nonce);
  EXPECT_EQ(refusal_of(check(with("sub", ""))), Refusal::no_subject);
  // Within the leeway, and several audiences with azp = us, pass.
  EXPECT_TRUE(std::holds_alternative<json>(check(with("exp", kNowS - 30))));
  auto multi = good_claims();
  multi["aud"] = json::array({"other", "twofold"});
  multi["azp"] = "twofold";
  EXPECT_TRUE(std::holds_alternative<json>(check(rs_key().sign(multi))));
}

TEST(UpstreamIdToken, ChecksInTheDocumentedOrder) {
  // Everything wrong at once: the alg is reported first, then the signature, then iss…
  auto c = good_claims();
  c["iss"] = "https://evil.example";
  c["aud"] = "x";
  c["exp"] = kNowS - 1000;
  c["nonce"] = "no";
  EXPECT_EQ(refusal_of(check(b64(R"({"alg":"none"})") + "." + b64(c.dump()) + ".")),
            Refusal::bad_alg);
  EXPECT_EQ(refusal_of(check(other_key().sign(c))), Refusal::bad_signature);
  EXPECT_EQ(refusal_of(check(rs_key().sign(c))), Refusal::wrong_issuer);
  c["iss"] = "https://idp.example";
  EXPECT_EQ(refusal_of(check(rs_key().sign(c))), Refusal::wrong_audience);
  c["aud"] = "twofold";
  EXPECT_EQ(refusal_of(check(rs_key().sign(c))), Refusal::expired);
  c["exp"] = kNowS + 10;
  EXPECT_EQ(refusal_of(check(rs_key().sign(c))), Refusal::wrong_nonce);
}

std::string public_pem_of(const jose::SigningKey& key, bool certificate = false) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(key.private_pem().data(), static_cast<int>(key.private_pem().size())),
      &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  if (certificate) {
    std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), &X509_free);
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
    X509_set_pubkey(x.get(), pkey.get());
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("idp"), -1, -1, 0);
    X509_set_issuer_name(x.get(), X509_get_subject_name(x.get()));
    X509_sign(x.get(), pkey.get(), EVP_sha256());
    PEM_write_bio_X509(out.get(), x.get());
  } else {
    PEM_write_bio_PUBKEY(out.get(), pkey.get());
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

TEST(UpstreamIdToken, ChecksAgainstAConfiguredPublicKeyOrCertificate) {
  for (bool cert : {false, true}) {
    for (const auto* key : {&rs_key(), &es_key()}) {
      auto jwk = jose::public_jwk_from_pem(public_pem_of(*key, cert));
      EXPECT_FALSE(jwk.contains("d"));
      jwk["kid"] = key->kid();
      auto ok = validate_id_token(key->sign(good_claims()), expect(), keys_of({jwk}), kNow);
      EXPECT_TRUE(std::holds_alternative<json>(ok)) << cert;
      auto bad = validate_id_token(other_key().sign(good_claims()), expect(), keys_of({jwk}), kNow);
      EXPECT_TRUE(std::holds_alternative<IdTokenError>(bad));
    }
  }
  EXPECT_THROW(jose::public_jwk_from_pem(rs_key().private_pem()), jose::JoseError);
  EXPECT_THROW(jose::public_jwk_from_pem("junk"), jose::JoseError);
}

// --- mapping ---

std::string mapped(const ClaimMapping& m, const json& claims) {
  auto r = m.local_id(claims);
  return r.index() == 0 ? std::get<0>(r) : "refused: " + std::get<1>(r);
}

TEST(UpstreamMapping, FirstCaptureGroupOrWholeMatch) {
  ClaimMapping by_email({"email", "^([a-z0-9._-]+)@example\\.com$", "", ""});
  EXPECT_EQ(mapped(by_email, {{"email", "alice@example.com"}}), "alice");
  EXPECT_EQ(mapped(by_email, {{"email", "alice@evil.com"}}).rfind("refused", 0), 0u);
  EXPECT_EQ(mapped(by_email, {{"sub", "x"}}).rfind("refused", 0), 0u);
  EXPECT_EQ(mapped(by_email, {{"email", 17}}).rfind("refused", 0), 0u);
  ClaimMapping whole({"preferred_username", "^[a-z]+$", "", ""});
  EXPECT_EQ(mapped(whole, {{"preferred_username", "bob"}}), "bob");
  EXPECT_EQ(mapped(whole, {{"preferred_username", "Bob!"}}).rfind("refused", 0), 0u);
  // An optional group that did not take part: the whole match.
  ClaimMapping optional({"preferred_username", "^(x-)?[a-z]+$", "", ""});
  EXPECT_EQ(mapped(optional, {{"preferred_username", "carol"}}), "carol");
}

TEST(UpstreamMapping, RequiredClaimValue) {
  ClaimMapping staff({"preferred_username", "^(.+)$", "groups", "staff"});
  EXPECT_EQ(mapped(staff, {{"preferred_username", "a"}, {"groups", {"x", "staff"}}}), "a");
  EXPECT_EQ(mapped(staff, {{"preferred_username", "a"}, {"groups", {"x"}}}).rfind("refused", 0),
            0u);
  EXPECT_EQ(mapped(staff, {{"preferred_username", "a"}}).rfind("refused", 0), 0u);
  ClaimMapping hd({"email", "^(.+)@", "hd", "example.com"});
  EXPECT_EQ(mapped(hd, {{"email", "d@example.com"}, {"hd", "example.com"}}), "d");
  EXPECT_EQ(mapped(hd, {{"email", "d@example.com"}, {"hd", "example.org"}}).rfind("refused", 0),
            0u);
}

TEST(UpstreamMapping, BadSettingsAreClearErrors) {
  EXPECT_THROW(ClaimMapping({"email", "(", "", ""}), MappingError);
  EXPECT_THROW(ClaimMapping({"", "x", "", ""}), MappingError);
  EXPECT_THROW(ClaimMapping({"email", "x", "groups", ""}), MappingError);
}

// --- federation against a scripted provider ---

struct ScriptedProvider : HttpClient {
  std::map<std::string, HttpAnswer> gets;
  HttpAnswer token_answer;
  std::string last_body;
  std::vector<std::string> last_headers;
  int discovery_calls{0};
  std::variant<HttpAnswer, std::string> get(const std::string& url) override {
    ++discovery_calls;
    const auto it = gets.find(url);
    if (it == gets.end()) return std::string("connection refused");
    return it->second;
  }
  std::variant<HttpAnswer, std::string> post_form(
      const std::string& url, const std::string& body,
      const std::vector<std::string>& headers) override {
    EXPECT_EQ(url, "https://idp.example/token");
    last_body = body;
    last_headers = headers;
    return token_answer;
  }
};

std::string param(const std::string& url, const std::string& name) {
  const auto at = url.find("&" + name + "=") != std::string::npos ? url.find("&" + name + "=")
                                                                  : url.find("?" + name + "=");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 2;
  return url.substr(start, url.find('&', start) - start);
}

struct FederationTest : ::testing::Test {
  ScriptedProvider provider;
  core::ManualClock clock{kNow};
  core::SeededRandom random{7};
  int jwks_calls{0};
  FederationSettings settings() {
    FederationSettings s;
    s.issuer = "https://idp.example";
    s.client_id = "twofold";
    s.client_secret = "s3cret:&";
    s.redirect_uri = "https://login.example/login/upstream/callback";
    return s;
  }
  std::unique_ptr<Federation> make(FederationSettings s) {
    provider.gets["https://idp.example/.well-known/openid-configuration"] = {
        200, json{{"issuer", "https://idp.example"},
                  {"authorization_endpoint", "https://idp.example/auth"},
                  {"token_endpoint", "https://idp.example/token"},
                  {"jwks_uri", "https://idp.example/jwks"}}
                 .dump()};
    return std::make_unique<Federation>(
        std::move(s), ClaimMapping({"preferred_username", "^([a-z]+)$", "", ""}), provider,
        [this](const std::string& uri, bool) -> std::variant<std::vector<json>, std::string> {
          ++jwks_calls;
          EXPECT_EQ(uri, "https://idp.example/jwks");
          return std::vector<json>{rs_key().public_jwk()};
        },
        clock, random);
  }
  std::string id_token_for(const std::string& nonce, json extra = json::object()) {
    auto c = good_claims();
    c["nonce"] = nonce;
    c.update(extra);
    return rs_key().sign(c);
  }
};

TEST_F(FederationTest, HappyPathWithPkceStateNonceAndBasicAuth) {
  auto f = make(settings());
  auto started = f->start("tx-1");
  ASSERT_EQ(started.index(), 0u);
  const auto url = std::get<0>(started);
  EXPECT_EQ(url.rfind("https://idp.example/auth?response_type=code&client_id=twofold", 0), 0u);
  EXPECT_EQ(param(url, "redirect_uri"),
            "https%3A%2F%2Flogin.example%2Flogin%2Fupstream%2Fcallback");
  EXPECT_EQ(param(url, "scope"), "openid%20profile%20email");
  EXPECT_EQ(param(url, "code_challenge_method"), "S256");
  const auto state = param(url, "state");
  auto pending = f->take(state);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->tx_id, "tx-1");
  EXPECT_EQ(param(url, "nonce"), pending->nonce);
  EXPECT_EQ(param(url, "code_challenge"), pkce_challenge(pending->verifier));
  EXPECT_FALSE(f->take(state)) << "single use";

  provider.token_answer = {200, json{{"id_token", id_token_for(pending->nonce)}}.dump()};
  auto done = f->finish(*pending, "the-code");
  ASSERT_EQ(done.index(), 0u) << std::get<Failure>(done).message;
  EXPECT_EQ(std::get<Upstream>(done).local_id, "alice");
  EXPECT_EQ(std::get<Upstream>(done).email, "alice@example.com");
  EXPECT_NE(provider.last_body.find("code=the-code"), std::string::npos);
  EXPECT_NE(provider.last_body.find("code_verifier=" + pending->verifier), std::string::npos);
  EXPECT_EQ(provider.last_body.find("client_secret"), std::string::npos);
  EXPECT_NE(std::find(provider.last_headers.begin(), provider.last_headers.end(),
                      "Authorization: Basic " + core::base64_encode("twofold:s3cret%3A%26")),
            provider.last_headers.end());
  EXPECT_EQ(provider.discovery_calls, 1) << "metadata cached";
}

TEST_F(FederationTest, ClientSecretPost) {
  auto s = settings();
  s.token_auth_method = "client_secret_post";
  auto f = make(s);
  const auto url = std::get<0>(f->start("tx"));
  auto pending = f->take(param(url, "state"));
  provider.token_answer = {200, json{{"id_token", id_token_for(pending->nonce)}}.dump()};
  ASSERT_EQ(f->finish(*pending, "c").index(), 0u);
  EXPECT_NE(provider.last_body.find("client_secret=s3cret%3A%26"), std::string::npos);
}

TEST_F(FederationTest, RefusalsComeBackAsFailures) {
  auto f = make(settings());
  auto pending_of = [&] { return *f->take(param(std::get<0>(f->start("tx")), "state")); };
  auto p = pending_of();
  provider.token_answer = {200, json{{"id_token", id_token_for("another-nonce")}}.dump()};
  auto r = f->finish(p, "c");
  ASSERT_EQ(r.index(), 1u);
  EXPECT_EQ(std::get<Failure>(r).kind, FailureKind::token_refused);
  EXPECT_EQ(std::get<Failure>(r).refusal, Refusal::wrong_nonce);

  p = pending_of();
  provider.token_answer = {200, json{{"id_token", id_token_for(p.nonce, {{"aud", "x"}})}}.dump()};
  EXPECT_EQ(std::get<Failure>(f->finish(p, "c")).refusal, Refusal::wrong_audience);

  p = pending_of();
  provider.token_answer = {
      200, json{{"id_token", id_token_for(p.nonce, {{"preferred_username", "Nope!"}})}}.dump()};
  EXPECT_EQ(std::get<Failure>(f->finish(p, "c")).kind, FailureKind::not_mapped);

  p = pending_of();
  provider.token_answer = {400, R"({"error":"invalid_grant"})"};
  auto refused = f->finish(p, "c");
  EXPECT_EQ(std::get<Failure>(refused).kind, FailureKind::provider_error);
  EXPECT_NE(std::get<Failure>(refused).message.find("invalid_grant"), std::string::npos);

  p = pending_of();
  provider.token_answer = {200, "{}"};
  EXPECT_EQ(std::get<Failure>(f->finish(p, "c")).kind, FailureKind::unavailable);
}

TEST_F(FederationTest, PendingSignInsExpire) {
  auto f = make(settings());
  const auto state = param(std::get<0>(f->start("tx")), "state");
  clock.advance(std::chrono::minutes(11));
  EXPECT_FALSE(f->take(state));
  EXPECT_FALSE(f->take("unknown"));
}

TEST_F(FederationTest, DiscoveryFailuresAndIssuerMismatch) {
  auto f = make(settings());
  provider.gets.clear();
  auto r = f->start("tx");
  ASSERT_EQ(r.index(), 1u);
  EXPECT_EQ(std::get<Failure>(r).kind, FailureKind::unavailable);

  auto s = settings();
  s.issuer = "https://idp.example/other";
  auto g = make(s);
  provider.gets["https://idp.example/other/.well-known/openid-configuration"] =
      provider.gets["https://idp.example/.well-known/openid-configuration"];
  auto mismatch = g->start("tx");
  ASSERT_EQ(mismatch.index(), 1u);
  EXPECT_NE(std::get<Failure>(mismatch).message.find("not the configured one"), std::string::npos);
}

TEST_F(FederationTest, ConfiguredCertificateReplacesTheJwks) {
  auto s = settings();
  s.certificate_pem = public_pem_of(rs_key(), true);
  auto f = make(s);
  const auto url = std::get<0>(f->start("tx"));
  auto pending = f->take(param(url, "state"));
  provider.token_answer = {200, json{{"id_token", id_token_for(pending->nonce)}}.dump()};
  ASSERT_EQ(f->finish(*pending, "c").index(), 0u);
  // Another key, whatever kid it names, is refused.
  pending = f->take(param(std::get<0>(f->start("tx")), "state"));
  auto c = good_claims();
  c["nonce"] = pending->nonce;
  provider.token_answer = {200, json{{"id_token", other_key().sign(c)}}.dump()};
  EXPECT_EQ(std::get<Failure>(f->finish(*pending, "c")).refusal, Refusal::bad_signature);
  EXPECT_EQ(jwks_calls, 0);
  s.certificate_pem = "not a pem";
  EXPECT_THROW(make(s), std::invalid_argument);
}

TEST(UpstreamMetadata, ChecksEndpoints) {
  EXPECT_EQ(discovery_url("https://a.example/"),
            "https://a.example/.well-known/openid-configuration");
  const json doc{{"issuer", "https://a"},
                 {"authorization_endpoint", "http://evil/auth"},
                 {"token_endpoint", "https://a/token"}};
  EXPECT_EQ(parse_metadata(doc.dump(), "https://a").index(), 1u);
  EXPECT_EQ(parse_metadata("[]", "https://a").index(), 1u);
  auto loopback = doc;
  loopback["authorization_endpoint"] = "http://127.0.0.1:9/auth";
  EXPECT_EQ(parse_metadata(loopback.dump(), "https://a").index(), 0u);
  EXPECT_FALSE(allowed_url("http://127.0.0.1.evil.com/x"));
  EXPECT_FALSE(allowed_url("ftp://a"));
}

TEST(UpstreamPkce, Rfc7636AppendixB) {
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace twofold::sources::upstream
