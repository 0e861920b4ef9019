// JWT client authentication (client_secret_jwt, private_key_jwt) as pure domain code: the claim
// checks with a manual clock, single use of jti, the token endpoint's choice of method, the
// sealed secrets of client_secret_jwt clients, and the JWKS cache with a fake fetcher.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/encoding.hpp"
#include "jose/jws.hpp"
#include "jose/remote_jwks.hpp"
#include "oidc/client_assertion.hpp"
#include "oidc/token_endpoint.hpp"
#include "storage/assertion_jti_store.hpp"
#include "storage/client_store.hpp"
#include "support/oidc_fakes.hpp"

namespace twofold::oidc {
namespace {

using nlohmann::json;
constexpr const char* kIssuer = "https://id.example";

using MemoryRegistry = fakes::MemoryClientRegistry;

class MemoryJtis final : public JtiRegistry {
 public:
  bool remember(const std::string& client_id, const std::string& jti, core::TimePoint expires,
                core::TimePoint now) override {
    std::erase_if(seen, [&](const auto& e) { return e.second <= now; });
    return seen.emplace(client_id + "\n" + jti, expires).second;
  }
  std::map<std::string, core::TimePoint> seen;
};

// Signatures are HS256 with the real jose code: the client's recovered secret for
// client_secret_jwt, a fixed "key" standing in for the JWKS for private_key_jwt (the header's
// alg is what the checks look at; jose's own tests cover RS256/ES256 verification).
class SecretKeys final : public AssertionKeys {
 public:
  explicit SecretKeys(Clients& clients) : clients_(clients) {}
  std::variant<VerifiedToken, std::string> verify(const Client& client,
                                                  std::string_view assertion) override {
    ++calls;
    const std::string key = client.auth_method == AuthMethod::client_secret_jwt
                                ? clients_.shared_secret(client).value_or("")
                                : std::string(kJwksStandIn);
    if (key.empty()) return std::string("no secret");
    auto out = jose::verify_hs256(assertion, key);
    if (auto* e = std::get_if<jose::Error>(&out)) return e->message;
    auto& v = std::get<jose::Verified>(out);
    if (client.auth_method == AuthMethod::private_key_jwt) v.header["alg"] = header_alg;
    return VerifiedToken{v.header, v.claims};
  }
  static constexpr const char* kJwksStandIn = "a private_key_jwt stand-in key, 32+ bytes";
  std::string header_alg = "ES256";
  int calls = 0;

 private:
  Clients& clients_;
};

class ClientAssertionTest : public ::testing::Test {
 protected:
  core::ManualClock clock{core::from_millis(1'700'000'000'000)};
  core::SeededRandom random{5};
  MemoryRegistry registry;
  crypto::SecretBox box{std::string(32, 'k')};
  Clients clients{clock, random, registry, std::chrono::seconds(2), &box};
  SecretKeys keys{clients};
  MemoryJtis jtis;
  ClientAssertions assertions{AssertionPolicy{kIssuer}, clock, keys, jtis};
  ClientAuthenticator client_auth{clients, &assertions};
  fakes::FakeJwt signer;
  TokenSettings settings{kIssuer, std::chrono::seconds(300)};
  fakes::MemoryGrantStore grants;
  DenyList deny_list{grants};
  RefreshTokens refresh{settings, clock, random, grants, deny_list};
  Codes codes{clock, random, grants, refresh, deny_list, settings.access_token_life};
  fakes::MemoryUsers users;
  TokenEndpoint endpoint{settings, clock, random, client_auth, signer, codes, refresh, users};
  std::string secret;

  void SetUp() override {
    Client c;
    c.id = "hs";
    c.auth_method = AuthMethod::client_secret_jwt;
    c.grant_types = {"client_credentials"};
    secret = clients.create(c).secret;
    Client p;
    p.id = "pk";
    p.auth_method = AuthMethod::private_key_jwt;
    p.grant_types = {"client_credentials"};
    p.jwks = R"({"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y"}]})";
    clients.create(p);
  }
  std::int64_t now_s() const { return core::to_millis(clock.now()) / 1000; }
  json claims(const std::string& id, std::int64_t exp_in = 60) {
    return {{"iss", id},
            {"sub", id},
            {"aud", std::string(kIssuer) + "/oidc/token"},
            {"exp", now_s() + exp_in},
            {"iat", now_s()},
            {"jti", random.hex(8)}};
  }
  std::string sign(const json& c, const std::string& key) { return jose::sign_hs256(c, key); }
  Reply post(const std::string& assertion, const std::string& extra = "") {
    return endpoint.handle({"", "application/x-www-form-urlencoded",
                            "grant_type=client_credentials&client_assertion_type=urn%3Aietf%"
                            "3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                            "&client_assertion=" +
                                assertion + extra});
  }
};

TEST_F(ClientAssertionTest, ClientSecretJwtIsAcceptedOnceWithTheSealedSecret) {
  const auto& stored = registry.clients["hs"];
  EXPECT_EQ(stored.secret_hash, core::sha256_hex(secret));
  EXPECT_FALSE(stored.secret_sealed.empty());
  EXPECT_EQ(stored.secret_sealed.find(secret), std::string::npos);
  EXPECT_EQ(box.open_text(stored.secret_sealed), secret);

  const auto assertion = sign(claims("hs"), secret);
  auto ok = post(assertion);
  EXPECT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_EQ(signer.verify(ok.body["access_token"].get<std::string>())->claims["sub"], "hs");
  auto replay = post(assertion);
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(replay.body["error"], "invalid_client");
  EXPECT_NE(replay.body["error_description"].get<std::string>().find("jti"), std::string::npos);
}

TEST_F(ClientAssertionTest, WrongKeyAudienceExpiryAndMissingJtiAreRefused) {
  auto refused = [&](const json& c, const std::string& key) {
    auto r = post(sign(c, key));
    EXPECT_EQ(r.status, 401) << c.dump();
    EXPECT_EQ(r.body["error"], "invalid_client");
    return r.body["error_description"].get<std::string>();
  };
  refused(claims("hs"), secret + "x");
  auto c = claims("hs");
  c["aud"] = "https://other.example/token";
  EXPECT_NE(refused(c, secret).find("aud"), std::string::npos);
  c = claims("hs", -1);
  EXPECT_NE(refused(c, secret).find("expired"), std::string::npos);
  c = claims("hs", 7200);
  EXPECT_NE(refused(c, secret).find("too far"), std::string::npos);
  c = claims("hs");
  c.erase("jti");
  EXPECT_NE(refused(c, secret).find("jti"), std::string::npos);
  c = claims("hs");
  c["iss"] = "pk";
  refused(c, secret);
  // The issuer itself and an array naming the token endpoint are fine audiences.
  c = claims("hs");
  c["aud"] = kIssuer;
  EXPECT_EQ(post(sign(c, secret)).status, 200);
  c = claims("hs");
  c["aud"] = json::array({"https://x.example", std::string(kIssuer) + "/oidc/token"});
  EXPECT_EQ(post(sign(c, secret)).status, 200);
}

TEST_F(ClientAssertionTest, TheAlgMustFitTheMethodAndNoneNeverPasses) {
  keys.header_alg = "HS256";  // a private_key_jwt client must not use a shared secret
  auto r = post(sign(claims("pk"), SecretKeys::kJwksStandIn));
  EXPECT_EQ(r.status, 401);
  keys.header_alg = "ES256";
  EXPECT_EQ(post(sign(claims("pk"), SecretKeys::kJwksStandIn)).status, 200);
  // alg none: refused by jose before any key is used.
  const auto none = core::base64url_encode(R"({"alg":"none"})") + "." +
                    core::base64url_encode(claims("hs").dump()) + ".";
  EXPECT_EQ(post(none).status, 401);
}

TEST_F(ClientAssertionTest, MixedMethodsAndMismatchedClientIdAreRefused) {
  const auto assertion = sign(claims("hs"), secret);
  EXPECT_EQ(post(assertion, "&client_secret=" + secret).status, 400);
  EXPECT_EQ(post(assertion, "&client_id=pk").status, 401);
  auto wrong_type = endpoint.handle({"", "application/x-www-form-urlencoded",
                                     "grant_type=client_credentials&client_assertion_type=x"
                                     "&client_assertion=" +
                                         assertion});
  EXPECT_EQ(wrong_type.status, 400);
  // A client registered for Basic cannot switch to an assertion.
  Client basic;
  basic.id = "basic";
  basic.grant_types = {"client_credentials"};
  const auto basic_secret = clients.create(basic).secret;
  auto c = claims("basic");
  EXPECT_EQ(post(sign(c, basic_secret)).status, 401);
  EXPECT_EQ(keys.calls, 0) << "no key is tried for a mismatch found before";
}

// What sends a token request to the worker pool (a jwks_uri fetch may follow): exactly the
// bodies the authenticator treats as assertion requests, however the key is spelled.
TEST(ClientAssertionDetection, NamesClientAssertionMatchesTheAuthenticator) {
  EXPECT_FALSE(names_client_assertion("grant_type=client_credentials"));
  EXPECT_FALSE(names_client_assertion("grant_type=client_credentials&scope=a%20b"));
  EXPECT_FALSE(names_client_assertion(""));
  EXPECT_TRUE(names_client_assertion("grant_type=client_credentials&client_assertion=x"));
  EXPECT_TRUE(names_client_assertion("client_assertion_type=urn%3Aietf"));
  EXPECT_TRUE(names_client_assertion("client%5Fassertion=x&grant_type=client_credentials"));
  EXPECT_TRUE(names_client_assertion("client_%61ssertion_type=y"));
  // Named only in a value, or a malformed body (refused before any authentication).
  EXPECT_FALSE(names_client_assertion("scope=client_assertion"));
  EXPECT_FALSE(names_client_assertion("client_assertion=%zz"));
}

TEST(ClientAssertionClaims, PureChecksWithAnInjectedClock) {
  Client c;
  c.id = "app";
  c.auth_method = AuthMethod::private_key_jwt;
  const auto now = core::from_millis(1'000'000'000);
  const std::vector<std::string> auds = {"https://id.example/oidc/token"};
  VerifiedToken t{
      {{"alg", "RS256"}},
      {{"iss", "app"}, {"sub", "app"}, {"aud", auds[0]}, {"exp", 1'000'000 + 300}, {"jti", "j1"}}};
  AssertionPolicy policy{"https://id.example"};
  auto ok = check_assertion(t, c, auds, policy, now);
  ASSERT_TRUE(std::holds_alternative<AssertionFacts>(ok));
  EXPECT_EQ(std::get<AssertionFacts>(ok).jti, "j1");
  EXPECT_EQ(std::get<AssertionFacts>(ok).expires, core::from_millis(1'000'300'000));
  auto bad = [&](auto change) {
    auto copy = t;
    change(copy);
    return std::holds_alternative<std::string>(check_assertion(copy, c, auds, policy, now));
  };
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.header["alg"] = "HS256"; }));
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.claims["exp"] = 1'000'000; }));
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.claims["exp"] = 1'000'000 + 3600 + 31; }));
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.claims["exp"] = "soon"; }));
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.claims["nbf"] = 1'000'000 + 31; }));
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.claims["iat"] = 1'000'000 + 31; }));
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.claims["jti"] = ""; }));
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.claims["jti"] = std::string(257, 'j'); }));
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.claims["sub"] = "other"; }));
  EXPECT_TRUE(bad([](VerifiedToken& x) { x.claims["aud"] = json::array(); }));
  EXPECT_FALSE(bad([](VerifiedToken& x) { x.claims["nbf"] = 1'000'000 + 29; }));
  EXPECT_FALSE(bad([](VerifiedToken& x) { x.claims["exp"] = 1'000'000 + 3600; }));
  c.auth_method = AuthMethod::client_secret_basic;
  EXPECT_TRUE(std::holds_alternative<std::string>(check_assertion(t, c, auds, policy, now)));
}

TEST(ClientSecrets, RotationReSealsAndAnUnsealedSecretNeverVerifies) {
  core::ManualClock clock;
  core::SeededRandom random{3};
  MemoryRegistry registry;
  crypto::SecretBox box{std::string(32, 'b')};
  Clients clients{clock, random, registry, std::chrono::seconds(0), &box};
  Client c;
  c.id = "app";
  c.grant_types = {"client_credentials"};
  const auto first = clients.create(c).secret;
  EXPECT_TRUE(registry.clients["app"].secret_sealed.empty()) << "Basic clients: hash only";
  auto stored = *clients.find("app");
  stored.auth_method = AuthMethod::client_secret_jwt;
  clients.update(stored);
  EXPECT_FALSE(clients.shared_secret(*clients.find("app"))) << "needs rotate-secret";
  const auto second = clients.rotate_secret("app");
  EXPECT_EQ(clients.shared_secret(*clients.find("app")), second);
  EXPECT_NE(first, second);
  // A sealed copy that does not belong to the current hash is ignored.
  auto tampered = *clients.find("app");
  tampered.secret_sealed = box.seal_text("tfs_other");
  EXPECT_FALSE(clients.shared_secret(tampered));
  Clients no_box{clock, random, registry};
  c.id = "jwt";
  c.auth_method = AuthMethod::client_secret_jwt;
  EXPECT_THROW(no_box.create(c), ClientError);
  c.auth_method = AuthMethod::private_key_jwt;
  c.jwks_uri = "http://127.0.0.1.evil.example/jwks";
  EXPECT_THROW(clients.create(c), ClientError);
  c.jwks_uri = "http://127.0.0.1:8080/jwks";
  EXPECT_NO_THROW(clients.create(c));
  c.id = "inline";
  c.jwks_uri.clear();
  c.jwks = R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})";
  EXPECT_THROW(clients.create(c), ClientError) << "no private or symmetric keys";
}

class FakeFetcher final : public jose::JwksFetcher {
 public:
  std::variant<std::string, std::string> get(const std::string& uri) override {
    ++fetches;
    if (fail) return std::variant<std::string, std::string>(std::in_place_index<1>, "down");
    return std::variant<std::string, std::string>(std::in_place_index<0>, body + uri.substr(0, 0));
  }
  std::string body = R"({"keys":[{"kty":"EC","kid":"1"}]})";
  bool fail = false;
  int fetches = 0;
};

TEST(RemoteJwks, CachesBrieflyRefetchesRateLimitedAndRemembersFailures) {
  core::ManualClock clock;
  FakeFetcher fetcher;
  jose::RemoteJwks jwks(fetcher, clock, std::chrono::seconds(60), std::chrono::seconds(10));
  const std::string uri = "https://rp.example/jwks";
  ASSERT_TRUE(std::holds_alternative<std::vector<json>>(jwks.keys(uri)));
  jwks.keys(uri);
  EXPECT_EQ(fetcher.fetches, 1);
  jwks.keys(uri, /*refresh=*/true);
  EXPECT_EQ(fetcher.fetches, 1) << "a forced refetch waits 10 s";
  clock.advance(std::chrono::seconds(11));
  jwks.keys(uri, true);
  EXPECT_EQ(fetcher.fetches, 2);
  clock.advance(std::chrono::seconds(61));
  fetcher.fail = true;
  EXPECT_TRUE(std::holds_alternative<std::string>(jwks.keys(uri)));
  EXPECT_TRUE(std::holds_alternative<std::string>(jwks.keys(uri)));
  EXPECT_EQ(fetcher.fetches, 3) << "a failure is remembered, not retried per request";
  fetcher.fail = false;
  fetcher.body = R"({"keys":"nope"})";
  clock.advance(std::chrono::seconds(11));
  EXPECT_TRUE(std::holds_alternative<std::string>(jwks.keys(uri)));
  EXPECT_TRUE(std::holds_alternative<std::string>(jose::parse_jwks("[]")));
}

TEST(RemoteJwks, TheCurlFetcherRefusesPlainHttpOffLoopbackAndDeadPorts) {
  jose::CurlJwksFetcher fetcher({std::chrono::milliseconds(2000), 1024});
  for (const char* uri : {"http://example.com/jwks", "http://127.0.0.1.evil.example/jwks",
                          "file:///etc/passwd", "ftp://127.0.0.1/x", "https://x/#frag"})
    EXPECT_EQ(fetcher.get(uri).index(), 1u) << uri;
  // Nothing listens on port 1: an error, quickly, no exception.
  EXPECT_EQ(fetcher.get("http://127.0.0.1:1/jwks").index(), 1u);
}

TEST(AssertionJtiStore, AJtiIsAcceptedOncePerClientUntilItExpires) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("twofold-jti-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    auto db = storage::Database::open_sqlite((dir / "t.db").string());
    storage::AssertionJtiStore jtis(*db);
    const auto t0 = core::from_millis(1'000'000);
    const auto exp = t0 + std::chrono::seconds(60);
    EXPECT_TRUE(jtis.remember("a", "j1", exp, t0));
    EXPECT_FALSE(jtis.remember("a", "j1", exp, t0 + std::chrono::seconds(59)));
    EXPECT_TRUE(jtis.remember("b", "j1", exp, t0)) << "per client";
    EXPECT_TRUE(jtis.remember("a", "j1", exp + std::chrono::seconds(60), exp))
        << "forgotten once expired (exp is checked before)";

    // The sealed secret survives the client store's document.
    storage::ClientStore store(*db);
    Client c;
    c.id = "hs";
    c.auth_method = AuthMethod::client_secret_jwt;
    c.secret_hash = "h";
    c.secret_sealed = "sealed";
    ASSERT_TRUE(store.add(c));
    EXPECT_EQ(store.find("hs")->secret_sealed, "sealed");
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace twofold::oidc
