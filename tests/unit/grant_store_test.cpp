// storage::GrantStore on SQLite: the atomic steps the grants rely on, and the whole code flow
// with rotation, reuse detection and revocation over the real tables.
#include "storage/grant_store.hpp"
#include "support/oidc_grants_fixture.hpp"
#include "support/sqlite_fixture.hpp"

namespace twofold::oidc::testing {
namespace {

using core::from_millis;

class SqliteGrants : public fakes::SqliteTest {
 protected:
  SqliteGrants() : SqliteTest("grants") {}
  std::unique_ptr<storage::GrantStore> store;
  void SetUp() override {
    SqliteTest::SetUp();
    store = std::make_unique<storage::GrantStore>(*db);
  }
  void TearDown() override {
    store.reset();
    SqliteTest::TearDown();
  }
  static Authorization grant(const std::string& sid = "s1") {
    Authorization a;
    a.client_id = "app";
    a.redirect_uri = "https://app.example/cb";
    a.scopes = {"openid", "email"};
    a.nonce = "n";
    a.code_challenge = kChallenge;
    a.code_challenge_method = "S256";
    a.resources = {"https://api.example"};
    a.subject = "alice";
    a.sid = sid;
    a.auth_time = from_millis(1'000'000);
    a.acr = "urn:twofold:acr:2fa";
    a.amr = {"pwd", "otp"};
    return a;
  }
  static RefreshRecord record(const std::string& hash, const std::string& family,
                              const std::string& jti, bool offline = false,
                              const std::string& sid = "s1") {
    RefreshRecord r;
    r.hash = hash;
    r.family = family;
    r.grant = grant(sid);
    r.offline = offline;
    r.created = from_millis(1'000'000);
    r.expires = from_millis(9'000'000);
    r.access_jti = jti;
    r.access_expires = from_millis(2'000'000);
    return r;
  }
};

TEST_F(SqliteGrants, ACodeIsRedeemedOnce) {
  store->save_code("h1", grant(), from_millis(1'060'000));
  auto first = store->redeem_code("h1", from_millis(1'010'000));
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->redeemed);
  EXPECT_EQ(first->expires, from_millis(1'060'000));
  EXPECT_EQ(to_json(first->authorization), to_json(grant())) << "round trip";
  auto second = store->redeem_code("h1", from_millis(1'020'000));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->redeemed, from_millis(1'010'000));
  EXPECT_FALSE(store->redeem_code("nope", from_millis(1'020'000)));
}

TEST_F(SqliteGrants, RotationIsCompareAndSet) {
  store->save_refresh(record("r1", "f1", "j1"));
  auto found = store->find_refresh("r1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->family, "f1");
  EXPECT_EQ(found->grant.subject, "alice");
  EXPECT_EQ(found->grant.amr, (std::vector<std::string>{"pwd", "otp"}));
  EXPECT_EQ(found->access_jti, "j1");
  EXPECT_FALSE(found->used);
  EXPECT_TRUE(store->rotate_refresh("r1", from_millis(1'500'000), record("r2", "f1", "j2")));
  EXPECT_FALSE(store->rotate_refresh("r1", from_millis(1'600'000), record("r3", "f1", "j3")));
  EXPECT_EQ(store->find_refresh("r1")->used, from_millis(1'500'000));
  EXPECT_TRUE(store->find_refresh("r2"));
  EXPECT_FALSE(store->find_refresh("r3"));
}

TEST_F(SqliteGrants, RevokingAFamilyDeniesItsLiveAccessTokens) {
  store->save_refresh(record("r1", "f1", "j1"));
  ASSERT_TRUE(store->rotate_refresh("r1", from_millis(1'100'000), record("r2", "f1", "j2")));
  auto expired = record("r3", "f1", "j3");
  expired.access_expires = from_millis(1'000'000);
  store->save_refresh(expired);
  store->save_refresh(record("other", "f2", "j9"));
  auto denied = store->revoke_family("f1", from_millis(1'200'000));
  ASSERT_EQ(denied.size(), 2u);
  EXPECT_TRUE(store->find_refresh("r2")->revoked);
  EXPECT_FALSE(store->find_refresh("other")->revoked);
  EXPECT_FALSE(store->rotate_refresh("r2", from_millis(1'300'000), record("r4", "f1", "j4")));
  auto rows = store->denied(from_millis(1'200'000));
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_TRUE(store->revoke_family("f1", from_millis(1'200'000)).empty()) << "only once";
}

TEST_F(SqliteGrants, SessionLogoutSparesOfflineFamilies) {
  store->save_refresh(record("a", "fa", "ja", false, "s1"));
  store->save_refresh(record("b", "fb", "jb", true, "s1"));
  store->save_refresh(record("c", "fc", "jc", false, "s2"));
  EXPECT_EQ(store->revoke_session("s1", from_millis(1'500'000)).size(), 1u);
  EXPECT_TRUE(store->find_refresh("a")->revoked);
  EXPECT_FALSE(store->find_refresh("b")->revoked);
  EXPECT_FALSE(store->find_refresh("c")->revoked);
}

TEST_F(SqliteGrants, DenyListAndPurge) {
  store->deny({"j1", from_millis(2'000'000)});
  store->deny({"j1", from_millis(1'500'000)});  // never shortened
  store->deny({"j2", from_millis(3'000'000)});
  EXPECT_EQ(store->denied(from_millis(2'500'000)).size(), 1u);
  store->save_code("old", grant(), from_millis(1'000'000));
  store->save_code("new", grant(), from_millis(5'000'000));
  store->save_refresh(record("r1", "f1", "j1"));
  store->purge(from_millis(2'000'000), from_millis(2'500'000));
  EXPECT_FALSE(store->redeem_code("old", from_millis(2'500'000)));
  EXPECT_TRUE(store->redeem_code("new", from_millis(2'500'000)));
  EXPECT_TRUE(store->find_refresh("r1")) << "expires at 9'000'000";
  EXPECT_EQ(store->denied(from_millis(0)).size(), 1u);
  store->purge(from_millis(0), from_millis(9'500'000));
  EXPECT_FALSE(store->find_refresh("r1"));
}

// The domain over the real tables: a code flow, a replayed refresh token, a revocation that
// survives a restart.
TEST_F(SqliteGrants, EndToEndOverSqlite) {
  core::ManualClock clock{from_millis(1'700'000'000'000)};
  core::SeededRandom random{5};
  fakes::MemoryClientRegistry registry;
  Clients clients{clock, random, registry};
  ClientAuthenticator client_auth{clients};
  Client app;
  app.id = "app";
  app.redirect_uris = {kAppRedirect};
  const std::string auth = "Basic " + core::base64_encode("app:" + clients.create(app).secret);
  fakes::FakeJwt jwt;
  fakes::MemoryUsers users;
  users.users["alice"] = UserClaims{"alice", "alice", "Alice", "", false, {}, true};
  TokenSettings settings{"https://id.example", std::chrono::seconds(300)};
  DenyList deny_list(*store);
  RefreshTokens refresh(settings, clock, random, *store, deny_list);
  Codes codes(clock, random, *store, refresh, deny_list, settings.access_token_life);
  TokenEndpoint endpoint(settings, clock, random, client_auth, jwt, codes, refresh, users);
  Revocation revocation("https://id.example", clock, client_auth, jwt, deny_list, refresh);
  auto post = [&](const std::string& body) {
    return endpoint.handle({auth, "application/x-www-form-urlencoded", body});
  };

  auto a = grant();
  a.auth_time = clock.now();
  const auto code = codes.issue(a);
  const std::string exchange = "grant_type=authorization_code&code=" + code +
                               "&redirect_uri=" + enc(kAppRedirect) + "&code_verifier=" + kVerifier;
  auto first = post(exchange);
  ASSERT_EQ(first.status, 200) << first.body.dump();
  const std::string rt1 = first.body["refresh_token"];
  auto second = post("grant_type=refresh_token&refresh_token=" + rt1);
  ASSERT_EQ(second.status, 200) << second.body.dump();
  EXPECT_EQ(post("grant_type=refresh_token&refresh_token=" + rt1).body["error"], "invalid_grant");
  EXPECT_EQ(post("grant_type=refresh_token&refresh_token=" +
                 second.body["refresh_token"].get<std::string>())
                .body["error"],
            "invalid_grant");
  EXPECT_EQ(post(exchange).body["error"], "invalid_grant");

  const std::string access = second.body["access_token"];
  const std::string jti = fakes::FakeJwt::claims_of(access)["jti"];
  EXPECT_TRUE(deny_list.denied(jti)) << "the family's access tokens";
  DenyList restarted(*store);
  restarted.load(clock.now());
  EXPECT_TRUE(restarted.denied(jti));
  EXPECT_TRUE(restarted.denied(Codes::access_jti_of(core::sha256_hex(code))));
}

}  // namespace
}  // namespace twofold::oidc::testing
