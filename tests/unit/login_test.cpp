// The browser login's pure parts: authorize validation, CSRF and origin checks, cookies and
// browser sessions, the template filler and the pages.
#include <gtest/gtest.h>

#include <map>

#include "core/encoding.hpp"
#include "login/authorize.hpp"
#include "login/pages.hpp"
#include "login/session.hpp"
#include "login/transaction.hpp"
#include "support/login_fakes.hpp"

namespace twofold::login {
namespace {

const std::string kIssuer = "https://id.example:8443";
const std::string kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";  // RFC 7636 App. B

oidc::Client client(bool is_public = false) {
  oidc::Client c;
  c.id = "app";
  c.name = "Shop";
  c.auth_method = is_public ? oidc::AuthMethod::none : oidc::AuthMethod::client_secret_basic;
  c.redirect_uris = {"https://app.example/cb", "https://app.example/cb2?tenant=1"};
  return c;
}

Params params(std::string_view query) {
  return *parse_params(query);
}

const std::string kGood =
    "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code"
    "&scope=openid+email+admin&state=xyz&nonce=n1";

AuthorizeOutcome check(std::string_view query, std::optional<oidc::Client> c = client()) {
  return validate_authorize(params(query), c, kIssuer);
}

std::string page_reason(const AuthorizeOutcome& o) {
  EXPECT_TRUE(std::holds_alternative<ErrorPage>(o));
  return std::holds_alternative<ErrorPage>(o) ? std::get<ErrorPage>(o).reason : "";
}

ErrorRedirect redirect_of(const AuthorizeOutcome& o) {
  EXPECT_TRUE(std::holds_alternative<ErrorRedirect>(o));
  return std::holds_alternative<ErrorRedirect>(o) ? std::get<ErrorRedirect>(o) : ErrorRedirect{};
}

TEST(Authorize, ValidRequestKeepsWhatTheTokenSideNeeds) {
  auto o = check(kGood + "&code_challenge=" + kChallenge +
                 "&code_challenge_method=S256&prompt=login&max_age=60&ui_locales=de+en"
                 "&login_hint=alice&acr_values=urn%3Atwofold%3Aacr%3A2fa"
                 "&resource=https%3A%2F%2Fapi.example&resource=https%3A%2F%2Fapi2.example");
  ASSERT_TRUE(std::holds_alternative<AuthorizeRequest>(o));
  const auto& r = std::get<AuthorizeRequest>(o);
  EXPECT_EQ(r.client_id, "app");
  EXPECT_EQ(r.client_name, "Shop");
  EXPECT_EQ(r.redirect_uri, "https://app.example/cb");
  EXPECT_EQ(r.state, "xyz");
  EXPECT_EQ(r.nonce, "n1");
  EXPECT_EQ(r.scopes, (std::vector<std::string>{"openid", "email"}));  // admin: not the client's
  EXPECT_EQ(r.code_challenge, kChallenge);
  EXPECT_EQ(r.code_challenge_method, "S256");
  EXPECT_TRUE(r.prompt_login);
  EXPECT_FALSE(r.prompt_none);
  EXPECT_EQ(r.max_age, 60);
  EXPECT_EQ(r.ui_locales, (std::vector<std::string>{"de", "en"}));
  EXPECT_EQ(r.login_hint, "alice");
  EXPECT_EQ(r.acr_values.size(), 1u);
  EXPECT_EQ(r.resources.size(), 2u);
}

TEST(Authorize, UntrustedClientOrRedirectUriNeverRedirects) {
  EXPECT_NE(page_reason(check(kGood, std::nullopt)), "");
  EXPECT_NE(page_reason(check("redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code")),
            "");
  EXPECT_NE(page_reason(check("client_id=app&response_type=code&scope=openid")), "");
  for (const char* uri :
       {"https://evil.example/cb", "https://app.example/cb/", "https://app.example/CB",
        "https://app.example/cb?x=1", "https://app.example/cb#f",
        "https://app.example.evil.example/cb", "//evil.example/cb"}) {
    SCOPED_TRACE(uri);
    auto q = "client_id=app&response_type=code&scope=openid&redirect_uri=" + url_encode(uri);
    EXPECT_NE(page_reason(check(q)), "");
  }
  // Two redirect_uri values, even if one is registered: no guessing which one.
  EXPECT_NE(page_reason(check(kGood + "&redirect_uri=https%3A%2F%2Fevil.example%2F")), "");
  // Another client's id with this client's record (caller bug) is refused too.
  auto other = client();
  other.id = "other";
  EXPECT_NE(page_reason(check(kGood, other)), "");
}

TEST(Authorize, ErrorsGoToTheRedirectUriWithStateAndIss) {
  auto e = redirect_of(check(
      "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=token&scope=openid"
      "&state=s%20t"));
  EXPECT_EQ(e.error, "unsupported_response_type");
  EXPECT_EQ(e.location.rfind("https://app.example/cb?error=unsupported_response_type&", 0), 0u)
      << e.location;
  EXPECT_NE(e.location.find("&state=s%20t"), std::string::npos);
  EXPECT_NE(e.location.find("&iss=https%3A%2F%2Fid.example%3A8443"), std::string::npos);
  // A registered query is kept (RFC 6749 §3.1.2).
  auto q = redirect_of(check(
      "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb2%3Ftenant%3D1&scope=openid"));
  EXPECT_EQ(q.location.rfind("https://app.example/cb2?tenant=1&error=invalid_request", 0), 0u)
      << q.location;
}

TEST(Authorize, EachRuleHasItsError) {
  const std::string base =
      "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code";
  EXPECT_EQ(redirect_of(check(base + "&scope=email")).error, "invalid_scope");
  EXPECT_EQ(redirect_of(check(base)).error, "invalid_scope");
  EXPECT_EQ(redirect_of(check(kGood + "&scope=openid")).error, "invalid_request");  // repeated
  EXPECT_EQ(redirect_of(check(kGood + "&code_challenge=" + kChallenge)).error, "invalid_request");
  EXPECT_EQ(
      redirect_of(check(kGood + "&code_challenge=" + kChallenge + "&code_challenge_method=plain"))
          .error,
      "invalid_request");
  EXPECT_EQ(redirect_of(check(kGood + "&code_challenge=short&code_challenge_method=S256")).error,
            "invalid_request");
  EXPECT_EQ(redirect_of(check(kGood + "&code_challenge_method=S256")).error, "invalid_request");
  EXPECT_EQ(redirect_of(check(kGood + "&prompt=none+login")).error, "invalid_request");
  EXPECT_EQ(redirect_of(check(kGood + "&prompt=bogus")).error, "invalid_request");
  EXPECT_EQ(redirect_of(check(kGood + "&max_age=-1")).error, "invalid_request");
  EXPECT_EQ(redirect_of(check(kGood + "&max_age=1e3")).error, "invalid_request");
  EXPECT_EQ(redirect_of(check(kGood + "&response_mode=fragment")).error, "invalid_request");
  EXPECT_EQ(redirect_of(check(kGood + "&request=eyJ")).error, "request_not_supported");
  EXPECT_EQ(redirect_of(check(kGood + "&request_uri=https%3A%2F%2Fx")).error,
            "request_uri_not_supported");
  EXPECT_EQ(redirect_of(check(kGood + "&resource=relative%2Fpath")).error, "invalid_target");
  EXPECT_EQ(redirect_of(check(kGood + "&resource=https%3A%2F%2Fa%23frag")).error, "invalid_target");
  auto cc = client();
  cc.grant_types = {"client_credentials"};
  EXPECT_EQ(redirect_of(check(kGood, cc)).error, "unauthorized_client");
}

TEST(Authorize, PublicClientsMustUseS256) {
  EXPECT_EQ(redirect_of(check(kGood, client(true))).error, "invalid_request");
  auto ok =
      check(kGood + "&code_challenge=" + kChallenge + "&code_challenge_method=S256", client(true));
  ASSERT_TRUE(std::holds_alternative<AuthorizeRequest>(ok));
  EXPECT_TRUE(std::get<AuthorizeRequest>(ok).public_client);
  // Confidential clients may leave PKCE out.
  EXPECT_TRUE(std::holds_alternative<AuthorizeRequest>(check(kGood)));
}

TEST(Authorize, CodeRedirect) {
  auto r = std::get<AuthorizeRequest>(check(kGood));
  EXPECT_EQ(code_redirect(r, "c0de", kIssuer),
            "https://app.example/cb?code=c0de&state=xyz&iss=https%3A%2F%2Fid.example%3A8443");
  r.state.clear();
  EXPECT_EQ(code_redirect(r, "c", kIssuer),
            "https://app.example/cb?code=c&iss=https%3A%2F%2Fid.example%3A8443");
}

TEST(Params, DecodesAndRefusesGarbage) {
  auto p = params("a=1&b=x+y%21&&c&a=2");
  EXPECT_EQ(p.value("a"), "1");
  EXPECT_EQ(p.all("a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(p.value("b"), "x y!");
  EXPECT_FALSE(p.get("c"));
  EXPECT_EQ(p.count("c"), 1u);
  EXPECT_FALSE(parse_params("a=%zz"));
  EXPECT_FALSE(parse_params("a=%0a"));  // control character
  EXPECT_FALSE(parse_params("a=%ff"));  // not UTF-8
  EXPECT_FALSE(parse_params("=1"));
  EXPECT_FALSE(parse_params(std::string(70'000, 'a')));
  EXPECT_EQ(origin_of("HTTPS://App.Example:8443/x?y"), "https://app.example:8443");
  EXPECT_EQ(origin_of("javascript:alert(1)"), "");
  EXPECT_EQ(origin_of("https://user@evil.example/"), "");
  EXPECT_EQ(host_of("https://app.example:8443/cb"), "app.example");
  EXPECT_EQ(host_of("http://[::1]:80/cb"), "[::1]");
}

TEST(Csrf, ConstantTimeMatchAndOrigin) {
  EXPECT_TRUE(csrf_matches("abc", "abc"));
  EXPECT_FALSE(csrf_matches("abc", "abd"));
  EXPECT_FALSE(csrf_matches("abc", ""));
  EXPECT_FALSE(csrf_matches("", ""));
  EXPECT_TRUE(same_origin_post("https://id.example:8443", "same-origin", kIssuer));
  EXPECT_TRUE(same_origin_post("", "", kIssuer));
  EXPECT_FALSE(same_origin_post("https://evil.example", "", kIssuer));
  EXPECT_TRUE(same_origin_post("null", "same-origin", kIssuer));  // no-referrer pages
  EXPECT_TRUE(same_origin_post("null", "", kIssuer));
  EXPECT_FALSE(same_origin_post("null", "cross-site", kIssuer));
  EXPECT_FALSE(same_origin_post("https://id.example:8443", "cross-site", kIssuer));
  EXPECT_FALSE(same_origin_post("https://id.example:8443", "same-site", kIssuer));
  EXPECT_FALSE(same_origin_post("https://id.example", "", kIssuer));  // other port
}

TEST(Cookies, Parsing) {
  EXPECT_EQ(cookie_value("a=1; __Host-twofold_session=abc; b=2", kSessionCookie), "abc");
  EXPECT_EQ(cookie_value("__Host-twofold_session=\"q\"", kSessionCookie), "q");
  EXPECT_FALSE(cookie_value("x__Host-twofold_session=abc", kSessionCookie));
  EXPECT_FALSE(cookie_value("", kSessionCookie));
  EXPECT_EQ(cookie_value("a=1;b=2", "b"), "2");
}

class SessionTest : public ::testing::Test {
 protected:
  core::ManualClock clock;
  core::SeededRandom random{3};
  fakes::MemorySessions store;
  Sessions sessions{{}, clock, random, store};
  Sessions::Issued make(bool stay = false) {
    return sessions.create(
        {"alice", clock.now(), {"pwd", "otp", "mfa"}, "urn:twofold:acr:2fa", stay});
  }
};

TEST_F(SessionTest, SecretIsStoredHashedAndCookieIsLocked) {
  auto s = make();
  EXPECT_TRUE(is_plausible_secret(s.secret));
  EXPECT_EQ(store.rows.at(s.session.sid).secret_hash, core::sha256_hex(s.secret));
  EXPECT_NE(s.session.sid, s.secret);
  EXPECT_EQ(sessions.cookie(s.secret, s.session),
            "__Host-twofold_session=" + s.secret + "; Path=/; Secure; HttpOnly; SameSite=Lax");
  auto r = sessions.resume(s.secret);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->session.identity_key, "alice");
  EXPECT_EQ(r->session.amr, (std::vector<std::string>{"pwd", "otp", "mfa"}));
  EXPECT_FALSE(sessions.resume("not-a-secret"));
  EXPECT_FALSE(sessions.resume(std::string(43, 'A')));
}

TEST_F(SessionTest, IdleTimeoutAndUseKeepsItAlive) {
  auto s = make();
  clock.advance(std::chrono::hours(23));
  EXPECT_TRUE(sessions.resume(s.secret));  // used: idle time starts again
  clock.advance(std::chrono::hours(23));
  EXPECT_TRUE(sessions.resume(s.secret));
  clock.advance(std::chrono::hours(24));
  EXPECT_FALSE(sessions.resume(s.secret));
  EXPECT_TRUE(store.rows.empty());
}

TEST_F(SessionTest, StaySignedInOutlivesIdleAndRotates) {
  auto s = make(true);
  EXPECT_NE(sessions.cookie(s.secret, s.session).find("; Max-Age=2592000"), std::string::npos);
  clock.advance(std::chrono::hours(48));
  auto r = sessions.resume(s.secret);
  ASSERT_TRUE(r);
  ASSERT_FALSE(r->new_secret.empty());  // rotated after an hour
  EXPECT_TRUE(sessions.resume(r->new_secret));
  clock.advance(std::chrono::seconds(10));
  EXPECT_TRUE(sessions.resume(s.secret));  // a request that raced the rotation
  clock.advance(std::chrono::minutes(5));
  EXPECT_FALSE(sessions.resume(s.secret));  // the old secret again: stolen, session ends
  EXPECT_FALSE(sessions.resume(r->new_secret));
}

TEST_F(SessionTest, EndSweepAndClear) {
  auto a = make();
  auto b = make();
  sessions.end(a.secret);
  EXPECT_FALSE(sessions.resume(a.secret));
  EXPECT_TRUE(sessions.resume(b.secret));
  clock.advance(std::chrono::hours(25));
  EXPECT_EQ(sessions.sweep(), 1u);
  EXPECT_NE(Sessions::clear_cookie().find("Max-Age=0"), std::string::npos);
}

TEST(Html, EscapesEverythingThatMatters) {
  EXPECT_EQ(html_escape("<a href=\"x\" onclick='y'>&</a>"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(fill("<p title=\"{{v}}\">{{v}}</p>", {{"v", "\"><script>"}}),
            "<p title=\"&quot;&gt;&lt;script&gt;\">&quot;&gt;&lt;script&gt;</p>");
  EXPECT_EQ(fill("{{&raw}}", {{"raw", "<b>"}}), "<b>");
  EXPECT_EQ(fill("a{{#x}}[{{x}}]{{/x}}{{^x}}none{{/x}}b", {{"x", "1"}}), "a[1]b");
  EXPECT_EQ(fill("a{{#x}}[{{x}}]{{/x}}{{^x}}none{{/x}}b", {{"x", ""}}), "anoneb");
  EXPECT_EQ(fill("{{ spaced }}", {{"spaced", "ok"}}), "ok");
  EXPECT_THROW(fill("{{missing}}", {}), TemplateError);
  EXPECT_THROW(fill("{{open", {{"open", ""}}), TemplateError);
  EXPECT_THROW(fill("{{#x}}never closed", {{"x", "1"}}), TemplateError);
  EXPECT_THROW(fill("{{/x}}", {{"x", "1"}}), TemplateError);
  // A value is never parsed as a template.
  EXPECT_EQ(fill("{{v}}", {{"v", "{{v}}"}}), "{{v}}");
}

TEST(Pages, LanguageChoice) {
  EXPECT_EQ(choose_language({"fr", "de-CH"}, "en"), Language::de);
  EXPECT_EQ(choose_language({}, "de-DE,de;q=0.9,en;q=0.8"), Language::de);
  EXPECT_EQ(choose_language({}, "fr, en;q=0.5, de;q=0.4"), Language::en);
  EXPECT_EQ(choose_language({}, "de;q=0, en;q=0.1"), Language::en);
  EXPECT_EQ(choose_language({}, "de;q=bogus"), Language::en);
  EXPECT_EQ(choose_language({}, ""), Language::en);
}

// The one error page of sign-in and sign-out (LoginFlow::error_page, Logout::error).
TEST(Pages, ErrorPageHasTitleMessageAndEscapedDetail) {
  Pages pages;
  const auto en =
      pages.error_page(Language::en, "logout_error_title", "error_logout_request", "<b>bad</b>");
  EXPECT_NE(en.find("Sign-out not possible"), std::string::npos);
  EXPECT_NE(en.find(pages.text(Language::en, "error_logout_request")), std::string::npos);
  EXPECT_NE(en.find("&lt;b&gt;bad&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(en.find("<b>bad"), std::string::npos);
  const auto de = pages.error_page(Language::de, "error_title", "error_bad_request");
  EXPECT_NE(de.find(pages.text(Language::de, "error_title")), std::string::npos);
  EXPECT_NE(de.find("<html lang=\"de\">"), std::string::npos);
  EXPECT_EQ(de.find(pages.text(Language::de, "error_detail")), std::string::npos) << "no detail";
}

TEST(Pages, EveryPageRendersInBothLanguagesEscaped) {
  Pages pages;
  const Vars common{{"tx", "T"},
                    {"csrf", "C"},
                    {"client", "<script>x</script>"},
                    {"notice", ""},
                    {"script", ""},
                    {"title", "t"},
                    {"login", "a\"b"},
                    {"stay", "1"},
                    {"upstream_url", "/login/upstream?tx=T"},
                    {"upstream_label", "Sign in with <IdP>"},
                    {"scopes", "openid"},
                    {"others", ""},
                    {"png", "AAAA"},
                    {"retry", ""},
                    {"status_url", "/login/status?tx=T"},
                    {"instructions", "i"},
                    {"resend", ""},
                    {"remember", "1"},
                    {"unavailable", ""},
                    {"none", "1"},
                    {"pending", "1"},
                    {"enrolled", "1"},
                    {"secret", "ABCD EFGH"},
                    {"digits", "6"},
                    {"message", "m"},
                    // password, forgot, password_done (R-C1, R-C5)
                    {"forgot", "1"},
                    {"rules", "r"},
                    {"sign_in_url", "/account"},
                    {"detail", "<d>"},
                    // logout, logged_out
                    {"client_id", "c"},
                    {"post_logout_redirect_uri", "https://rp.example/bye"},
                    {"state", "s"},
                    {"ui_locales", "de"},
                    {"text", "x"}};
  for (auto lang : {Language::en, Language::de}) {
    for (const auto& name : Pages::page_names()) {
      if (name == "layout") continue;
      SCOPED_TRACE(name);
      const auto html = pages.render(name, lang, common);
      EXPECT_EQ(html.find("<script>x"), std::string::npos);
      EXPECT_NE(html.find(std::string("<html lang=\"") + std::string(code_of(lang)) + "\">"),
                std::string::npos);
    }
  }
  EXPECT_NE(pages.render("identify", Language::de, common).find("Passwort"), std::string::npos);
  EXPECT_NE(pages.render("identify", Language::en, common).find("value=\"a&quot;b\""),
            std::string::npos);
  EXPECT_NE(pages.render("code", Language::de, common).find("Diesen Browser merken"),
            std::string::npos);
  EXPECT_NE(pages.render("account", Language::de, common).find("Authenticator-App einrichten"),
            std::string::npos);
  EXPECT_TRUE(Pages::static_file("login.js"));
  EXPECT_FALSE(Pages::static_file("../templates/login/layout.html"));
}

}  // namespace
}  // namespace twofold::login
