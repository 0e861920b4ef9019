#include "factors/email_code/email_code.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/encoding.hpp"
#include "factors/email_code/policy.hpp"
#include "factors/email_code/remember_browser.hpp"
#include "storage/database.hpp"
#include "storage/factor_store.hpp"
#include "support/sqlite_fixture.hpp"

using namespace twofold;
using namespace twofold::factors;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace ec = twofold::factors::email_code;

namespace {

const fs::path kTemplates = fs::path(TWOFOLD_SOURCE_DIR) / "web" / "templates" / "mail";

class MemoryStore final : public ec::CodeStore {
 public:
  std::map<std::string, ec::CodeRecord> rows;
  void put(const ec::CodeRecord& r) override { rows[r.identity_key] = r; }
  std::optional<ec::CodeRecord> find(const std::string& k) override {
    auto it = rows.find(k);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  int add_failed_attempt(const std::string& k, const std::string& h) override {
    auto it = rows.find(k);
    if (it == rows.end() || it->second.code_hash != h) return 0;
    return ++it->second.attempts;
  }
  bool consume(const std::string& k, const std::string& h) override {
    auto it = rows.find(k);
    if (it == rows.end() || it->second.code_hash != h) return false;
    rows.erase(it);
    return true;
  }
  void remove(const std::string& k) override { rows.erase(k); }
};

class FakeMailer final : public mail::Mailer {
 public:
  std::vector<mail::Message> sent;
  bool fail = false;
  void send(const mail::Message& m) override {
    if (fail) throw mail::MailError("connection refused");
    sent.push_back(m);
  }
};

// The code in a rendered mail: the line that is 4 spaces and digits.
std::string code_in(const std::string& text) {
  const auto pos = text.find("\n    ");
  if (pos == std::string::npos) return "";
  return text.substr(pos + 5, text.find('\n', pos + 5) - pos - 5);
}

class EmailCodeTest : public ::testing::Test {
 protected:
  core::ManualClock clock;
  core::SeededRandom random{1};
  MemoryStore store;
  FakeMailer mailer;
  mail::Templates templates{kTemplates};
  ec::Options options;
  ec::EmailCodeFactor factor{
      options, clock, random, store, mailer, templates, {"noreply@example.com", "twofold"}};

  std::string other_than(const std::string& code) { return code == "000000" ? "111111" : "000000"; }
};

TEST_F(EmailCodeTest, IssuedCodeIsStoredOnlyAsHashAndWorksOnce) {
  EXPECT_EQ(factor.kind(), FactorKind::email_code);
  const auto code = factor.issue("alice");
  ASSERT_EQ(code.size(), 6u);
  EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos);
  const auto& row = store.rows.at("alice");
  EXPECT_EQ(row.code_hash, core::sha256_hex(code));
  EXPECT_EQ(row.expires - row.created, 15min);
  EXPECT_EQ(row.attempts, 0);

  EXPECT_EQ(factor.verify("bob", code).status, VerifyStatus::expired) << "bound to the identity";
  auto ok = factor.verify("alice", code.substr(0, 3) + " " + code.substr(3));
  EXPECT_TRUE(ok.ok()) << ok.message;
  EXPECT_EQ(factor.verify("alice", code).status, VerifyStatus::expired) << "single use";
}

TEST_F(EmailCodeTest, ExpiresAfterFifteenMinutes) {
  auto code = factor.issue("alice");
  clock.advance(15min - 1ms);
  EXPECT_TRUE(factor.verify("alice", code).ok());
  code = factor.issue("alice");
  clock.advance(15min);
  EXPECT_EQ(factor.verify("alice", code).status, VerifyStatus::expired);
  EXPECT_FALSE(store.find("alice")) << "an expired code is dropped";
}

TEST_F(EmailCodeTest, FiveWrongTriesVoidTheCode) {
  const auto code = factor.issue("alice");
  for (int i = 1; i <= 4; ++i) {
    auto r = factor.verify("alice", other_than(code));
    EXPECT_EQ(r.status, VerifyStatus::wrong);
    EXPECT_EQ(r.attempts_left, 5 - i);
  }
  auto fifth = factor.verify("alice", "abc");  // malformed input counts as well
  EXPECT_EQ(fifth.status, VerifyStatus::locked_out);
  EXPECT_EQ(fifth.attempts_left, 0);
  EXPECT_EQ(factor.verify("alice", code).status, VerifyStatus::locked_out)
      << "even the right code is refused now";
  const auto fresh = factor.issue("alice");
  EXPECT_TRUE(factor.verify("alice", fresh).ok()) << "a new code starts over";
}

TEST_F(EmailCodeTest, ANewCodeReplacesTheOld) {
  const auto first = factor.issue("alice");
  EXPECT_EQ(factor.verify("alice", other_than(first)).status, VerifyStatus::wrong);
  std::string second = factor.issue("alice");
  while (second == first) second = factor.issue("alice");
  EXPECT_EQ(store.rows.at("alice").attempts, 0) << "attempts start over";
  EXPECT_EQ(factor.verify("alice", first).status, VerifyStatus::wrong);
  EXPECT_TRUE(factor.verify("alice", second).ok());
}

TEST_F(EmailCodeTest, CodeLengthIsConfigurable) {
  ec::Options eight;
  eight.length = 8;
  ec::EmailCodeFactor f{
      eight, clock, random, store, mailer, templates, {"noreply@example.com", ""}};
  const auto code = f.issue("alice");
  EXPECT_EQ(code.size(), 8u);
  EXPECT_EQ(f.verify("alice", code.substr(0, 6)).status, VerifyStatus::wrong);
  EXPECT_TRUE(f.verify("alice", code).ok());
}

TEST_F(EmailCodeTest, ChallengeMailsTheCodeInTheUsersLanguage) {
  auto r = factor.challenge("alice", {"alice@example.com", "Alice Müller", "de-DE"});
  EXPECT_EQ(r.status, ec::ChallengeStatus::sent);
  ASSERT_EQ(mailer.sent.size(), 1u);
  const auto& m = mailer.sent[0];
  EXPECT_EQ(m.from.email, "noreply@example.com");
  ASSERT_EQ(m.to.size(), 1u);
  EXPECT_EQ(m.to[0].email, "alice@example.com");
  EXPECT_EQ(m.subject, "Ihr Anmeldecode für twofold");
  EXPECT_NE(m.text.find("Hallo Alice Müller,"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("15 Minuten gültig"), std::string::npos) << m.text;
  const auto code = code_in(m.text);
  EXPECT_EQ(code.size(), 6u) << m.text;
  EXPECT_EQ(m.text.find("{{"), std::string::npos);

  // Asking again at once sends nothing; after the interval a new code replaces the old.
  auto again = factor.challenge("alice", {"alice@example.com", "", "en"});
  EXPECT_EQ(again.status, ec::ChallengeStatus::too_soon);
  EXPECT_EQ(again.retry_after, 30s);
  EXPECT_EQ(mailer.sent.size(), 1u);
  clock.advance(30s);
  EXPECT_EQ(factor.challenge("alice", {"alice@example.com", "", "fr"}).status,
            ec::ChallengeStatus::sent);
  ASSERT_EQ(mailer.sent.size(), 2u);
  EXPECT_EQ(mailer.sent[1].subject, "Your twofold sign-in code") << "unknown language: English";
  EXPECT_NE(mailer.sent[1].text.find("Hello alice@example.com,"), std::string::npos);
  const auto second = code_in(mailer.sent[1].text);
  if (second != code) {
    EXPECT_FALSE(factor.verify("alice", code).ok());
  }
  EXPECT_TRUE(factor.verify("alice", second).ok());
}

TEST_F(EmailCodeTest, FailedDeliveryWithdrawsTheCode) {
  mailer.fail = true;
  EXPECT_THROW(factor.challenge("alice", {"alice@example.com", "", "en"}), mail::MailError);
  EXPECT_FALSE(store.find("alice"));
  mailer.fail = false;
  EXPECT_EQ(factor.challenge("alice", {"alice@example.com", "", "en"}).status,
            ec::ChallengeStatus::sent)
      << "no resend wait after a failure";
}

TEST(EmailCodePolicy, ScopeAndCaseInsensitiveSkipList) {
  EXPECT_EQ(ec::parse_scope("admins"), ec::Scope::admins);
  EXPECT_EQ(ec::parse_scope("all"), ec::Scope::all);
  EXPECT_FALSE(ec::parse_scope("everyone"));
  EXPECT_EQ(ec::to_string(ec::Scope::admins), "admins");
  EXPECT_EQ(ec::parse_user_list(" alice, Bob ,,carol "),
            (std::vector<std::string>{"alice", "Bob", "carol"}));
  EXPECT_TRUE(ec::parse_user_list("").empty());

  const ec::Policy all(ec::Scope::all, ec::parse_user_list("Service.Account, bob"));
  EXPECT_TRUE(all.required_for("alice", false));
  EXPECT_TRUE(all.required_for("alice", true));
  EXPECT_FALSE(all.required_for("BOB", false));
  EXPECT_FALSE(all.required_for("service.account", true));
  EXPECT_TRUE(all.required_for("bobby", false)) << "whole names only";

  const ec::Policy admins(ec::Scope::admins, {"root"});
  EXPECT_FALSE(admins.required_for("alice", false));
  EXPECT_TRUE(admins.required_for("alice", true));
  EXPECT_FALSE(admins.required_for("Root", true));
  EXPECT_EQ(admins.scope(), ec::Scope::admins);

  const ec::Policy defaults;
  EXPECT_TRUE(defaults.required_for("anyone", false));
}

class RememberBrowserTest : public ::testing::Test {
 protected:
  core::ManualClock clock;
  const std::string key = std::string(32, 'r');
  ec::RememberBrowser remember{key, std::chrono::days{30}, clock};
};

TEST_F(RememberBrowserTest, ValidForItsUserUntilExpiry) {
  const auto value = remember.issue("alice");
  EXPECT_EQ(value.rfind("v1.", 0), 0u);
  EXPECT_EQ(value.find_first_of(" ;,\"\\"), std::string::npos) << "a plain cookie value";
  EXPECT_TRUE(remember.verify(value, "alice"));
  EXPECT_FALSE(remember.verify(value, "bob")) << "bound to the user";
  EXPECT_FALSE(remember.verify(value, "Alice"));
  EXPECT_EQ(remember.max_age(), std::chrono::hours{24 * 30});
  clock.advance(std::chrono::days{30} - 1s);
  EXPECT_TRUE(remember.verify(value, "alice"));
  clock.advance(1s);
  EXPECT_FALSE(remember.verify(value, "alice")) << "expired";
}

TEST_F(RememberBrowserTest, TamperedOrForeignValuesFail) {
  const auto value = remember.issue("alice");
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto bad = value;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(remember.verify(bad, "alice")) << "changed character " << i;
  }
  // Stretching the expiry or swapping the user breaks the MAC.
  const auto parts_end = value.rfind('.');
  const auto exp_start = value.rfind('.', parts_end - 1) + 1;
  auto stretched = value;
  stretched.replace(exp_start, parts_end - exp_start, "99999999999");
  EXPECT_FALSE(remember.verify(stretched, "alice"));
  const auto bob = remember.issue("bob");
  const auto forged = "v1." + core::base64url_encode("alice") + bob.substr(bob.find('.', 3));
  EXPECT_FALSE(remember.verify(forged, "alice"));

  ec::RememberBrowser other_key{std::string(32, 'o'), std::chrono::days{30}, clock};
  EXPECT_FALSE(other_key.verify(value, "alice")) << "a value from another key";
  EXPECT_FALSE(remember.verify("", "alice"));
  EXPECT_FALSE(remember.verify("v1.", "alice"));
  EXPECT_FALSE(remember.verify("v1...", "alice"));
  EXPECT_FALSE(remember.verify(value.substr(0, value.size() - 2), "alice"));
  EXPECT_FALSE(remember.verify(value + std::string(2000, 'A'), "alice"));
  EXPECT_THROW(ec::RememberBrowser(std::string(16, 'k'), std::chrono::days{1}, clock),
               std::invalid_argument);
  EXPECT_THROW(ec::RememberBrowser(key, std::chrono::days{0}, clock), std::invalid_argument);
}

class EmailCodeSqliteTest : public fakes::SqliteTest {
 protected:
  EmailCodeSqliteTest() : SqliteTest("emailcode") {}
  void SetUp() override {
    SqliteTest::SetUp();
    for (const char* name : {"alice", "bob"}) ASSERT_TRUE(add_id(name));
  }
};

TEST_F(EmailCodeSqliteTest, StoreContract) {
  storage::EmailCodeStore store(*db);
  const auto t0 = core::from_millis(1'000'000);
  EXPECT_FALSE(store.find("alice"));
  store.put({"alice", "h1", t0, t0 + 15min, 0});
  auto got = store.find("alice");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->code_hash, "h1");
  EXPECT_EQ(got->created, t0);
  EXPECT_EQ(got->expires, t0 + 15min);
  EXPECT_EQ(store.add_failed_attempt("alice", "h1"), 1);
  EXPECT_EQ(store.add_failed_attempt("alice", "h1"), 2);
  EXPECT_EQ(store.add_failed_attempt("alice", "other"), 0) << "a replaced code";
  store.put({"alice", "h2", t0, t0 + 15min, 0});
  EXPECT_EQ(store.find("alice")->attempts, 0);
  EXPECT_FALSE(store.consume("alice", "h1"));
  EXPECT_TRUE(store.consume("alice", "h2"));
  EXPECT_FALSE(store.consume("alice", "h2")) << "once";
  store.put({"alice", "h3", t0, t0 + 1min, 0});
  store.put({"bob", "h4", t0, t0 + 20min, 0});
  EXPECT_EQ(store.purge_expired(t0 + 10min), 1);
  EXPECT_FALSE(store.find("alice"));
  EXPECT_TRUE(store.find("bob"));
  store.remove("bob");
  EXPECT_FALSE(store.find("bob"));
}

TEST_F(EmailCodeSqliteTest, FactorOverSqlite) {
  storage::EmailCodeStore store(*db);
  core::ManualClock clock;
  core::SeededRandom random{3};
  FakeMailer mailer;
  mail::Templates templates{kTemplates};
  ec::EmailCodeFactor factor({}, clock, random, store, mailer, templates, {"a@example.com", ""});
  ASSERT_EQ(factor.challenge("bob", {"bob@example.com", "Bob", "en"}).status,
            ec::ChallengeStatus::sent);
  const auto code = code_in(mailer.sent.at(0).text);
  EXPECT_EQ(factor.verify("bob", code == "000000" ? "111111" : "000000").attempts_left, 4);
  EXPECT_TRUE(factor.verify("bob", code).ok());
  EXPECT_FALSE(factor.verify("bob", code).ok());
}

}  // namespace
