// The browser login end to end as pure domain code: authorize → pages → push or TOTP → code,
// single sign-on, prompt handling, CSRF, origin and binding checks. Fakes for the source, the
// code issuer and the TOTP factor; the real auth-session service for the push.
#include <gtest/gtest.h>

#include <set>

#include "login/flow.hpp"
#include "support/login_flow_fixture.hpp"
#include "support/regulation_fakes.hpp"

namespace twofold::login {
namespace {

using fakes::Browser;
using fakes::FakeTotp;
using fakes::field;
using fakes::kIssuer;

// Every ID active unless listed as disabled.
class FakeUsers final : public oidc::UserDirectory {
 public:
  std::optional<oidc::UserClaims> claims_of(const std::string& subject) override {
    oidc::UserClaims c;
    c.sub = subject;
    c.active = !disabled.count(subject);
    return c;
  }
  std::set<std::string> disabled;
};

// alice (password "Secret1", TOTP "123456" or push) and pushy (push alone, no password).
class LoginFlowTest : public fakes::LoginFlowFixture {
 protected:
  LoginFlowTest() : LoginFlowFixture(11, "openid+email", "alice") {}
  FakeTotp totp;
  FakeUsers users;
  fakes::MemoryEvents events;
  regulation::Throttle throttle{{std::chrono::minutes(15),
                                 {6, std::chrono::seconds(1), std::chrono::seconds(60)},
                                 {20, std::chrono::seconds(1), std::chrono::seconds(60)}},
                                clock,
                                events};
  regulation::SessionRate session_rate{{3}, clock, events};
  std::set<std::string> gone;  // IDs the outside source no longer has (R-P2)
  int validity_asks = 0;

  void SetUp() override {
    directory.add("alice");
    directory.add("pushy");
    user_factors["alice"] = {factors::FactorKind::totp, factors::FactorKind::push};
    user_factors["pushy"] = {factors::FactorKind::push};
    app.id = "app";
    app.name = "Shop <Demo>";
    app.redirect_uris = {"https://app.example/cb"};
    LoginPorts ports{find_app(),
                     source,
                     [](const std::string& key) { return key == "pushy"; },
                     [this](const std::string& key) { return user_factors[key]; },
                     push,
                     symbols,
                     {{factors::FactorKind::totp, &totp}},
                     {},
                     codes,
                     &users,
                     &throttle,
                     &session_rate};
    ports.still_valid = [this](const std::string& key) {
      ++validity_asks;
      return !gone.count(key);
    };
    flow = std::make_unique<LoginFlow>(FlowSettings{kIssuer}, clock, random, std::move(ports),
                                       transactions, sessions, pages);
  }

  std::string tx_of(const Result& r) { return r.location.substr(r.location.find("tx=") + 3); }
  // Starts a login and returns the first page's tx and csrf.
  std::pair<std::string, std::string> start(const std::string& extra = "") {
    auto r = authorize(extra);
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(r.location.rfind("/login?tx=", 0), 0u) << r.location;
    auto tx = tx_of(r);
    auto page = show(tx);
    EXPECT_EQ(page.status, 200);
    return {tx, field(page.body, "csrf")};
  }
  // A new sign-in of alice (prompt=login) with password and TOTP; the last answer.
  Result sign_in() {
    auto [tx, csrf] = start("&prompt=login");
    post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=Secret1");
    post("tx=" + tx + "&csrf=" + csrf + "&factor=totp");
    return post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=123456");
  }
  authsession::AuthSession pending_push(const std::string& key) {
    auto fetched = std::get<std::vector<authsession::AuthSession>>(push.fetch(key));
    EXPECT_EQ(fetched.size(), 1u);
    return fetched.front();
  }
};

TEST_F(LoginFlowTest, PushOnlyIdSignsInWithThePushAlone) {
  auto [tx, csrf] = start();
  ASSERT_FALSE(csrf.empty());
  EXPECT_TRUE(browser.jar.count("__Host-twofold_tx"));
  auto r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=Pushy&password=");
  ASSERT_EQ(r.status, 303) << r.body;
  auto page = show(tx);
  EXPECT_NE(page.body.find("data:image/png;base64,"), std::string::npos);
  EXPECT_NE(page.body.find("Shop &lt;Demo&gt;"), std::string::npos);
  EXPECT_EQ(source.calls, 0);
  auto s = pending_push("pushy");
  EXPECT_EQ(s.service_name, "Shop <Demo>");
  EXPECT_EQ(s.service_address, "app.example");
  EXPECT_NE(page.body.find(symbols.at(s.symbol).png_base64), std::string::npos);
  EXPECT_NE(flow->status(browser.make(false, "tx=" + tx)).body.find("pending"), std::string::npos);

  // Continue before the answer: still waiting.
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=push");
  EXPECT_EQ(r.status, 303);
  EXPECT_TRUE(codes.issued.empty());
  push.answer("pushy", s.id, authsession::Decision::accept, s.symbol, s.nonce, "dev");
  EXPECT_NE(flow->status(browser.make(false, "tx=" + tx)).body.find("accepted"), std::string::npos);
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=push");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.location, "https://app.example/cb?code=code1&state=st&iss=https%3A%2F%2Fid.example");
  ASSERT_EQ(codes.issued.size(), 1u);
  const auto a = codes.issued[0];
  EXPECT_EQ(a.subject, "pushy");
  EXPECT_EQ(a.nonce, "nn");
  EXPECT_EQ(a.scopes, (std::vector<std::string>{"openid", "email"}));
  EXPECT_EQ(a.acr, kAcrTwoFactor);
  EXPECT_EQ(a.amr, (std::vector<std::string>{"swk", "pin", "mfa"}));
  EXPECT_FALSE(a.sid.empty());
  EXPECT_TRUE(browser.jar.count("__Host-twofold_session"));
  // The transaction is spent: a replayed form gets nothing.
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=push");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(codes.issued.size(), 1u);

  // Single sign-on: the next authorization gets a code at once, same sid.
  r = authorize();
  ASSERT_EQ(r.status, 302);
  EXPECT_EQ(r.location.rfind("https://app.example/cb?code=code2&state=st", 0), 0u);
  EXPECT_EQ(codes.issued[1].sid, a.sid);
  // prompt=login and max_age force a new sign-in.
  EXPECT_EQ(authorize("&prompt=login").location.rfind("/login?tx=", 0), 0u);
  clock.advance(std::chrono::seconds(120));
  EXPECT_EQ(authorize("&max_age=60").location.rfind("/login?tx=", 0), 0u);
  EXPECT_EQ(authorize("&max_age=600").location.rfind("https://app.example/cb?code=", 0), 0u);
  EXPECT_EQ(authorize("&login_hint=alice").location.rfind("/login?tx=", 0), 0u);
}

TEST_F(LoginFlowTest, PasswordThenTotp) {
  auto [tx, csrf] = start();
  auto r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=nope");
  EXPECT_EQ(r.status, 303);
  EXPECT_NE(show(tx).body.find("The ID or password is wrong."), std::string::npos);
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=");
  EXPECT_NE(show(tx).body.find("Please enter your password."), std::string::npos);
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=Secret1");
  auto page = show(tx);  // push first (the policy's order), TOTP offered
  EXPECT_NE(page.body.find("data:image/png"), std::string::npos);
  EXPECT_NE(page.body.find("name=\"factor\" value=\"totp\""), std::string::npos);
  EXPECT_EQ(pending_push("alice").service_name, "Shop <Demo>");
  r = post("tx=" + tx + "&csrf=" + csrf + "&factor=totp");
  page = show(tx);
  EXPECT_NE(page.body.find("name=\"code\""), std::string::npos);
  EXPECT_NE(page.body.find("name=\"factor\" value=\"push\""), std::string::npos);
  // The push was withdrawn when the user chose another method.
  EXPECT_TRUE(std::get<std::vector<authsession::AuthSession>>(push.fetch("alice")).empty());
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=000000");
  EXPECT_NE(show(tx).body.find("The code is wrong."), std::string::npos);
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=123456");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.location.rfind("https://app.example/cb?code=code1", 0), 0u);
  EXPECT_EQ(codes.issued[0].amr, (std::vector<std::string>{"pwd", "otp", "mfa"}));
}

TEST_F(LoginFlowTest, TooManyFailuresVoidTheTransaction) {
  auto [tx, csrf] = start();
  Result r;
  for (int i = 0; i < 5; ++i)
    r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=x");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(show(tx).status, 400);
}

TEST_F(LoginFlowTest, CsrfOriginAndBindingAreChecked) {
  auto [tx, csrf] = start();
  auto r = post("tx=" + tx + "&action=identify&login=pushy");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("could not be verified"), std::string::npos);
  r = post("tx=" + tx + "&csrf=" + csrf.substr(1) + "x&action=identify&login=pushy");
  EXPECT_EQ(r.status, 400);
  browser.origin = "https://evil.example";
  EXPECT_EQ(post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=pushy").status, 403);
  browser.origin = kIssuer;
  // Another browser (no binding cookie, or its own) cannot use the transaction.
  Browser other;
  EXPECT_EQ(flow->show(other.make(false, "tx=" + tx)).status, 400);
  other.jar["__Host-twofold_tx"] = std::string(43, 'x');
  EXPECT_EQ(
      flow->submit(other.make(true, "tx=" + tx + "&csrf=" + csrf + "&action=identify&login=pushy"))
          .status,
      400);
  // The right browser still can.
  EXPECT_EQ(post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=pushy").status, 303);
}

TEST_F(LoginFlowTest, PromptNoneAndErrors) {
  auto r = authorize("&prompt=none");
  EXPECT_EQ(
      r.location,
      "https://app.example/cb?error=login_required&error_description=the%20user%20must%20sign%20in"
      "&state=st&iss=https%3A%2F%2Fid.example");
  r = browser.keep(flow->authorize(browser.make(false,
                                                "client_id=app&redirect_uri=https%3A%2F%2Fevil."
                                                "example%2Fcb&response_type=code&scope=openid")));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.location.empty());
  EXPECT_NE(r.body.find("not registered"), std::string::npos);
  auto [tx, csrf] = start();
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=cancel");
  EXPECT_EQ(r.location.rfind("https://app.example/cb?error=access_denied", 0), 0u);
}

TEST_F(LoginFlowTest, ConsentWhenTheClientAsksForIt) {
  app.skip_consent = false;
  auto [tx, csrf] = start("&ui_locales=de");
  post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=Secret1");
  post("tx=" + tx + "&csrf=" + csrf + "&factor=totp");
  auto r = post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=123456");
  EXPECT_EQ(r.location, "/login?tx=" + tx);
  auto page = show(tx);
  EXPECT_NE(page.body.find("Zugriff erlauben"), std::string::npos);
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=allow");
  EXPECT_EQ(r.location.rfind("https://app.example/cb?code=code1", 0), 0u);
  // Signed in: the next authorization only asks for consent again.
  r = authorize();
  auto tx2 = tx_of(r);
  auto csrf2 = field(show(tx2).body, "csrf");
  r = post("tx=" + tx2 + "&csrf=" + csrf2 + "&action=deny");
  EXPECT_EQ(r.location.rfind("https://app.example/cb?error=access_denied", 0), 0u);
  EXPECT_EQ(authorize("&prompt=none").location.find("error=consent_required") != std::string::npos,
            true);
}

TEST_F(LoginFlowTest, GuessingIsThrottledWithoutLockingTheTransactionForGood) {
  Result r;
  // Six free failures over two sign-ins (five void a transaction).
  for (int round = 0; round < 2; ++round) {
    auto [tx, csrf] = start();
    for (int i = 0; i < 3; ++i)
      r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=x");
  }
  EXPECT_EQ(source.calls, 6);
  auto [tx, csrf] = start();
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=x");
  EXPECT_EQ(source.calls, 7);  // the seventh failure starts the back-off
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=Secret1");
  EXPECT_EQ(source.calls, 7);  // held: the password is not even checked, nothing counted
  EXPECT_NE(show(tx).body.find("Too many failed attempts. Please wait"), std::string::npos);
  clock.advance(std::chrono::seconds(1));
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=Secret1");
  EXPECT_EQ(source.calls, 8);
  post("tx=" + tx + "&csrf=" + csrf + "&factor=totp");
  r = post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=123456");
  EXPECT_EQ(r.location.rfind("https://app.example/cb?code=", 0), 0u) << r.location;
  // A completed sign-in forgets the failures.
  EXPECT_FALSE(throttle.check({"alice", "192.0.2.1", ""}));
}

TEST_F(LoginFlowTest, TheFourthSignInWithinAMinuteIsRefused) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sign_in().status, 303) << i;
  auto r = sign_in();
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("You have signed in too often in the last minute."), std::string::npos);
  // Single sign-on with the existing session is not a new sign-in and still works.
  EXPECT_EQ(authorize().location.rfind("https://app.example/cb?code=", 0), 0u);
  clock.advance(std::chrono::seconds(61));
  EXPECT_EQ(sign_in().status, 303);
}

TEST_F(LoginFlowTest, ADisabledUserLosesEverySessionOnTheNextRequest) {
  auto [tx, csrf] = start();
  post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=alice&password=Secret1");
  post("tx=" + tx + "&csrf=" + csrf + "&factor=totp");
  post("tx=" + tx + "&csrf=" + csrf + "&action=code&code=123456");
  // A second browser of the same user.
  Browser other = browser;
  EXPECT_EQ(authorize().location.rfind("https://app.example/cb?code=", 0), 0u);
  users.disabled.insert("alice");
  auto r = authorize();
  EXPECT_EQ(r.location.rfind("/login?tx=", 0), 0u);
  EXPECT_FALSE(browser.jar.count("__Host-twofold_session"));
  // Enabled again, the other browser's session is gone too: every session ended.
  users.disabled.clear();
  std::swap(browser, other);
  EXPECT_EQ(authorize().location.rfind("/login?tx=", 0), 0u);
}

TEST_F(LoginFlowTest, TheSourceIsAskedOncePerIntervalAndAUserGoneFromItLosesEverySession) {
  const auto sso = [&] { return authorize().location.rfind("https://app.example/cb?code=", 0); };
  ASSERT_EQ(sign_in().status, 303);
  Browser first = browser;
  browser = Browser{};
  ASSERT_EQ(sign_in().status, 303);  // a second browser, a session of its own

  // Within the interval (20 minutes by default) the source is not asked, even if it would
  // say "gone": the sign-in itself asked it.
  gone.insert("alice");
  clock.advance(std::chrono::minutes(19));
  EXPECT_EQ(sso(), 0u);
  EXPECT_EQ(validity_asks, 0);
  // After it, the source is asked; "still there" (or "cannot say") keeps the session and
  // restarts the interval.
  gone.clear();
  clock.advance(std::chrono::minutes(1));
  EXPECT_EQ(sso(), 0u);
  EXPECT_EQ(validity_asks, 1);
  EXPECT_EQ(sso(), 0u);
  clock.advance(std::chrono::minutes(19));
  EXPECT_EQ(sso(), 0u);
  EXPECT_EQ(validity_asks, 1);
  // Gone: this browser is asked to sign in again, and the other browser's session is ended
  // too (as for a locked user), although its own interval has not run out.
  clock.advance(std::chrono::minutes(1));
  gone.insert("alice");
  auto r = authorize();
  EXPECT_EQ(r.location.rfind("/login?tx=", 0), 0u) << r.location;
  EXPECT_EQ(validity_asks, 2);
  EXPECT_FALSE(browser.jar.count("__Host-twofold_session"));
  browser = first;
  EXPECT_EQ(authorize().location.rfind("/login?tx=", 0), 0u);
  EXPECT_EQ(validity_asks, 2);  // no session left to check
}

}  // namespace
}  // namespace twofold::login
