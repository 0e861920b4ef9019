// The new-password page of the login as pure domain code: an expired database password is
// replaced at the login (R-C1) and a reset link sets a new one (R-C5), with the neutral
// answer of "Forgot your password?".
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/encoding.hpp"
#include "login/flow.hpp"
#include "support/login_flow_fixture.hpp"
#include "support/regulation_fakes.hpp"

namespace twofold::login {
namespace {

using sources::database::PasswordRejected;
using sources::database::Rejection;

using fakes::field;
using fakes::kIssuer;

// alice: database password, expired; lara: an LDAP user whose directory says expired.
class ExpiringSource final : public sources::CredentialSource {
 public:
  std::string_view name() const override { return "fake"; }
  sources::Outcome<sources::Authenticated> authenticate(const sources::Credentials& c) override {
    if (c.login == "alice" && c.password == current) {
      sources::Authenticated a{"alice", "database", "alice"};
      a.password_change_required = expired;
      return a;
    }
    if (c.login == "lara" && c.password == "LdapPass1") {
      sources::Authenticated a{"lara", "ldap", "lara"};
      a.password_change_required = true;
      return a;
    }
    return sources::make_error(sources::Failure::wrong_password, "");
  }
  std::string current = "OldPass1";
  bool expired = true;
};

using fakes::FakeTotp;

class MemoryTokens final : public recovery::TokenStore {
 public:
  void replace(const recovery::ResetToken& t) override {
    std::erase_if(rows, [&](const auto& r) { return r.second.identity_key == t.identity_key; });
    rows[t.token_hash] = t;
  }
  std::optional<recovery::ResetToken> find(const std::string& h) override {
    auto it = rows.find(h);
    return it == rows.end() ? std::nullopt : std::optional(it->second);
  }
  bool consume(const std::string& h) override { return rows.erase(h) > 0; }
  void restore(const recovery::ResetToken& t) override { rows.emplace(t.token_hash, t); }
  void purge(core::TimePoint now) override {
    std::erase_if(rows, [&](const auto& r) { return r.second.expires <= now; });
  }
  std::map<std::string, recovery::ResetToken> rows;
};

std::string notice(const std::string& html) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("class=\"notice\"[^>]*>([^<]*)<"))) return "";
  return m[1];
}

class LoginPasswordTest : public fakes::LoginFlowFixture {
 protected:
  LoginPasswordTest() : LoginFlowFixture(3, "openid") {}
  ExpiringSource expiring;
  FakeTotp totp;
  fakes::MemoryEvents events;
  MemoryTokens tokens;
  std::vector<recovery::ResetMail> mails;
  std::vector<std::string> history{"OldPass1"};
  std::vector<std::string> ended;
  std::unique_ptr<recovery::PasswordReset> reset;
  int later = 0;  // jobs handed to run_later

  std::optional<PasswordRejected> set_password(const std::string& key, std::string_view pw) {
    EXPECT_EQ(key, "alice");
    if (pw.size() < 7 || pw.find_first_of("0123456789") == std::string_view::npos)
      return PasswordRejected{Rejection::policy, "policy"};
    if (std::find(history.begin(), history.end(), pw) != history.end())
      return PasswordRejected{Rejection::reused, "reused"};
    history.emplace_back(pw);
    expiring.current = std::string(pw);
    expiring.expired = false;
    return std::nullopt;
  }

  void SetUp() override {
    directory.add("alice");
    app.id = "app";
    app.name = "Shop";
    app.redirect_uris = {"https://app.example/cb"};
    reset = std::make_unique<recovery::PasswordReset>(
        recovery::ResetSettings{kIssuer}, clock, random, tokens, events,
        recovery::ResetPorts{
            [](std::string_view typed) -> std::optional<recovery::Account> {
              if (typed != "alice") return std::nullopt;
              return recovery::Account{"alice", "Alice", "alice@example.com"};
            },
            [](const std::string&) { return std::string(); },
            [this](const recovery::ResetMail& m) { mails.push_back(m); },
            [this](const std::string& key, std::string_view pw) { return set_password(key, pw); },
            [this](const std::string& key) {
              ended.push_back(key);
              sessions.end_all(key);
            }});
    LoginPorts ports{find_app(),
                     expiring,
                     [](const std::string&) { return false; },
                     [](const std::string&) {
                       return std::vector<factors::FactorKind>{factors::FactorKind::totp};
                     },
                     push,
                     symbols,
                     {{factors::FactorKind::totp, &totp}},
                     {},
                     codes};
    ports.set_password = [this](const std::string& key, std::string_view pw) {
      return set_password(key, pw);
    };
    ports.reset = reset.get();
    ports.run_later = [this](std::function<void()> job) {
      ++later;
      job();
    };
    flow = std::make_unique<LoginFlow>(FlowSettings{kIssuer}, clock, random, std::move(ports),
                                       transactions, sessions, pages);
  }

  std::string tx_of(const Result& r) { return r.location.substr(r.location.find("tx=") + 3); }
  std::pair<std::string, std::string> start() {
    auto r = browser.keep(flow->authorize(
        browser.make(false,
                     "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code"
                     "&scope=openid&state=st&nonce=nn")));
    EXPECT_EQ(r.status, 302);
    auto tx = tx_of(r);
    return {tx, field(show(tx).body, "csrf")};
  }
};

TEST_F(LoginPasswordTest, ExpiredPasswordIsReplacedAndTheLoginContinues) {
  auto [tx, csrf] = start();
  const auto base = "tx=" + tx + "&csrf=" + csrf;
  // The new-password form is not reachable without the old password.
  auto r = post(base + "&action=set_password&new_password=Fresh123&repeat_password=Fresh123");
  EXPECT_EQ(show(tx).body.find("new_password"), std::string::npos);
  r = post(base + "&action=identify&login=alice&password=OldPass1");
  ASSERT_EQ(r.status, 303);
  auto page = show(tx);
  ASSERT_NE(page.body.find("name=\"new_password\""), std::string::npos) << page.body;
  EXPECT_NE(page.body.find(pages.text(Language::en, "password_rules")), std::string::npos);
  // Different repeat, policy, reuse: refused with the reason.
  post(base + "&action=set_password&new_password=Fresh123&repeat_password=Fresh124");
  EXPECT_EQ(notice(show(tx).body), pages.text(Language::en, "password_mismatch"));
  post(base + "&action=set_password&new_password=weak&repeat_password=weak");
  EXPECT_EQ(notice(show(tx).body), pages.text(Language::en, "password_policy_refused"));
  post(base + "&action=set_password&new_password=OldPass1&repeat_password=OldPass1");
  EXPECT_EQ(notice(show(tx).body), pages.text(Language::en, "password_reused"));
  EXPECT_EQ(history.size(), 1u);
  // A good one: set, and on to the second factor as after a password.
  r = post(base + "&action=set_password&new_password=Fresh123&repeat_password=Fresh123");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(history.back(), "Fresh123");
  page = show(tx);
  EXPECT_NE(page.body.find("name=\"code\""), std::string::npos) << page.body;
  r = post(base + "&action=code&code=123456");
  ASSERT_EQ(r.status, 303);
  ASSERT_EQ(codes.issued.size(), 1u);
  EXPECT_EQ(codes.issued[0].amr, (std::vector<std::string>{"pwd", "otp", "mfa"}));
}

TEST_F(LoginPasswordTest, TriesAreCapped) {
  auto [tx, csrf] = start();
  const auto base = "tx=" + tx + "&csrf=" + csrf;
  post(base + "&action=identify&login=alice&password=OldPass1");
  Result r;
  for (int i = 0; i < 4; ++i) {
    r = post(base + "&action=set_password&new_password=weak&repeat_password=weak");
    ASSERT_EQ(r.status, 303);
  }
  r = post(base + "&action=set_password&new_password=weak&repeat_password=weak");
  EXPECT_EQ(r.status, 429);
}

TEST_F(LoginPasswordTest, LdapExpiryIsNotOurs) {
  directory.add("lara");
  auto [tx, csrf] = start();
  post("tx=" + tx + "&csrf=" + csrf + "&action=identify&login=lara&password=LdapPass1");
  auto page = show(tx);
  EXPECT_EQ(page.body.find("new_password"), std::string::npos);
  EXPECT_EQ(notice(page.body), pages.text(Language::en, "password_expired"));
}

TEST_F(LoginPasswordTest, ForgotGivesTheSameAnswerForAnyIdAndTheLinkWorksOnce) {
  auto [tx, csrf] = start();
  const auto base = "tx=" + tx + "&csrf=" + csrf;
  EXPECT_NE(show(tx).body.find("value=\"forgot\""), std::string::npos);
  post(base + "&action=forgot");
  EXPECT_NE(show(tx).body.find("value=\"send_reset\""), std::string::npos);
  post(base + "&action=send_reset&login=nobody");
  const auto unknown = show(tx).body;
  post(base + "&action=send_reset&login=alice");
  const auto known = show(tx).body;
  EXPECT_EQ(notice(unknown), pages.text(Language::en, "reset_sent"));
  EXPECT_EQ(notice(known), notice(unknown));
  EXPECT_EQ(later, 2);
  ASSERT_EQ(mails.size(), 1u);

  // The link: a fresh browser opens it, sets a password, and is sent to sign in again.
  const auto link = mails[0].link;
  const auto query = link.substr(link.find('?') + 1);
  browser = fakes::Browser{};
  auto r = browser.keep(flow->open_reset_link(browser.make(false, query)));
  ASSERT_EQ(r.status, 303) << r.body;
  auto rtx = tx_of(r);
  auto page = show(rtx);
  ASSERT_NE(page.body.find("name=\"new_password\""), std::string::npos);
  EXPECT_NE(page.body.find(pages.text(Language::en, "new_password_reset")), std::string::npos);
  const auto rbase = "tx=" + rtx + "&csrf=" + field(page.body, "csrf");
  post(rbase + "&action=set_password&new_password=OldPass1&repeat_password=OldPass1");
  EXPECT_EQ(notice(show(rtx).body), pages.text(Language::en, "password_reused"));
  r = post(rbase + "&action=set_password&new_password=Reset123&repeat_password=Reset123");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(pages.text(Language::en, "reset_done_text")), std::string::npos);
  EXPECT_EQ(expiring.current, "Reset123");
  EXPECT_EQ(ended, (std::vector<std::string>{"alice"}));
  // Used: the same link is refused.
  r = flow->open_reset_link(browser.make(false, query));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(pages.text(Language::en, "reset_invalid")), std::string::npos);
  EXPECT_EQ(flow->open_reset_link(browser.make(false, "token=nonsense")).status, 400);
  EXPECT_EQ(flow->open_reset_link(browser.make(false, "")).status, 400);
}

TEST_F(LoginPasswordTest, AnExpiredLinkIsRefused) {
  auto [tx, csrf] = start();
  const auto base = "tx=" + tx + "&csrf=" + csrf;
  post(base + "&action=forgot");
  post(base + "&action=send_reset&login=alice");
  ASSERT_EQ(mails.size(), 1u);
  const auto query = mails[0].link.substr(mails[0].link.find('?') + 1);
  auto r = browser.keep(flow->open_reset_link(browser.make(false, query)));
  ASSERT_EQ(r.status, 303);
  auto rtx = tx_of(r);
  const auto rbase = "tx=" + rtx + "&csrf=" + field(show(rtx).body, "csrf");
  clock.advance(std::chrono::hours(24));
  r = post(rbase + "&action=set_password&new_password=Reset123&repeat_password=Reset123");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(expiring.current, "OldPass1");
  EXPECT_EQ(flow->open_reset_link(browser.make(false, query)).status, 400);
}

}  // namespace
}  // namespace twofold::login
