// The code factors in the login flow as pure domain code: the email code (sent, too soon,
// undeliverable), "remember this browser", the policy's password-only IDs, replayed TOTP
// codes, and the account page (/account) with a real TotpFactor: sign-in and back, QR
// enrolment, confirmation, removal, CSRF and origin checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "factors/email_code/remember_browser.hpp"
#include "login/account.hpp"
#include "login/flow.hpp"
#include "support/factor_fakes.hpp"
#include "support/login_flow_fixture.hpp"

namespace twofold::login {
namespace {

using factors::FactorKind;
using namespace std::chrono_literals;
using fakes::field;
using fakes::kIssuer;

// The email code's verify: "424242" is right, once.
class FakeEmailCode final : public factors::Factor {
 public:
  FactorKind kind() const override { return FactorKind::email_code; }
  factors::VerifyResult verify(const std::string&, std::string_view code) override {
    if (code != "424242") return factors::make_result(factors::VerifyStatus::wrong, "");
    if (used++) return factors::make_result(factors::VerifyStatus::replay, "");
    return factors::make_result(factors::VerifyStatus::ok, "");
  }
  int used = 0;
};

std::string cookie_named(const Result& r, std::string_view name) {
  for (const auto& c : r.set_cookies)
    if (c.rfind(std::string(name) + "=", 0) == 0) return c;
  return "";
}

// mia (email code), nina (push, email code), otto (no factor) and skip (password alone);
// every password is "Secret1".
class LoginFactorsTest : public fakes::LoginFlowFixture {
 protected:
  LoginFactorsTest() : LoginFlowFixture(7, "openid") {
    browser.remote_ip.clear();
    browser.drops_cleared = false;
  }
  FakeEmailCode email;
  crypto::SecretBox box{std::string(32, 'k')};
  fakes::MemoryTotpStore totp_store;
  factors::totp::TotpFactor totp{{}, clock, random, box, totp_store};
  factors::email_code::RememberBrowser remember{std::string(32, 'r'), std::chrono::days(30), clock};
  std::set<std::string> password_only;  // the policy's skip list
  EmailSend send_result = EmailSend::sent;
  int sends = 0;
  std::unique_ptr<AccountPage> account;

  void SetUp() override {
    for (const char* name : {"mia", "nina", "otto", "skip"}) directory.add(name);
    user_factors["mia"] = {FactorKind::email_code};
    user_factors["nina"] = {FactorKind::push, FactorKind::email_code};
    password_only = {"skip"};
    app.id = "app";
    app.name = "Shop";
    app.redirect_uris = {"https://app.example/cb"};
    LoginPorts ports{find_app(),
                     source,
                     [](const std::string&) { return false; },
                     [this](const std::string& key) {
                       auto out = user_factors[key];
                       if (totp.is_enrolled(key)) out.push_back(FactorKind::totp);
                       return out;
                     },
                     push,
                     symbols,
                     {{FactorKind::email_code, &email}, {FactorKind::totp, &totp}},
                     [this](const std::string&, Language) {
                       ++sends;
                       return send_result;
                     },
                     codes,
                     nullptr};
    ports.remember = RememberPort{[this](const std::string& key) { return remember.issue(key); },
                                  [this](std::string_view value, const std::string& key) {
                                    return remember.verify(value, key);
                                  },
                                  remember.max_age()};
    ports.password_suffices = [this](const std::string& key) {
      return password_only.count(key) > 0;
    };
    flow = std::make_unique<LoginFlow>(FlowSettings{kIssuer}, clock, random, std::move(ports),
                                       transactions, sessions, pages);
    account = std::make_unique<AccountPage>(
        kIssuer, AccountPorts{[](const std::string& key) { return key; }, source, &totp, nullptr},
        sessions, *flow, pages);
  }

  // authorize (or `start`), then ID and password; returns {tx, csrf, result}.
  std::tuple<std::string, std::string, Result> sign_in(const std::string& login,
                                                       const std::string& extra = "") {
    auto r = authorize(extra);
    const auto tx = r.location.substr(r.location.find("tx=") + 3);
    const auto csrf = field(show(tx).body, "csrf");
    r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=" + login +
             "&password=Secret1");
    return {tx, csrf, r};
  }
  Result account_get() { return browser.keep(account->show(browser.make(false, ""))); }
  Result account_post(const std::string& form) {
    return browser.keep(account->submit(browser.make(true, form)));
  }
  std::string app_code(const std::string& base32, int offset = 0) {
    const auto secret = *factors::totp::base32_decode(base32);
    const auto t = std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch());
    return factors::totp::code_at(secret, t.count() + offset * 30);
  }
};

TEST_F(LoginFactorsTest, EmailCodeWithRememberThisBrowser) {
  auto [tx, csrf, r] = sign_in("mia");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(sends, 1);
  auto page = show(tx).body;
  EXPECT_NE(page.find("Check your email"), std::string::npos);
  EXPECT_NE(page.find("A code is on its way"), std::string::npos);
  EXPECT_NE(page.find("name=\"remember\""), std::string::npos);
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=424242&remember=1");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.location.rfind("https://app.example/cb?code=code1", 0), 0u);
  EXPECT_EQ(codes.issued[0].amr, (std::vector<std::string>{"pwd", "otp", "mfa"}));
  const auto cookie = cookie_named(r, kRememberCookie);
  EXPECT_NE(cookie.find("; Path=/; Max-Age=2592000; Secure; HttpOnly; SameSite=Lax"),
            std::string::npos)
      << cookie;
  ASSERT_TRUE(browser.jar.count(std::string(kRememberCookie)));

  // Next sign-in of mia in this browser: the password alone, and no mail.
  std::tie(tx, csrf, r) = sign_in("mia", "&prompt=login");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.location.rfind("https://app.example/cb?code=code2", 0), 0u) << r.location;
  EXPECT_EQ(codes.issued[1].amr, (std::vector<std::string>{"pwd"}));
  EXPECT_EQ(codes.issued[1].acr, kAcrOneFactor);
  EXPECT_EQ(sends, 1);
  // nina (push and email) in the same browser: the cookie is mia's, so nina is asked.
  std::tie(tx, csrf, r) = sign_in("nina", "&prompt=login");
  EXPECT_EQ(r.location, "/login?tx=" + tx);
  EXPECT_EQ(codes.issued.size(), 2u);
  // A forged or expired cookie counts for nothing.
  browser.jar[std::string(kRememberCookie)] += "x";
  std::tie(tx, csrf, r) = sign_in("mia", "&prompt=login");
  EXPECT_EQ(r.location, "/login?tx=" + tx);
  EXPECT_EQ(sends, 2);
}

TEST_F(LoginFactorsTest, NoRememberCookieWithoutTheCheckbox) {
  auto [tx, csrf, r] = sign_in("mia");
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=424242");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(cookie_named(r, kRememberCookie), "");
}

TEST_F(LoginFactorsTest, TooSoonAndUndeliverableAreNotices) {
  auto [tx, csrf, r] = sign_in("mia");
  send_result = EmailSend::too_soon;
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=resend");
  EXPECT_EQ(r.status, 303);
  EXPECT_NE(show(tx).body.find("A code was sent a moment ago."), std::string::npos);
  send_result = EmailSend::failed;
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=resend");
  EXPECT_EQ(r.status, 303);
  auto page = show(tx);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("The email could not be sent."), std::string::npos);
  EXPECT_EQ(sends, 3);
  // Wrong, then a replayed code.
  post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=111111");
  EXPECT_NE(show(tx).body.find("The code is wrong."), std::string::npos);
  email.used = 1;
  post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=424242");
  EXPECT_NE(show(tx).body.find("This code was already used."), std::string::npos);
  EXPECT_TRUE(codes.issued.empty());
}

TEST_F(LoginFactorsTest, ThePolicyDecidesWhetherThePasswordSuffices) {
  auto [tx, csrf, r] = sign_in("skip");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.location.rfind("https://app.example/cb?code=code1", 0), 0u);
  EXPECT_EQ(codes.issued[0].amr, (std::vector<std::string>{"pwd"}));
  EXPECT_EQ(codes.issued[0].acr, kAcrOneFactor);
  // otto has no factor and the policy wants one.
  std::tie(tx, csrf, r) = sign_in("otto", "&prompt=login");
  EXPECT_NE(show(tx).body.find("No second factor is set up"), std::string::npos);
  EXPECT_EQ(codes.issued.size(), 1u);
}

TEST_F(LoginFactorsTest, AccountPageSetsUpAndRemovesTotp) {
  // No session: through the login (password alone for an ID without factors) and back.
  auto r = account_get();
  ASSERT_EQ(r.status, 303);
  const auto tx = r.location.substr(r.location.find("tx=") + 3);
  auto page = show(tx).body;
  EXPECT_NE(page.find("your twofold account"), std::string::npos);
  r = post("tx=" + tx + "&csrf=" + field(page, "csrf") +
           "&action=identify&login=otto&password=Secret1");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.location, "/account");
  EXPECT_TRUE(codes.issued.empty());
  // That setup session is no single sign-on for applications.
  EXPECT_EQ(authorize().location.rfind("/login?tx=", 0), 0u);

  r = account_get();
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("No authenticator app is set up."), std::string::npos);
  const auto csrf = field(r.body, "csrf");
  ASSERT_EQ(csrf.size(), 64u);
  EXPECT_EQ(account_post("action=begin").status, 400) << "no CSRF token";
  browser.origin = "https://evil.example";
  EXPECT_EQ(account_post("csrf=" + csrf + "&action=begin").status, 403);
  browser.origin = kIssuer;
  r = account_post("csrf=" + csrf + "&action=begin");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("src=\"data:image/png;base64,iVBOR"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.body, m, std::regex("id=\"totp-secret\">([A-Z2-7 ]+)<")));
  const std::string shown = m[1];
  std::string secret = shown;
  secret.erase(std::remove(secret.begin(), secret.end(), ' '), secret.end());
  ASSERT_EQ(secret.size(), 32u);
  // A reload shows the same key; a wrong code keeps it.
  EXPECT_NE(account_get().body.find(shown), std::string::npos);
  const auto good = app_code(secret);
  r = account_post("csrf=" + csrf +
                   "&action=confirm&code=" + (good == "000000" ? "111111" : "000000"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(shown), std::string::npos);
  r = account_post("csrf=" + csrf + "&action=confirm&code=" + good);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("An authenticator app is set up."), std::string::npos);
  EXPECT_TRUE(totp.is_enrolled("otto"));
  EXPECT_EQ(account_post("csrf=" + csrf + "&action=begin").status, 409);

  // Sign in to the app with it: the confirming step is used, the next one works.
  auto [ltx, lcsrf, lr] = sign_in("otto");
  EXPECT_NE(show(ltx).body.find("Enter your code"), std::string::npos);
  lr = post("tx=" + ltx + "&csrf=" + lcsrf + "&action=code&code=" + good);
  EXPECT_NE(show(ltx).body.find("This code was already used."), std::string::npos);
  lr = post("tx=" + ltx + "&csrf=" + lcsrf + "&action=code&code=" + app_code(secret, 1));
  ASSERT_EQ(lr.status, 303);
  EXPECT_EQ(codes.issued.at(0).amr, (std::vector<std::string>{"pwd", "otp", "mfa"}));

  // Removal needs a current code or the password (the session is the new one now).
  r = account_get();
  const auto csrf2 = field(r.body, "csrf");
  EXPECT_NE(csrf2, csrf) << "bound to the session";
  EXPECT_EQ(account_post("csrf=" + csrf + "&action=remove&proof=Secret1").status, 400);
  EXPECT_EQ(account_post("csrf=" + csrf2 + "&action=remove&proof=Wrong1").status, 403);
  EXPECT_EQ(account_post("csrf=" + csrf2 + "&action=remove&proof=123").status, 403);
  EXPECT_TRUE(totp.is_enrolled("otto"));
  r = account_post("csrf=" + csrf2 + "&action=remove&proof=Secret1");
  EXPECT_NE(r.body.find("The authenticator app was removed."), std::string::npos);
  EXPECT_FALSE(totp.is_enrolled("otto"));
}

TEST_F(LoginFactorsTest, WrongProofsOnTheAccountPageEndTheSession) {
  auto r = account_get();
  const auto tx = r.location.substr(r.location.find("tx=") + 3);
  post("tx=" + tx + "&csrf=" + field(show(tx).body, "csrf") +
       "&action=identify&login=otto&password=Secret1");
  const auto csrf = field(account_get().body, "csrf");
  account_post("csrf=" + csrf + "&action=begin");
  for (int i = 1; i < AccountPage::kMaxFailures; ++i)
    EXPECT_EQ(account_post("csrf=" + csrf + "&action=confirm&code=abcdef").status, 400);
  r = account_post("csrf=" + csrf + "&action=confirm&code=abcdef");
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("You were signed out"), std::string::npos);
  EXPECT_EQ(account_get().status, 303) << "signed out: to the login";
  EXPECT_TRUE(session_store.rows.empty());
}

TEST_F(LoginFactorsTest, AccountPageInGermanAndCancel) {
  auto r = browser.keep(account->show([&] {
    auto q = browser.make(false, "");
    q.accept_language = "de-DE,de;q=0.9";
    return q;
  }()));
  const auto tx = r.location.substr(r.location.find("tx=") + 3);
  auto page = show(tx).body;
  EXPECT_NE(page.find("Ihr twofold-Konto"), std::string::npos);
  r = post("tx=" + tx + "&csrf=" + field(page, "csrf") + "&action=cancel");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Die Anmeldung wurde abgebrochen."), std::string::npos);
  // A POST without a session goes back to the page (which signs in).
  EXPECT_EQ(account_post("csrf=x&action=begin").location, "/account");
}

}  // namespace
}  // namespace twofold::login
