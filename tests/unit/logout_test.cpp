// Signing out (RP-Initiated Logout 1.0) as pure domain code: the parameter checks, the
// decision between ending the session at once and asking first, the confirm form's CSRF
// token, and what ends (session row, cookie, the session's refresh tokens).
#include <gtest/gtest.h>

#include "core/encoding.hpp"
#include "login/logout.hpp"
#include "support/login_fakes.hpp"

namespace twofold::login {
namespace {

using nlohmann::json;
constexpr const char* kIssuer = "https://id.example";

// Our "ID tokens": base64url(header).base64url(claims).ok — "bad" as signature fails.
std::string token(const json& claims, const std::string& sig = "ok",
                  const json& header = {{"alg", "RS256"}, {"typ", "JWT"}}) {
  return core::base64url_encode(header.dump()) + "." + core::base64url_encode(claims.dump()) + "." +
         sig;
}

std::optional<oidc::VerifiedToken> verify(std::string_view t) {
  const auto a = t.find('.'), b = t.rfind('.');
  if (t.substr(b + 1) != "ok") return std::nullopt;
  return oidc::VerifiedToken{json::parse(*core::base64url_decode(t.substr(0, a))),
                             json::parse(*core::base64url_decode(t.substr(a + 1, b - a - 1)))};
}

class LogoutTest : public ::testing::Test {
 protected:
  core::ManualClock clock{core::from_millis(1'700'000'000'000)};
  core::SeededRandom random{9};
  fakes::MemorySessions store;
  Sessions sessions{SessionSettings{}, clock, random, store};
  Pages pages;
  std::vector<std::string> revoked;
  LogoutPorts ports{[](const std::string& id) -> std::optional<oidc::Client> {
                      if (id != "rp") return std::nullopt;
                      oidc::Client c;
                      c.id = "rp";
                      c.name = "The RP";
                      c.post_logout_redirect_uris = {"https://rp.example/bye"};
                      return c;
                    },
                    verify, [this](const std::string& sid) { revoked.push_back(sid); }};
  Logout logout{kIssuer, ports, sessions, pages};
  Sessions::Issued alice = sessions.create({"alice", clock.now(), {"pwd"}, "", true});

  json id_claims(const std::string& sub = "alice", const std::string& sid = "") {
    json c = {{"iss", kIssuer}, {"sub", sub}, {"aud", "rp"}, {"exp", 1}, {"iat", 0}};
    c["sid"] = sid.empty() ? alice.session.sid : sid;
    return c;
  }
  BrowserRequest get(const std::string& query, bool with_cookie = true) {
    BrowserRequest r;
    r.params = query;
    if (with_cookie) r.cookies = std::string(kSessionCookie) + "=" + alice.secret;
    return r;
  }
  std::variant<LogoutRequest, std::string> validate(const std::string& query) {
    return validate_logout(*parse_params(query), ports, kIssuer);
  }
  static bool clears_cookie(const Result& r) {
    return std::find(r.set_cookies.begin(), r.set_cookies.end(), Sessions::clear_cookie()) !=
           r.set_cookies.end();
  }
};

TEST_F(LogoutTest, AValidHintForThisSessionEndsItAtOnceEvenWhenExpired) {
  const auto r =
      logout.handle(get("id_token_hint=" + token(id_claims()) +
                        "&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye&state=s%201"));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.location, "https://rp.example/bye?state=s%201");
  EXPECT_TRUE(clears_cookie(r));
  EXPECT_TRUE(store.rows.empty()) << "the session row is gone";
  EXPECT_EQ(revoked, std::vector<std::string>{alice.session.sid});
  EXPECT_FALSE(sessions.resume(alice.secret));
}

TEST_F(LogoutTest, RedirectsOnlyToRegisteredUrisOfAKnownClient) {
  auto refused = [&](const std::string& query) {
    auto v = validate(query);
    return std::holds_alternative<std::string>(v);
  };
  const std::string hint = "id_token_hint=" + token(id_claims());
  EXPECT_TRUE(refused(hint + "&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"));
  EXPECT_TRUE(refused(hint + "&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye%2F"));
  EXPECT_TRUE(refused("post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye"))
      << "no client named";
  EXPECT_TRUE(refused("client_id=nobody&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye"));
  EXPECT_FALSE(refused("client_id=rp&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye"));
  EXPECT_TRUE(refused(hint + "&client_id=other")) << "client_id must be the hint's aud";
  EXPECT_TRUE(refused("id_token_hint=" + token(id_claims(), "bad"))) << "signature";
  auto foreign = id_claims();
  foreign["iss"] = "https://other.example";
  EXPECT_TRUE(refused("id_token_hint=" + token(foreign))) << "issuer";
  EXPECT_TRUE(
      refused("id_token_hint=" + token(id_claims(), "ok", {{"alg", "RS256"}, {"typ", "at+jwt"}})))
      << "an access token is no ID token";
  EXPECT_TRUE(refused("client_id=rp&client_id=rp"));
  // Refused requests end nothing and redirect nowhere.
  auto r = logout.handle(get(hint + "&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.location.empty());
  EXPECT_EQ(store.rows.size(), 1u);
  EXPECT_TRUE(revoked.empty());
}

TEST_F(LogoutTest, DecisionTable) {
  LogoutRequest with_hint;
  with_hint.hint = true;
  with_hint.hint_subject = "alice";
  with_hint.hint_sid = "sid-1";
  BrowserSession current;
  current.identity_key = "alice";
  current.sid = "sid-1";
  EXPECT_EQ(decide_logout(with_hint, current), LogoutAction::end_current);
  EXPECT_EQ(decide_logout(with_hint, std::nullopt), LogoutAction::end_hint_session);
  current.sid = "sid-2";
  EXPECT_EQ(decide_logout(with_hint, current), LogoutAction::confirm) << "another session";
  with_hint.hint_sid.clear();
  EXPECT_EQ(decide_logout(with_hint, current), LogoutAction::end_current) << "no sid: the user";
  with_hint.hint_subject = "bob";
  EXPECT_EQ(decide_logout(with_hint, current), LogoutAction::confirm) << "another user";
  EXPECT_EQ(decide_logout(with_hint, std::nullopt), LogoutAction::nothing);
  LogoutRequest bare;
  EXPECT_EQ(decide_logout(bare, current), LogoutAction::confirm);
  EXPECT_EQ(decide_logout(bare, std::nullopt), LogoutAction::nothing);
}

TEST_F(LogoutTest, WithoutAHintTheUserConfirmsWithACsrfProtectedForm) {
  auto page =
      logout.handle(get("client_id=rp&post_logout_redirect_uri=https%3A%2F%2Frp.example"
                        "%2Fbye&state=xyz&ui_locales=de"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Möchten Sie sich abmelden?"), std::string::npos);
  EXPECT_NE(page.body.find(logout_csrf(alice.secret)), std::string::npos);
  EXPECT_EQ(store.rows.size(), 1u) << "nothing ends before the user confirms";

  BrowserRequest post =
      get("csrf=wrong&action=logout&client_id=rp&post_logout_redirect_uri="
          "https%3A%2F%2Frp.example%2Fbye&state=xyz");
  post.post = true;
  post.sec_fetch_site = "same-origin";
  EXPECT_EQ(logout.handle(post).status, 400);
  post.sec_fetch_site = "cross-site";
  post.params = "csrf=" + logout_csrf(alice.secret) + "&action=logout";
  EXPECT_EQ(logout.handle(post).status, 403);
  EXPECT_EQ(store.rows.size(), 1u);

  post.sec_fetch_site = "same-origin";
  post.params = "csrf=" + logout_csrf(alice.secret) +
                "&action=logout&client_id=rp&post_logout_redirect_uri=https%3A%2F%2Frp.example"
                "%2Fbye&state=xyz";
  auto done = logout.handle(post);
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(done.location, "https://rp.example/bye?state=xyz");
  EXPECT_TRUE(clears_cookie(done));
  EXPECT_TRUE(store.rows.empty());
  EXPECT_EQ(revoked.size(), 1u);
}

TEST_F(LogoutTest, CancelKeepsTheSessionAndARelyingPartysPostBecomesAGet) {
  BrowserRequest post = get("csrf=" + logout_csrf(alice.secret) + "&action=cancel");
  post.post = true;
  post.sec_fetch_site = "same-origin";
  auto kept = logout.handle(post);
  EXPECT_EQ(kept.status, 200);
  EXPECT_NE(kept.body.find("still signed in"), std::string::npos);
  EXPECT_FALSE(clears_cookie(kept));
  EXPECT_EQ(store.rows.size(), 1u);

  BrowserRequest rp_post = get("id_token_hint=abc&state=1", false);
  rp_post.post = true;
  auto again = logout.handle(rp_post);
  EXPECT_EQ(again.status, 303);
  EXPECT_EQ(again.location, "/oidc/logout?id_token_hint=abc&state=1");
}

TEST_F(LogoutTest, AHintWithoutTheCookieEndsTheSessionItNames) {
  auto r = logout.handle(get("id_token_hint=" + token(id_claims()), false));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("You are signed out"), std::string::npos);
  EXPECT_TRUE(store.rows.empty());
  EXPECT_EQ(revoked, std::vector<std::string>{alice.session.sid});
}

}  // namespace
}  // namespace twofold::login
