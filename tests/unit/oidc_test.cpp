// The token endpoint and client registry as pure domain code: fake signer, in-memory registry,
// manual clock.
#include <gtest/gtest.h>

#include <map>

#include "core/encoding.hpp"
#include "oidc/clients.hpp"
#include "oidc/discovery.hpp"
#include "oidc/token_endpoint.hpp"
#include "support/oidc_fakes.hpp"

namespace twofold::oidc {
namespace {

using MemoryRegistry = fakes::MemoryClientRegistry;
using nlohmann::json;

// Records what it was asked to sign; the "token" is the claims' JSON.
class RecordingSigner final : public TokenSigner {
 public:
  std::string sign(const json& claims, std::string_view alg, std::string_view typ) override {
    last_alg = alg;
    last_typ = typ;
    return claims.dump();
  }
  std::string last_alg, last_typ;
};

class TokenEndpointTest : public ::testing::Test {
 protected:
  core::ManualClock clock{core::from_millis(1'700'000'000'000)};
  core::SeededRandom random{7};
  MemoryRegistry registry;
  Clients clients{clock, random, registry};
  ClientAuthenticator client_auth{clients};
  RecordingSigner signer;
  TokenSettings settings{"https://id.example", std::chrono::seconds(300)};
  fakes::MemoryGrantStore grants;
  DenyList deny_list{grants};
  RefreshTokens refresh{settings, clock, random, grants, deny_list};
  Codes codes{clock, random, grants, refresh, deny_list, settings.access_token_life};
  fakes::MemoryUsers users;
  TokenEndpoint endpoint{settings, clock, random, client_auth, signer, codes, refresh, users};

  NewClient machine(AuthMethod method = AuthMethod::client_secret_basic) {
    Client c;
    c.id = "machine";
    c.auth_method = method;
    c.grant_types = {"client_credentials"};
    c.scopes = {"api.read", "api.write"};
    c.access_token_alg = "ES256";
    return clients.create(c);
  }
  static std::string basic(const std::string& id, const std::string& secret) {
    return "Basic " + core::base64_encode(id + ":" + secret);
  }
  Reply post(const std::string& body, const std::string& auth = "") {
    return endpoint.handle({auth, "application/x-www-form-urlencoded", body});
  }
};

TEST_F(TokenEndpointTest, ClientCredentialsIssuesAnRfc9068AccessToken) {
  auto m = machine();
  auto r = post("grant_type=client_credentials&scope=api.read", basic("machine", m.secret));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["token_type"], "Bearer");
  EXPECT_EQ(r.body["expires_in"], 300);
  EXPECT_EQ(signer.last_alg, "ES256");
  EXPECT_EQ(signer.last_typ, "at+jwt");
  const auto claims = json::parse(r.body["access_token"].get<std::string>());
  EXPECT_EQ(claims["iss"], "https://id.example");
  EXPECT_EQ(claims["sub"], "machine");
  EXPECT_EQ(claims["aud"], "machine");
  EXPECT_EQ(claims["scope"], "api.read");
  EXPECT_EQ(claims["iat"], 1'700'000'000);
  EXPECT_EQ(claims["exp"], 1'700'000'300);
  EXPECT_FALSE(claims["jti"].get<std::string>().empty());
}

TEST_F(TokenEndpointTest, SecretsAreStoredHashedAndCompared) {
  auto m = machine();
  EXPECT_EQ(m.secret.rfind("tfs_", 0), 0u);
  EXPECT_EQ(registry.clients["machine"].secret_hash, core::sha256_hex(m.secret));
  EXPECT_EQ(registry.clients["machine"].secret_hash.find(m.secret), std::string::npos);
  EXPECT_EQ(post("grant_type=client_credentials", basic("machine", m.secret + "x")).status, 401);
  auto wrong = post("grant_type=client_credentials", basic("machine", "tfs_nope"));
  EXPECT_EQ(wrong.body["error"], "invalid_client");
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0].first, "WWW-Authenticate");
}

TEST_F(TokenEndpointTest, TheRegisteredAuthMethodOnly) {
  auto m = machine(AuthMethod::client_secret_post);
  EXPECT_EQ(post("grant_type=client_credentials", basic("machine", m.secret)).status, 401);
  EXPECT_EQ(
      post("grant_type=client_credentials&client_id=machine&client_secret=" + m.secret).status,
      200);
  // Two methods at once (RFC 6749 §2.3): refused as a malformed request.
  EXPECT_EQ(post("grant_type=client_credentials&client_id=machine&client_secret=" + m.secret +
                 "&client_assertion=x")
                .status,
            400);
}

TEST_F(TokenEndpointTest, ErrorsFollowRfc6749) {
  auto m = machine();
  const auto auth = basic("machine", m.secret);
  EXPECT_EQ(post("", auth).body["error"], "invalid_request");
  EXPECT_EQ(post("grant_type=password", auth).body["error"], "unsupported_grant_type");
  EXPECT_EQ(post("grant_type=authorization_code", auth).body["error"], "unauthorized_client");
  EXPECT_EQ(post("grant_type=client_credentials&scope=openid", auth).body["error"],
            "invalid_scope");
  EXPECT_EQ(post("grant_type=client_credentials&scope=admin", auth).body["error"], "invalid_scope");
  EXPECT_EQ(post("grant_type=client_credentials&resource=relative", auth).body["error"],
            "invalid_target");
  EXPECT_EQ(post("grant_type=client_credentials&grant_type=x", auth).status, 400);
  EXPECT_EQ(post("grant_type=client_credentials", "Basic %%%").status, 401);
  EXPECT_EQ(post("grant_type=client_credentials", basic("machine", m.secret) + "garbage").status,
            401);
  auto json_body = endpoint.handle({auth, "application/json", "{}"});
  EXPECT_EQ(json_body.status, 400);
}

TEST_F(TokenEndpointTest, ResourceIndicatorBecomesTheAudience) {
  auto m = machine();
  auto r = post("grant_type=client_credentials&resource=https%3A%2F%2Fapi.example%2Fv1",
                basic("machine", m.secret));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body["access_token"].get<std::string>())["aud"],
            "https://api.example/v1");
}

TEST_F(TokenEndpointTest, ClientsAreCachedBriefly) {
  auto m = machine();
  const auto auth = basic("machine", m.secret);
  registry.reads = 0;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(post("grant_type=client_credentials", auth).status, 200);
  EXPECT_EQ(registry.reads, 1);
  clock.advance(std::chrono::seconds(3));
  ASSERT_EQ(post("grant_type=client_credentials", auth).status, 200);
  EXPECT_EQ(registry.reads, 2);
  // removed through another process: refused once the cache entry is stale
  registry.clients.clear();
  clock.advance(std::chrono::seconds(3));
  EXPECT_EQ(post("grant_type=client_credentials", auth).status, 401);
}

TEST(Clients, RegistryValidation) {
  core::ManualClock clock{core::from_millis(0)};
  core::SeededRandom random{1};
  MemoryRegistry registry;
  Clients clients{clock, random, registry};
  auto make = [](std::vector<std::string> uris, std::vector<std::string> grants) {
    Client c;
    c.id = "app";
    c.redirect_uris = std::move(uris);
    c.grant_types = std::move(grants);
    return c;
  };
  EXPECT_THROW(clients.create(make({"http://app.example/cb"}, {"authorization_code"})),
               ClientError);
  EXPECT_THROW(clients.create(make({"https://app.example/cb#x"}, {"authorization_code"})),
               ClientError);
  EXPECT_THROW(clients.create(make({}, {"authorization_code"})), ClientError);
  EXPECT_THROW(clients.create(make({"https://a/cb"}, {"implicit"})), ClientError);
  EXPECT_NO_THROW(clients.create(make({"http://127.0.0.1:8080/cb"}, {"authorization_code"})));
  EXPECT_THROW(clients.create(make({"https://a/cb"}, {"authorization_code"})), ClientError)
      << "ids are unique";
  EXPECT_TRUE(is_registered({"https://a/cb"}, "https://a/cb"));
  EXPECT_FALSE(is_registered({"https://a/cb"}, "https://a/cb/"));
  EXPECT_FALSE(is_registered({"https://a/cb"}, "https://a/cb?x=1"));
  EXPECT_FALSE(is_registered({"https://a/cb"}, "https://A/cb"));
}

TEST(Discovery, AdvertisesTheServedEndpoints) {
  const auto d = discovery_document("https://id.example");
  EXPECT_EQ(d["issuer"], "https://id.example");
  EXPECT_EQ(d["token_endpoint"], "https://id.example/oidc/token");
  EXPECT_EQ(d["jwks_uri"], "https://id.example/oidc/jwks");
}

}  // namespace
}  // namespace twofold::oidc
