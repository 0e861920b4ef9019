// The admin API as pure domain code: who may call it (AdminAccess), strict request bodies
// (client_request), and the client operations with their statuses (ClientApi). Tokens are
// minted by the real TokenMinter over the stand-in signer of support/oidc_fakes.hpp.
#include <gtest/gtest.h>

#include "admin/access.hpp"
#include "admin/client_api.hpp"
#include "admin/client_request.hpp"
#include "oidc/deny_list.hpp"
#include "support/oidc_fakes.hpp"

namespace twofold::admin {
namespace {

using nlohmann::json;

constexpr const char* kIssuer = "https://id.example:8443";

class AdminTest : public ::testing::Test {
 protected:
  AdminTest() {
    bot = make_client("root-bot", {"admin"});
    make_client("reader", {});
    oidc::UserClaims alice;
    alice.sub = "alice";
    alice.roles = {"admin"};
    users.users["alice"] = alice;
    oidc::UserClaims bob;
    bob.sub = "bob";
    users.users["bob"] = bob;
  }

  oidc::Client make_client(const std::string& id, std::vector<std::string> roles) {
    oidc::Client c;
    c.id = id;
    c.grant_types = {"client_credentials"};
    c.scopes = {"api.read"};
    c.roles = std::move(roles);
    return clients.create(c).client;
  }

  std::string service_token(const std::string& id, const std::string& aud = "") {
    auto c = clients.find(id);
    return minter.client_access_token(*c, {}, json(aud.empty() ? admin_audience(kIssuer) : aud));
  }

  std::string user_token(const std::string& sub, std::vector<std::string> roles,
                         std::vector<std::string> scopes = {"openid", "roles"}) {
    oidc::Authorization grant;
    grant.client_id = "root-bot";
    grant.subject = sub;
    grant.auth_time = clock.now();
    return minter.user_access_token(*clients.find("root-bot"), grant, scopes,
                                    json(admin_audience(kIssuer)), minter.new_jti(), clock.now(),
                                    roles);
  }

  oidc::Reply check(const std::string& authorization) {
    auto r = access.check(authorization);
    if (auto* reply = std::get_if<oidc::Reply>(&r)) return *reply;
    return {200, {{"principal", std::get<Principal>(r).describe()}}, {}};
  }

  static std::string challenge(const oidc::Reply& r) {
    for (const auto& [name, value] : r.headers)
      if (name == "WWW-Authenticate") return value;
    return "";
  }

  core::ManualClock clock;
  core::SeededRandom random{7};
  fakes::MemoryClientRegistry registry;
  oidc::Clients clients{clock, random, registry, std::chrono::milliseconds(0)};
  fakes::FakeJwt jwt;
  fakes::MemoryGrantStore grants;
  oidc::DenyList deny{grants};
  fakes::MemoryUsers users;
  oidc::TokenMinter minter{{kIssuer}, clock, random, jwt};
  AdminAccess access{kIssuer, clock, jwt, deny, clients, users};
  ClientApi api{access, clients};
  oidc::Client bot;
};

TEST_F(AdminTest, AudienceIsTheIssuersAdminPath) {
  EXPECT_EQ(admin_audience(kIssuer), "https://id.example:8443/admin");
}

TEST_F(AdminTest, ServiceAccountWithTheAdminRoleIsLetIn) {
  const auto token = service_token("root-bot");
  EXPECT_EQ(fakes::FakeJwt::claims_of(token)["roles"], json({"admin"})) << "roles in the token";
  auto r = check("Bearer " + token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body["principal"], "client root-bot");
  EXPECT_EQ(check("bearer " + token).status, 200) << "scheme is case-insensitive";
}

TEST_F(AdminTest, NoTokenIsAChallengeWithoutErrorCode) {
  auto r = check("");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(challenge(r), "Bearer realm=\"twofold\"");
  EXPECT_EQ(r.body["error"], "invalid_token");
}

TEST_F(AdminTest, BadTokensAreInvalidToken) {
  const auto good = service_token("root-bot");
  auto tampered = good;
  tampered[tampered.size() - 1] = tampered.back() == 'a' ? 'b' : 'a';
  for (const std::string& header :
       std::vector<std::string>{"Basic cm9vdDpwdw==", "Bearer", "Bearer garbage", "Bearer a.b.c",
                                "Bearer " + tampered}) {
    auto r = check(header);
    EXPECT_EQ(r.status, 401) << header;
    EXPECT_NE(challenge(r).find("error=\"invalid_token\""), std::string::npos) << header;
  }
}

TEST_F(AdminTest, WrongAudienceIssuerOrTypeIsRefused) {
  EXPECT_EQ(check("Bearer " + service_token("root-bot", "root-bot")).status, 401);
  EXPECT_EQ(check("Bearer " + service_token("root-bot", "https://api.example")).status, 401);
  oidc::TokenMinter other{{"https://evil.example"}, clock, random, jwt};
  auto c = clients.find("root-bot");
  EXPECT_EQ(
      check("Bearer " + other.client_access_token(*c, {}, json(admin_audience(kIssuer)))).status,
      401)
      << "another issuer";
  // An ID token (typ JWT) is not an access token, whatever its claims.
  json claims = {{"iss", kIssuer},
                 {"sub", "root-bot"},
                 {"client_id", "root-bot"},
                 {"aud", admin_audience(kIssuer)},
                 {"roles", {"admin"}},
                 {"exp", 1'700'000'300},
                 {"jti", "x"}};
  EXPECT_EQ(check("Bearer " + jwt.sign(claims, "RS256", "JWT")).status, 401);
  EXPECT_EQ(check("Bearer " + jwt.sign(claims, "RS256", "at+jwt")).status, 200);
}

TEST_F(AdminTest, AudienceListMayNameTheAdminApi) {
  auto c = clients.find("root-bot");
  const auto token = minter.client_access_token(
      *c, {}, json::array({"https://api.example", admin_audience(kIssuer)}));
  EXPECT_EQ(check("Bearer " + token).status, 200);
}

TEST_F(AdminTest, ExpiredAndRevokedTokensAreRefused) {
  const auto token = service_token("root-bot");
  clock.advance(std::chrono::seconds(301));
  EXPECT_EQ(check("Bearer " + token).status, 401) << "expired";
  const auto fresh = service_token("root-bot");
  ASSERT_EQ(check("Bearer " + fresh).status, 200);
  deny.deny(fakes::FakeJwt::claims_of(fresh)["jti"], clock.now() + std::chrono::seconds(300),
            clock.now());
  auto r = check("Bearer " + fresh);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body["error_description"], "the token was revoked");
}

TEST_F(AdminTest, WithoutTheAdminRoleIsForbidden) {
  auto r = check("Bearer " + service_token("reader"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(challenge(r).find("error=\"insufficient_scope\""), std::string::npos);
}

TEST_F(AdminTest, TheClientsCurrentStateCounts) {
  const auto token = service_token("root-bot");
  auto c = *clients.find("root-bot");
  c.roles = {"auditor"};
  clients.update(c);
  EXPECT_EQ(check("Bearer " + token).status, 403) << "role taken away";
  clients.remove("root-bot");
  EXPECT_EQ(check("Bearer " + token).status, 401) << "client deleted";
}

TEST_F(AdminTest, UserTokensNeedScopeRolesAndAStillAdminUser) {
  const auto token = user_token("alice", {"admin"});
  EXPECT_EQ(fakes::FakeJwt::claims_of(token)["roles"], json({"admin"}));
  auto r = check("Bearer " + token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body["principal"], "user alice (via root-bot)");
  // Without scope `roles` the token carries none.
  const auto no_roles = user_token("alice", {"admin"}, {"openid"});
  EXPECT_FALSE(fakes::FakeJwt::claims_of(no_roles).contains("roles"));
  EXPECT_EQ(check("Bearer " + no_roles).status, 403);
  EXPECT_EQ(check("Bearer " + user_token("bob", {})).status, 403);
  // A token minted while bob was admin no longer counts once he is not.
  EXPECT_EQ(check("Bearer " + user_token("bob", {"admin"})).status, 403);
  users.users["alice"].active = false;
  EXPECT_EQ(check("Bearer " + token).status, 401) << "locked user";
}

// --- request bodies ---

TEST(ClientRequest, ContentTypes) {
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(is_json_content_type(""));
  EXPECT_FALSE(is_json_content_type("text/plain"));
  EXPECT_FALSE(is_json_content_type("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_json_content_type("application/jsonp"));
}

TEST(ClientRequest, OnlyShallowObjects) {
  EXPECT_TRUE(std::holds_alternative<json>(parse_object(R"({"name":"x"})")));
  for (const char* bad : {"", "[]", "\"x\"", "{", "{\"a\":1,}", "nul", "{\"name\":\"\xff\"}"})
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_object(bad))) << bad;
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_EQ(std::get<std::string>(parse_object("{\"a\":" + deep + "}")),
            "the JSON is nested too deeply");
}

TEST(ClientRequest, FieldsAreTypedAndKnown) {
  oidc::Client c;
  auto apply = [&](const char* text, Mode mode = Mode::create) {
    return apply_fields(json::parse(text), mode, c);
  };
  EXPECT_EQ(apply(R"({"name":"CI","redirect_uris":["https://a.example/cb"],"skip_consent":false,
                      "roles":["admin"],"grant_types":["authorization_code"]})"),
            std::nullopt);
  EXPECT_EQ(c.name, "CI");
  EXPECT_EQ(c.redirect_uris, std::vector<std::string>{"https://a.example/cb"});
  EXPECT_FALSE(c.skip_consent);
  EXPECT_EQ(c.roles, std::vector<std::string>{"admin"});
  EXPECT_EQ(*apply(R"({"colour":"red"})"), "unknown field colour");
  EXPECT_NE(apply(R"({"client_secret":"x"})")->find("unknown field client_secret"),
            std::string::npos);
  EXPECT_EQ(*apply(R"({"name":5})"), "name must be a string");
  EXPECT_EQ(*apply(R"({"redirect_uris":"https://a.example"})"),
            "redirect_uris must be an array of strings");
  EXPECT_EQ(*apply(R"({"scopes":["a",1]})"), "scopes must be an array of strings");
  EXPECT_EQ(*apply(R"({"skip_consent":"yes"})"), "skip_consent must be true or false");
  EXPECT_EQ(apply(R"({"token_endpoint_auth_method":"magic"})")->substr(0, 26),
            "token_endpoint_auth_method");
  EXPECT_EQ(*apply(R"({"client_id":"other"})", Mode::update), "client_id cannot change");
  EXPECT_EQ(*apply(R"({"jwks":{"keys":[{"kty":"RSA","d":"secret"}]}})"),
            "jwks must hold public keys (objects without \"d\")");
  json many = {{"scopes", json::array()}};
  for (int i = 0; i < 33; ++i) many["scopes"].push_back("s" + std::to_string(i));
  EXPECT_EQ(*apply_fields(many, Mode::create, c), "scopes has more than 32 entries");
  EXPECT_EQ(*apply_fields({{"name", std::string(201, 'x')}}, Mode::create, c),
            "name is longer than 200 characters");
}

// --- the operations ---

class ClientApiTest : public AdminTest {
 protected:
  oidc::Reply call(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::string& type = "application/json") {
    last = api.handle({method, path, "Bearer " + service_token("root-bot"), type, body});
    return last.reply;
  }
  static std::string header(const oidc::Reply& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return "";
  }
  Outcome last;
};

TEST_F(ClientApiTest, CreateListShowUpdateRotateDelete) {
  auto r = call("POST", "/admin/api/clients",
                R"({"client_id":"ci","grant_types":["client_credentials"],"scopes":["api.read"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(header(r, "Location"), "/admin/api/clients/ci");
  EXPECT_EQ(r.body["name"], "ci") << "named by its id";
  const std::string secret = r.body["client_secret"];
  EXPECT_TRUE(clients.secret_matches(*clients.find("ci"), secret));
  EXPECT_EQ(last.action, "created client ci by client root-bot");
  EXPECT_EQ(last.action.find(secret), std::string::npos);

  r = call("GET", "/admin/api/clients");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["clients"].size(), 3u);
  EXPECT_EQ(r.body.dump().find("\"client_secret\""), std::string::npos) << "not in lists";
  EXPECT_EQ(r.body.dump().find("tfs_"), std::string::npos);
  r = call("GET", "/admin/api/clients/ci");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["grant_types"], json({"client_credentials"}));
  EXPECT_EQ(r.body.dump().find("tfs_"), std::string::npos);
  EXPECT_EQ(r.body.dump().find("\"client_secret\""), std::string::npos);

  r = call(
      "PATCH", "/admin/api/clients/ci",
      R"({"name":"CI bot","scopes":["api.read","api.write"],"access_token_signed_response_alg":"ES256"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body["name"], "CI bot");
  EXPECT_EQ(clients.find("ci")->access_token_alg, "ES256");
  EXPECT_EQ(clients.find("ci")->grant_types, std::vector<std::string>{"client_credentials"})
      << "fields not sent stay";
  EXPECT_TRUE(clients.secret_matches(*clients.find("ci"), secret)) << "update keeps the secret";

  r = call("POST", "/admin/api/clients/ci/rotate-secret", "", "");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string rotated = r.body["client_secret"];
  EXPECT_TRUE(clients.secret_matches(*clients.find("ci"), rotated));
  EXPECT_FALSE(clients.secret_matches(*clients.find("ci"), secret));

  r = call("DELETE", "/admin/api/clients/ci");
  EXPECT_EQ(r.status, 204);
  EXPECT_FALSE(clients.find("ci"));
  EXPECT_EQ(call("GET", "/admin/api/clients/ci").status, 404);
  EXPECT_EQ(call("DELETE", "/admin/api/clients/ci").status, 404);
  EXPECT_EQ(call("PATCH", "/admin/api/clients/ci", "{}").status, 404);
  EXPECT_EQ(call("POST", "/admin/api/clients/ci/rotate-secret").status, 404);
}

TEST_F(ClientApiTest, GeneratedIdAndPublicClientsHaveNoSecret) {
  auto r =
      call("POST", "/admin/api/clients",
           R"({"token_endpoint_auth_method":"none","redirect_uris":["http://127.0.0.1:5/cb"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body["client_id"].get<std::string>().size(), 32u);
  EXPECT_FALSE(r.body.contains("client_secret"));
  r = call("POST",
           "/admin/api/clients/" + r.body["client_id"].get<std::string>() + "/rotate-secret");
  EXPECT_EQ(r.status, 400) << "a public client has no secret";
}

TEST_F(ClientApiTest, BadRequestsAre4xx) {
  struct Case {
    const char* body;
    int status;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"client_id":"x","redirect_uris":["https://a.example/cb#frag"]})", 400},
           {R"({"client_id":"x","redirect_uris":["/relative"]})", 400},
           {R"({"client_id":"x","grant_types":["password"]})", 400},
           {R"({"client_id":"bad id"})", 400},
           {R"({"client_id":""})", 400},
           {R"({"client_id":"x","roles":["bad role"]})", 400},
           {R"({"client_id":"x","scopes":["a b"]})", 400},
           {R"({"client_id":"root-bot","grant_types":["client_credentials"]})", 409},
           {R"({"client_id":"x","name":["n"]})", 400},
           {"{not json", 400},
       }) {
    auto r = call("POST", "/admin/api/clients", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " " << r.body;
    EXPECT_TRUE(r.body.contains("error") && r.body.contains("error_description")) << c.body;
  }
  EXPECT_FALSE(clients.find("x"));
  EXPECT_EQ(call("POST", "/admin/api/clients", "{}", "text/plain").status, 415);
  EXPECT_EQ(call("POST", "/admin/api/clients", "{}", "").status, 415);
  EXPECT_EQ(call("PATCH", "/admin/api/clients/reader", R"({"client_id":"y"})").status, 400);
  EXPECT_EQ(call("PATCH", "/admin/api/clients/reader", R"({"grant_types":["authorization_code"]})")
                .status,
            400)
      << "authorization_code needs a redirect URI";
  EXPECT_EQ(call("POST", "/admin/api/clients/reader/rotate-secret", R"({"x":1})").status, 400);
}

TEST_F(ClientApiTest, PrivateKeyJwtClientsKeepTheirJwksAndHaveNoSecret) {
  auto r = call("POST", "/admin/api/clients",
                R"({"client_id":"pkj","token_endpoint_auth_method":"private_key_jwt",
                    "grant_types":["client_credentials"],
                    "jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"}]}})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_FALSE(r.body.contains("client_secret"));
  EXPECT_EQ(r.body["jwks"]["keys"][0]["kty"], "EC");
  EXPECT_EQ(call("PATCH", "/admin/api/clients/pkj", R"({"jwks":null})").status, 400)
      << "private_key_jwt needs keys";
  auto stored = *clients.find("pkj");
  stored.jwks = "not json";
  registry.clients["pkj"] = stored;
  r = call("GET", "/admin/api/clients/pkj");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.body.contains("jwks")) << "an unreadable stored JWKS is left out";
  EXPECT_NO_THROW(r.body.dump());
}

TEST_F(ClientApiTest, MethodsAndPaths) {
  auto r = call("PUT", "/admin/api/clients/reader", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET, PATCH, DELETE");
  EXPECT_EQ(call("DELETE", "/admin/api/clients").status, 405);
  EXPECT_EQ(call("GET", "/admin/api/clients/reader/rotate-secret").status, 405);
  EXPECT_EQ(call("GET", "/admin/api/users").status, 404);
  EXPECT_EQ(call("GET", "/admin/api/clients/a/b").status, 404);
  EXPECT_EQ(call("GET", "/admin/api/clients/").status, 200) << "trailing slash";
  EXPECT_TRUE(ClientApi::owns("/admin/api/clients"));
  EXPECT_FALSE(ClientApi::owns("/admin/apix"));
}

TEST_F(ClientApiTest, EveryOperationNeedsAnAdmin) {
  const auto reader = service_token("reader");
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/admin/api/clients"},
           {"POST", "/admin/api/clients"},
           {"GET", "/admin/api/clients/reader"},
           {"DELETE", "/admin/api/clients/reader"},
           {"POST", "/admin/api/clients/reader/rotate-secret"},
           {"GET", "/admin/api/nothing"}}) {
    EXPECT_EQ(api.handle({method, path, "", "application/json", "{}"}).reply.status, 401) << path;
    EXPECT_EQ(api.handle({method, path, "Bearer " + reader, "application/json", "{}"}).reply.status,
              403)
        << path;
  }
  EXPECT_TRUE(clients.find("reader"));
}

}  // namespace
}  // namespace twofold::admin
