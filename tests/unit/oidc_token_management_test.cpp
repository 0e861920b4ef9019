// Introspection (RFC 7662), revocation (RFC 7009) with the access-token deny-list, and
// userinfo (OIDC Core §5.3, RFC 6750 errors) as pure domain code.
#include "support/oidc_grants_fixture.hpp"

namespace twofold::oidc::testing {
namespace {

using fakes::FakeJwt;

// A token FakeJwt signed with a changed payload.
std::string tampered(const std::string& token, const json& changes) {
  auto claims = FakeJwt::claims_of(token);
  claims.update(changes);
  const auto first = token.find('.'), last = token.rfind('.');
  return token.substr(0, first) + "." + core::base64url_encode(claims.dump()) + token.substr(last);
}

TEST_F(GrantsTest, IntrospectionOfAccessTokens) {
  const std::string access = login()["access_token"];
  auto r = introspect(access, app_auth);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["active"], true);
  EXPECT_EQ(r.body["sub"], "alice");
  EXPECT_EQ(r.body["client_id"], "app");
  EXPECT_EQ(r.body["scope"], "openid profile email roles");
  EXPECT_EQ(r.body["token_type"], "Bearer");
  EXPECT_EQ(r.body["exp"], 1'700'000'300);
  EXPECT_EQ(r.body["iss"], kIssuer);

  EXPECT_EQ(introspect(tampered(access, {{"sub", "mallory"}}), app_auth).body,
            json({{"active", false}}));
  EXPECT_EQ(introspect(access, code_only_auth).body["active"], false) << "not its token";
  EXPECT_EQ(introspect("garbage", app_auth).body["active"], false);
  EXPECT_EQ(introspect(login()["id_token"], app_auth).body["active"], false) << "typ JWT";
  clock.advance(std::chrono::seconds(300));
  EXPECT_EQ(introspect(access, app_auth).body["active"], false) << "expired";
}

TEST_F(GrantsTest, IntrospectionByTheResourceServerNamedInTheAudience) {
  auto a = authorization();
  a.resources = {"https://api.example"};
  const std::string access = exchange(codes.issue(a), app_auth).body["access_token"];
  auto r = introspect(access, api_auth);
  EXPECT_EQ(r.body["active"], true);
  EXPECT_EQ(r.body["aud"], "https://api.example");
}

TEST_F(GrantsTest, IntrospectionOfRefreshTokens) {
  const std::string rt = login()["refresh_token"];
  auto r = introspect(rt, app_auth);
  EXPECT_EQ(r.body["active"], true);
  EXPECT_EQ(r.body["token_type"], "refresh_token");
  EXPECT_EQ(r.body["sub"], "alice");
  EXPECT_EQ(r.body["exp"], 1'699'999'995 + 24 * 3600);
  EXPECT_EQ(introspect(rt, code_only_auth).body["active"], false);
  ASSERT_EQ(refresh_with(rt, app_auth).status, 200);
  EXPECT_EQ(introspect(rt, app_auth).body["active"], false) << "rotated";
}

TEST_F(GrantsTest, IntrospectionNeedsAnAuthenticatedConfidentialClient) {
  const std::string access = login()["access_token"];
  EXPECT_EQ(introspect(access, "").status, 401);
  EXPECT_EQ(introspect(access, basic("app", "wrong")).body["error"], "invalid_client");
  auto pub = introspection.handle(
      {"", "application/x-www-form-urlencoded", "client_id=spa&token=" + access});
  EXPECT_EQ(pub.status, 401);
  EXPECT_EQ(introspection.handle({app_auth, "application/x-www-form-urlencoded", ""}).status, 400);
  EXPECT_EQ(introspection.handle({app_auth, "application/json", "{}"}).status, 400);
}

TEST_F(GrantsTest, RevokingAnAccessTokenDeniesItsJtiUntilItExpires) {
  const std::string access = login()["access_token"];
  const std::string jti = FakeJwt::claims_of(access)["jti"];
  auto r = revoke(access, app_auth, "&token_type_hint=access_token");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(deny_list.denied(jti));
  EXPECT_EQ(introspect(access, app_auth).body["active"], false);
  EXPECT_EQ(userinfo_get(access).status, 401);
  EXPECT_EQ(store.denied_rows.at(jti), core::from_millis(1'700'000'300'000))
      << "durable, until exp";

  // A restart: a new deny-list over the same table knows it.
  DenyList restarted(store);
  restarted.load(clock.now());
  EXPECT_TRUE(restarted.denied(jti));
  clock.advance(std::chrono::seconds(301));
  store.purge(clock.now(), clock.now());
  EXPECT_TRUE(store.denied_rows.empty()) << "dropped once the token expired";
  restarted.load(clock.now());
  EXPECT_EQ(restarted.size(), 0u);
}

TEST_F(GrantsTest, RevokingARefreshTokenRevokesItsFamily) {
  const auto body = login();
  const std::string rt1 = body["refresh_token"];
  auto rotated = refresh_with(rt1, app_auth);
  const std::string rt2 = rotated.body["refresh_token"], access2 = rotated.body["access_token"];
  EXPECT_EQ(revoke(rt2, app_auth, "&token_type_hint=refresh_token").status, 200);
  EXPECT_EQ(refresh_with(rt2, app_auth).body["error"], "invalid_grant");
  EXPECT_EQ(introspect(access2, app_auth).body["active"], false)
      << "the access tokens issued with the family are denied";
  EXPECT_EQ(revoke(rt2, app_auth).status, 200) << "twice is fine";
}

TEST_F(GrantsTest, RevocationEdgeCases) {
  EXPECT_EQ(revoke("unknown", app_auth).status, 200);
  EXPECT_EQ(revoke("tfr_" + std::string(43, 'x'), app_auth).status, 200);
  EXPECT_EQ(revoke("a.b.c", app_auth).status, 200);
  const auto body = login();
  auto theirs = revoke(body["refresh_token"], code_only_auth);
  EXPECT_EQ(theirs.status, 400);
  EXPECT_EQ(theirs.body["error"], "unauthorized_client");
  EXPECT_EQ(revoke(body["access_token"], code_only_auth).status, 400);
  EXPECT_EQ(refresh_with(body["refresh_token"], app_auth).status, 200) << "still valid";
  EXPECT_EQ(revoke(body["access_token"], basic("app", "nope")).status, 401);
  EXPECT_EQ(revocation.handle({app_auth, "application/x-www-form-urlencoded", ""}).status, 400);

  // A public client revokes its own tokens by client_id.
  const auto spa = exchange(codes.issue(authorization("spa")), "", "&client_id=spa", kSpaRedirect);
  ASSERT_EQ(spa.status, 200);
  EXPECT_EQ(revocation
                .handle({"", "application/x-www-form-urlencoded",
                         "client_id=spa&token=" + spa.body["refresh_token"].get<std::string>()})
                .status,
            200);
  EXPECT_EQ(refresh_with(spa.body["refresh_token"], "", "&client_id=spa").body["error"],
            "invalid_grant");
}

TEST_F(GrantsTest, UserinfoReturnsTheClaimsOfTheTokensScopes) {
  const std::string access = login({"openid", "email"})["access_token"];
  auto r = userinfo_get(access);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body,
            json({{"sub", "alice"}, {"email", "alice@example.com"}, {"email_verified", true}}));
  users.users["alice"].email = "alice@new.example";
  EXPECT_EQ(userinfo_get(access).body["email"], "alice@new.example") << "read fresh";

  auto post =
      userinfo.handle({true, "", "application/x-www-form-urlencoded", "access_token=" + access});
  EXPECT_EQ(post.status, 200);
  auto full = userinfo_get(login()["access_token"]);
  EXPECT_EQ(full.body["roles"], json({"staff", "admin"}));
  EXPECT_EQ(full.body["preferred_username"], "alice");
}

TEST_F(GrantsTest, UserinfoErrorsFollowRfc6750) {
  auto none = userinfo_get("");
  EXPECT_EQ(none.status, 401);
  ASSERT_EQ(none.headers.size(), 1u);
  EXPECT_EQ(none.headers[0], std::make_pair(std::string("WWW-Authenticate"),
                                            std::string("Bearer realm=\"twofold\"")));
  auto bad = userinfo_get("not-a-token");
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(bad.headers.at(0).second.find("error=\"invalid_token\""), std::string::npos);

  const std::string access = login()["access_token"];
  EXPECT_EQ(userinfo_get(tampered(access, {{"scope", "openid"}})).status, 401);
  auto machine = endpoint.handle(
      {api_auth, "application/x-www-form-urlencoded", "grant_type=client_credentials"});
  ASSERT_EQ(machine.status, 200);
  auto forbidden = userinfo_get(machine.body["access_token"]);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_NE(forbidden.headers.at(0).second.find("error=\"insufficient_scope\""), std::string::npos);

  auto twice = userinfo.handle(
      {true, "Bearer " + access, "application/x-www-form-urlencoded", "access_token=" + access});
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(userinfo.handle({false, "Basic abc", "", ""}).status, 400);
  EXPECT_EQ(userinfo.handle({false, "bearer " + access, "", ""}).status, 200)
      << "the scheme is case-insensitive";

  users.users["alice"].active = false;
  EXPECT_EQ(userinfo_get(access).status, 401);
  users.users["alice"].active = true;
  clock.advance(std::chrono::seconds(300));
  EXPECT_EQ(userinfo_get(access).status, 401) << "expired";
}

}  // namespace
}  // namespace twofold::oidc::testing
