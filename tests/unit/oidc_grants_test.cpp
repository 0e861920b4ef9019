// The authorization-code and refresh-token grants as pure domain code: codes (single use,
// expiry, client and redirect binding, PKCE), refresh rotation with reuse detection, and the
// claims of ID and access tokens.
#include "support/oidc_grants_fixture.hpp"

namespace twofold::oidc::testing {
namespace {

using fakes::FakeJwt;

TEST(Pkce, Rfc7636AppendixB) {
  EXPECT_EQ(s256_challenge(kVerifier), kChallenge);
  EXPECT_TRUE(is_code_verifier(kVerifier));
  EXPECT_FALSE(is_code_verifier(std::string(42, 'a')));
  EXPECT_TRUE(is_code_verifier(std::string(128, '~')));
  EXPECT_FALSE(is_code_verifier(std::string(129, 'a')));
  EXPECT_FALSE(is_code_verifier(std::string(43, 'a') + "+"));
}

TEST_F(GrantsTest, CodesAreRandomAndStoredOnlyAsTheirHash) {
  const auto code = codes.issue(authorization());
  EXPECT_EQ(code.size(), 43u);
  EXPECT_NE(code, codes.issue(authorization()));
  ASSERT_EQ(store.codes.size(), 2u);
  EXPECT_EQ(store.codes.count(core::sha256_hex(code)), 1u);
  for (const auto& [hash, _] : store.codes) EXPECT_EQ(hash.find(code), std::string::npos);
  auto plain = authorization();
  plain.code_challenge_method = "plain";
  EXPECT_THROW(codes.issue(plain), std::invalid_argument);
  auto anonymous = authorization();
  anonymous.subject.clear();
  EXPECT_THROW(codes.issue(anonymous), std::invalid_argument);
}

TEST_F(GrantsTest, CodeFlowIssuesIdAccessAndRefreshTokens) {
  const auto body = login();
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 300);
  EXPECT_EQ(body["scope"], "openid profile email roles");
  EXPECT_EQ(body["refresh_token"].get<std::string>().rfind("tfr_", 0), 0u);

  const auto access = FakeJwt::claims_of(body["access_token"].get<std::string>());
  EXPECT_EQ(FakeJwt::header_of(body["access_token"].get<std::string>())["typ"], "at+jwt");
  EXPECT_EQ(access["iss"], kIssuer);
  EXPECT_EQ(access["sub"], "alice");
  EXPECT_EQ(access["client_id"], "app");
  EXPECT_EQ(access["aud"], "app");
  EXPECT_EQ(access["scope"], "openid profile email roles");
  EXPECT_EQ(access["exp"], 1'700'000'300);
  EXPECT_EQ(access["auth_time"], 1'699'999'995);
  EXPECT_EQ(access["acr"], "urn:twofold:acr:2fa");

  const std::string id_token = body["id_token"];
  EXPECT_EQ(FakeJwt::header_of(id_token)["alg"], "ES256") << "the client's id_token_alg";
  const auto id = FakeJwt::claims_of(id_token);
  EXPECT_EQ(id["iss"], kIssuer);
  EXPECT_EQ(id["sub"], "alice");
  EXPECT_EQ(id["aud"], "app");
  EXPECT_EQ(id["azp"], "app");
  EXPECT_EQ(id["iat"], 1'700'000'000);
  EXPECT_EQ(id["exp"], 1'700'003'600);
  EXPECT_EQ(id["auth_time"], 1'699'999'995);
  EXPECT_EQ(id["nonce"], "n-0S6_WzA2Mj");
  EXPECT_EQ(id["acr"], "urn:twofold:acr:2fa");
  EXPECT_EQ(id["amr"], json({"pwd", "otp", "mfa"}));
  EXPECT_EQ(id["sid"], "browser-session-1");
  EXPECT_EQ(id["name"], "Alice Example");
  EXPECT_EQ(id["preferred_username"], "alice");
  EXPECT_EQ(id["email"], "alice@example.com");
  EXPECT_EQ(id["email_verified"], true);
  EXPECT_EQ(id["roles"], json({"staff", "admin"}));
  // OIDC Core §3.1.3.6: left half of SHA-256 of the access token, base64url.
  const auto digest = core::from_hex(core::sha256_hex(body["access_token"].get<std::string>()));
  EXPECT_EQ(id["at_hash"], core::base64url_encode(digest->substr(0, 16)));
  EXPECT_TRUE(store.denied_rows.empty()) << "issuing writes no deny-list entry";
}

TEST_F(GrantsTest, IdTokenClaimsFollowTheScopes) {
  const auto only = FakeJwt::claims_of(login({"openid"})["id_token"].get<std::string>());
  for (const char* claim : {"name", "preferred_username", "email", "email_verified", "roles"})
    EXPECT_FALSE(only.contains(claim)) << claim;
  const auto profile =
      FakeJwt::claims_of(login({"openid", "profile"})["id_token"].get<std::string>());
  EXPECT_TRUE(profile.contains("name"));
  EXPECT_FALSE(profile.contains("email"));
  const auto email = FakeJwt::claims_of(login({"openid", "email"})["id_token"].get<std::string>());
  EXPECT_EQ(email["email"], "alice@example.com");
  EXPECT_FALSE(email.contains("name"));
  EXPECT_FALSE(email.contains("roles"));
  users.users["alice"].roles.clear();
  const auto roles = FakeJwt::claims_of(login({"openid", "roles"})["id_token"].get<std::string>());
  EXPECT_EQ(roles["roles"], json::array()) << "roles is always an array";
  EXPECT_FALSE(login({"profile"}).contains("id_token")) << "no openid, no ID token";
}

TEST_F(GrantsTest, ACodeIsRedeemedOnceAndReuseRevokesWhatItIssued) {
  const auto code = codes.issue(authorization());
  auto first = exchange(code, app_auth);
  ASSERT_EQ(first.status, 200);
  const std::string access = first.body["access_token"],
                    refresh_token = first.body["refresh_token"];
  ASSERT_EQ(introspect(access, app_auth).body["active"], true);

  auto second = exchange(code, app_auth);
  EXPECT_EQ(second.status, 400);
  EXPECT_EQ(second.body["error"], "invalid_grant");
  EXPECT_EQ(refresh_with(refresh_token, app_auth).body["error"], "invalid_grant");
  EXPECT_EQ(introspect(access, app_auth).body["active"], false)
      << "the first access token is denied";
  EXPECT_TRUE(deny_list.denied(FakeJwt::claims_of(access)["jti"]));
}

TEST_F(GrantsTest, ReuseAlsoRevokesTokensAlreadyRotatedFromTheCode) {
  const auto code = codes.issue(authorization());
  const std::string rt1 = exchange(code, app_auth).body["refresh_token"];
  auto rotated = refresh_with(rt1, app_auth);
  ASSERT_EQ(rotated.status, 200);
  const std::string access2 = rotated.body["access_token"], rt2 = rotated.body["refresh_token"];
  EXPECT_EQ(exchange(code, app_auth).status, 400);
  EXPECT_EQ(refresh_with(rt2, app_auth).body["error"], "invalid_grant");
  EXPECT_EQ(introspect(access2, app_auth).body["active"], false);
}

TEST_F(GrantsTest, CodesExpireAfterSixtySeconds) {
  const auto a = codes.issue(authorization()), b = codes.issue(authorization());
  clock.advance(std::chrono::seconds(59));
  EXPECT_EQ(exchange(a, app_auth).status, 200);
  clock.advance(std::chrono::seconds(1));
  auto late = exchange(b, app_auth);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(late.body["error"], "invalid_grant");
  EXPECT_EQ(late.body["error_description"], "the code has expired");
}

TEST_F(GrantsTest, CodesAreBoundToClientAndRedirectUri) {
  auto theirs = exchange(codes.issue(authorization("app")), code_only_auth);
  EXPECT_EQ(theirs.body["error"], "invalid_grant");
  EXPECT_EQ(
      exchange(codes.issue(authorization()), app_auth, "", "https://app.example/cb/").body["error"],
      "invalid_grant");
  EXPECT_EQ(exchange(codes.issue(authorization()), app_auth, "", "").body["error"], "invalid_grant")
      << "redirect_uri is required when the authorization request had one";
  EXPECT_EQ(exchange("x", app_auth).body["error"], "invalid_grant");
  EXPECT_EQ(post("grant_type=authorization_code", app_auth).body["error"], "invalid_request");
  auto stolen = exchange(codes.issue(authorization("app")), code_only_auth);
  EXPECT_EQ(stolen.status, 400);
}

TEST_F(GrantsTest, PkceIsChecked) {
  auto wrong =
      exchange(codes.issue(authorization()), app_auth, "", kAppRedirect, std::string(43, 'a'));
  EXPECT_EQ(wrong.body["error"], "invalid_grant");
  EXPECT_EQ(wrong.body["error_description"], "code_verifier does not match the code challenge");
  EXPECT_EQ(exchange(codes.issue(authorization()), app_auth, "", kAppRedirect, "").body["error"],
            "invalid_grant");
  EXPECT_EQ(
      exchange(codes.issue(authorization()), app_auth, "", kAppRedirect, "short").body["error"],
      "invalid_grant");
  // A code whose challenge was guessed wrong once is gone: no second try.
  const auto code = codes.issue(authorization());
  EXPECT_EQ(exchange(code, app_auth, "", kAppRedirect, std::string(43, 'b')).status, 400);
  EXPECT_EQ(exchange(code, app_auth).status, 400);
}

TEST_F(GrantsTest, PkceDowngradeAndPublicClientsWithoutPkceAreRefused) {
  auto no_challenge = authorization();
  no_challenge.code_challenge.clear();
  no_challenge.code_challenge_method.clear();
  EXPECT_EQ(exchange(codes.issue(no_challenge), app_auth, "", kAppRedirect, "").status, 200)
      << "a confidential client may skip PKCE";
  auto downgrade = exchange(codes.issue(no_challenge), app_auth);
  EXPECT_EQ(downgrade.body["error"], "invalid_grant") << "verifier without challenge";

  auto spa = no_challenge;
  spa.client_id = "spa";
  spa.redirect_uri = kSpaRedirect;
  auto r = exchange(codes.issue(spa), "", "&client_id=spa", kSpaRedirect, "");
  EXPECT_EQ(r.body["error"], "invalid_grant");
  EXPECT_EQ(r.body["error_description"], "public clients must use PKCE (S256)");
  auto ok = exchange(codes.issue(authorization("spa")), "", "&client_id=spa", kSpaRedirect);
  EXPECT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_TRUE(ok.body.contains("refresh_token"));
}

TEST_F(GrantsTest, RefreshTokensOnlyForClientsWithTheGrant) {
  auto r = exchange(codes.issue(authorization("code-only")), code_only_auth);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_FALSE(r.body.contains("refresh_token"));
  EXPECT_TRUE(r.body.contains("id_token"));
}

TEST_F(GrantsTest, RefreshRotatesAndReuseRevokesTheFamily) {
  const auto body = login();
  const std::string rt1 = body["refresh_token"];
  clock.advance(std::chrono::minutes(10));
  auto second = refresh_with(rt1, app_auth);
  ASSERT_EQ(second.status, 200) << second.body.dump();
  const std::string rt2 = second.body["refresh_token"];
  EXPECT_NE(rt1, rt2);
  const auto id = FakeJwt::claims_of(second.body["id_token"].get<std::string>());
  EXPECT_FALSE(id.contains("nonce")) << "OIDC Core §12.2";
  EXPECT_EQ(id["auth_time"], 1'699'999'995) << "the original login's time";
  EXPECT_EQ(id["sub"], "alice");
  const std::string access2 = second.body["access_token"];
  EXPECT_EQ(FakeJwt::claims_of(access2)["iat"], 1'700'000'600);

  // The old token again: a replay. Everything of the family dies, the current token too.
  auto replay = refresh_with(rt1, app_auth);
  EXPECT_EQ(replay.body["error"], "invalid_grant");
  EXPECT_EQ(refresh_with(rt2, app_auth).body["error"], "invalid_grant");
  EXPECT_EQ(introspect(access2, app_auth).body["active"], false);
  EXPECT_EQ(userinfo_get(access2).status, 401);
  // Another login is another family and unaffected.
  EXPECT_EQ(refresh_with(login()["refresh_token"], app_auth).status, 200);
}

TEST_F(GrantsTest, ConcurrentRotationCountsAsReuse) {
  const std::string rt = login()["refresh_token"];
  store.lose_next_race = true;
  EXPECT_EQ(refresh_with(rt, app_auth).body["error"], "invalid_grant");
  for (const auto& [_, r] : store.refresh) EXPECT_TRUE(r.revoked);
}

TEST_F(GrantsTest, RefreshTokensAreBoundToTheClient) {
  const std::string rt = login()["refresh_token"];
  auto other = refresh_with(rt, "", "&client_id=spa");
  EXPECT_EQ(other.body["error"], "invalid_grant");
  EXPECT_EQ(refresh_with(rt, app_auth).status, 200) << "the owner's family is untouched";
  EXPECT_EQ(refresh_with("tfr_" + std::string(43, 'A'), app_auth).body["error"], "invalid_grant");
  EXPECT_EQ(post("grant_type=refresh_token", app_auth).body["error"], "invalid_request");
}

TEST_F(GrantsTest, RefreshRechecksTheUser) {
  const std::string rt = login()["refresh_token"];
  users.users["alice"].active = false;
  auto r = refresh_with(rt, app_auth);
  EXPECT_EQ(r.body["error"], "invalid_grant");
  users.users["alice"].active = true;
  EXPECT_EQ(refresh_with(rt, app_auth).body["error"], "invalid_grant") << "the family was revoked";
  users.users.erase("alice");
  EXPECT_EQ(exchange(codes.issue(authorization()), app_auth).body["error"], "invalid_grant");
}

TEST_F(GrantsTest, RefreshMayNarrowButNotWidenTheScope) {
  const std::string rt = login({"openid", "email"})["refresh_token"];
  auto narrow = refresh_with(rt, app_auth, "&scope=email");
  ASSERT_EQ(narrow.status, 200);
  EXPECT_EQ(narrow.body["scope"], "email");
  EXPECT_FALSE(narrow.body.contains("id_token"));
  auto full = refresh_with(narrow.body["refresh_token"], app_auth);
  EXPECT_EQ(full.body["scope"], "openid email") << "the refresh token keeps the full grant";
  EXPECT_EQ(refresh_with(full.body["refresh_token"], app_auth, "&scope=roles").body["error"],
            "invalid_scope");
}

TEST_F(GrantsTest, SessionRefreshTokensEndWithTheLoginOfflineOnesWhenIdle) {
  const std::string session_rt = login()["refresh_token"];
  const std::string offline_rt = login({"openid", "offline_access"})["refresh_token"];
  clock.advance(std::chrono::hours(23));
  auto s = refresh_with(session_rt, app_auth);
  ASSERT_EQ(s.status, 200);
  auto o = refresh_with(offline_rt, app_auth);
  ASSERT_EQ(o.status, 200);
  clock.advance(std::chrono::hours(1));
  EXPECT_EQ(refresh_with(s.body["refresh_token"], app_auth).body["error_description"],
            "the refresh token has expired");
  clock.advance(std::chrono::hours(24 * 29));
  auto o2 = refresh_with(o.body["refresh_token"], app_auth);
  ASSERT_EQ(o2.status, 200) << "offline: 30 days idle, renewed by each use";
  clock.advance(std::chrono::hours(24 * 30));
  EXPECT_EQ(refresh_with(o2.body["refresh_token"], app_auth).body["error"], "invalid_grant");
}

TEST_F(GrantsTest, LogoutOfTheBrowserSessionEndsItsSessionRefreshTokens) {
  const std::string session_rt = login()["refresh_token"];
  const std::string offline_rt = login({"openid", "offline_access"})["refresh_token"];
  refresh.revoke_session("browser-session-1");
  EXPECT_EQ(refresh_with(session_rt, app_auth).body["error"], "invalid_grant");
  EXPECT_EQ(refresh_with(offline_rt, app_auth).status, 200);
}

TEST_F(GrantsTest, AccessTokenAudienceFromResources) {
  auto a = authorization();
  a.resources = {"https://api.example", "https://files.example"};
  auto both = exchange(codes.issue(a), app_auth);
  ASSERT_EQ(both.status, 200);
  EXPECT_EQ(FakeJwt::claims_of(both.body["access_token"].get<std::string>())["aud"],
            json({"https://api.example", "https://files.example"}));
  auto one = exchange(codes.issue(a), app_auth, "&resource=" + enc("https://files.example"));
  EXPECT_EQ(FakeJwt::claims_of(one.body["access_token"].get<std::string>())["aud"],
            "https://files.example");
  auto other = exchange(codes.issue(a), app_auth, "&resource=" + enc("https://evil.example"));
  EXPECT_EQ(other.body["error"], "invalid_target");
  auto refreshed =
      refresh_with(one.body["refresh_token"], app_auth, "&resource=" + enc("https://api.example"));
  EXPECT_EQ(FakeJwt::claims_of(refreshed.body["access_token"].get<std::string>())["aud"],
            "https://api.example");
}

TEST_F(GrantsTest, UnknownAndDisallowedGrants) {
  EXPECT_EQ(post("grant_type=refresh_token&refresh_token=x", code_only_auth).body["error"],
            "unauthorized_client");
  EXPECT_EQ(post("grant_type=password", app_auth).body["error"], "unsupported_grant_type");
  EXPECT_EQ(post("grant_type=client_credentials", app_auth).body["error"], "unauthorized_client");
}

}  // namespace
}  // namespace twofold::oidc::testing
