// Password reset by email link (R-C5) over the real SQLite stores (migration 15 and the
// regulation events): who gets a mail, what is stored, single use, expiry, limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/encoding.hpp"
#include "recovery/password_reset.hpp"
#include "storage/browser_session_store.hpp"
#include "storage/profile_store.hpp"
#include "storage/regulation_store.hpp"
#include "storage/reset_token_store.hpp"
#include "support/sqlite_fixture.hpp"

namespace twofold::recovery {
namespace {

using sources::database::PasswordRejected;
using sources::database::Rejection;

class PasswordResetTest : public fakes::SqliteTest {
 protected:
  PasswordResetTest() : SqliteTest("twofold-recovery") {}
  core::ManualClock clock;
  core::SeededRandom random{7};
  std::unique_ptr<storage::ResetTokenStore> tokens;
  std::unique_ptr<storage::RegulationStore> events;
  std::map<std::string, Account> accounts;  // by ID
  std::set<std::string> ineligible;
  std::vector<ResetMail> sent;
  bool mail_fails = false;
  std::map<std::string, std::string> passwords;
  std::vector<std::string> ended;
  std::unique_ptr<PasswordReset> reset;

  void SetUp() override {
    SqliteTest::SetUp();
    for (const char* name : {"alice", "bob", "carol"}) add_id(name);
    tokens = std::make_unique<storage::ResetTokenStore>(*db);
    events = std::make_unique<storage::RegulationStore>(*db);
    accounts["alice"] = {"alice", "Alice", "alice@example.com"};
    accounts["bob"] = {"bob", "Bob", ""};
    accounts["carol"] = {"carol", "Carol", "carol@example.com"};
    ineligible = {"carol"};
    ResetPorts ports{[this](std::string_view typed) -> std::optional<Account> {
                       for (const auto& [key, a] : accounts)
                         if (key == typed || (!a.email.empty() && a.email == typed)) return a;
                       return std::nullopt;
                     },
                     [this](const std::string& key) {
                       return ineligible.count(key) ? std::string("linked to LDAP") : std::string();
                     },
                     [this](const ResetMail& m) {
                       if (mail_fails) throw std::runtime_error("smtp down");
                       sent.push_back(m);
                     },
                     [this](const std::string& key,
                            std::string_view password) -> std::optional<PasswordRejected> {
                       if (password.size() < 7) return PasswordRejected{Rejection::policy, "short"};
                       if (passwords[key] == password)
                         return PasswordRejected{Rejection::reused, "reused"};
                       passwords[key] = std::string(password);
                       return std::nullopt;
                     },
                     [this](const std::string& key) { ended.push_back(key); }};
    reset = std::make_unique<PasswordReset>(ResetSettings{"https://id.example"}, clock, random,
                                            *tokens, *events, std::move(ports));
  }
  void TearDown() override {
    reset.reset();
    tokens.reset();
    events.reset();
    SqliteTest::TearDown();
  }
  std::string token_of(const ResetMail& m) {
    const auto at = m.link.find("token=");
    return at == std::string::npos ? "" : m.link.substr(at + 6);
  }
};

TEST_F(PasswordResetTest, MailsASingleUseLinkAndStoresOnlyItsHash) {
  EXPECT_EQ(reset->request("alice", "192.0.2.1", "de"), RequestOutcome::mailed);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, "alice@example.com");
  EXPECT_EQ(sent[0].language, "de");
  EXPECT_EQ(sent[0].hours, 24u);
  EXPECT_EQ(sent[0].link.rfind("https://id.example/login/reset?token=", 0), 0u);
  const auto token = token_of(sent[0]);
  EXPECT_TRUE(is_plausible_token(token)) << token;
  // Only the SHA-256 is in the database, with a 24-hour expiry.
  std::string stored;
  long long expires = 0;
  db->read([&](soci::session& sql) {
    sql << "SELECT token_hash, expires_ms FROM password_reset_tokens", soci::into(stored),
        soci::into(expires);
  });
  EXPECT_EQ(stored, core::sha256_hex(token));
  EXPECT_EQ(core::from_millis(expires), clock.now() + std::chrono::hours(24));

  auto record = reset->check(token);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->identity_key, "alice");
  auto done = reset->complete(record->token_hash, "NewPass1");
  EXPECT_EQ(done.status, CompleteResult::Status::done);
  EXPECT_EQ(passwords["alice"], "NewPass1");
  EXPECT_EQ(ended, (std::vector<std::string>{"alice"}));
  // Used once: gone.
  EXPECT_FALSE(reset->check(token));
  EXPECT_EQ(reset->complete(record->token_hash, "Other1234").status,
            CompleteResult::Status::invalid_token);
  EXPECT_EQ(passwords["alice"], "NewPass1");
}

TEST_F(PasswordResetTest, ByEmailAddressToo) {
  EXPECT_EQ(reset->request("alice@example.com", "192.0.2.1", "en"), RequestOutcome::mailed);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, "alice@example.com");
}

TEST_F(PasswordResetTest, NoMailForUnknownIneligibleOrAddresslessIds) {
  EXPECT_EQ(reset->request("nobody", "192.0.2.1", "en"), RequestOutcome::unknown);
  EXPECT_EQ(reset->request("carol", "192.0.2.1", "en"), RequestOutcome::ineligible);
  EXPECT_EQ(reset->request("bob", "192.0.2.1", "en"), RequestOutcome::no_email);
  EXPECT_TRUE(sent.empty());
  long long rows = -1;
  db->read([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM password_reset_tokens", soci::into(rows);
  });
  EXPECT_EQ(rows, 0);
}

TEST_F(PasswordResetTest, RefusedPasswordKeepsTheLink) {
  reset->request("alice", "192.0.2.1", "en");
  const auto hash = core::sha256_hex(token_of(sent.at(0)));
  auto r = reset->complete(hash, "short");
  EXPECT_EQ(r.status, CompleteResult::Status::refused);
  ASSERT_TRUE(r.refusal);
  EXPECT_EQ(refusal_notice(r.refusal->reason), "password_policy_refused");
  EXPECT_TRUE(ended.empty());
  EXPECT_EQ(reset->complete(hash, "GoodPass1").status, CompleteResult::Status::done);
}

TEST_F(PasswordResetTest, ExpiresAfterTheValidity) {
  reset->request("alice", "192.0.2.1", "en");
  const auto token = token_of(sent.at(0));
  clock.advance(std::chrono::hours(24));
  EXPECT_FALSE(reset->check(token));
  EXPECT_EQ(reset->complete(core::sha256_hex(token), "GoodPass1").status,
            CompleteResult::Status::invalid_token);
  EXPECT_TRUE(passwords["alice"].empty());
}

TEST_F(PasswordResetTest, ANewLinkReplacesTheOldOneAndIsLimitedPerId) {
  reset->request("alice", "192.0.2.1", "en");
  // Within the interval: no second mail.
  EXPECT_EQ(reset->request("alice", "192.0.2.1", "en"), RequestOutcome::too_soon);
  EXPECT_EQ(sent.size(), 1u);
  clock.advance(std::chrono::minutes(5) + std::chrono::seconds(1));
  EXPECT_EQ(reset->request("alice", "192.0.2.1", "en"), RequestOutcome::mailed);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_FALSE(reset->check(token_of(sent[0])));
  EXPECT_TRUE(reset->check(token_of(sent[1])));
}

TEST_F(PasswordResetTest, LimitedPerAddress) {
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(reset->request("nobody" + std::to_string(i), "198.51.100.7", "en"),
              RequestOutcome::unknown);
  EXPECT_EQ(reset->request("alice", "198.51.100.7", "en"), RequestOutcome::address_limit);
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(reset->request("alice", "192.0.2.1", "en"), RequestOutcome::mailed);
}

TEST_F(PasswordResetTest, AFailedMailLeavesNoUsableLink) {
  mail_fails = true;
  EXPECT_EQ(reset->request("alice", "192.0.2.1", "en"), RequestOutcome::failed);
  long long rows = -1;
  db->read([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM password_reset_tokens", soci::into(rows);
  });
  EXPECT_EQ(rows, 0);
}

TEST_F(PasswordResetTest, MalformedTokensAreNotLookedUp) {
  EXPECT_FALSE(reset->check(""));
  EXPECT_FALSE(reset->check("short"));
  EXPECT_FALSE(reset->check(std::string(43, '*')));
  EXPECT_FALSE(reset->check(std::string(43, 'A')));  // plausible, unknown
}

TEST_F(PasswordResetTest, RestoreDoesNotOverrideANewerLink) {
  reset->request("alice", "192.0.2.1", "en");
  const auto first = core::sha256_hex(token_of(sent.at(0)));
  auto record = tokens->find(first);
  ASSERT_TRUE(record);
  ASSERT_TRUE(tokens->consume(first));
  clock.advance(std::chrono::minutes(6));
  reset->request("alice", "192.0.2.1", "en");
  tokens->restore(*record);
  EXPECT_FALSE(tokens->find(first));
  EXPECT_TRUE(tokens->find(core::sha256_hex(token_of(sent.at(1)))));
}

// The lookups the server's reset wiring uses: an ID by its address, the sessions of an ID.
TEST_F(PasswordResetTest, StorageLookupsForTheWiring) {
  storage::ProfileStore profiles(*db);
  identity::Profile p;
  p.identity_key = "alice";
  p.email = "Alice@Example.com";
  profiles.save_profile(p);
  p.identity_key = "bob";
  p.email = "shared@example.com";
  profiles.save_profile(p);
  p.identity_key = "carol";
  profiles.save_profile(p);
  EXPECT_EQ(profiles.keys_with_email("alice@example.COM", 2), (std::vector<std::string>{"alice"}));
  EXPECT_EQ(profiles.keys_with_email("shared@example.com", 2),
            (std::vector<std::string>{"bob", "carol"}));
  EXPECT_TRUE(profiles.keys_with_email("nobody@example.com", 2).empty());

  storage::BrowserSessionStore session_store(*db);
  login::Sessions sessions({}, clock, random, session_store);
  auto a = sessions.create({"alice", clock.now(), {"pwd"}, "urn:twofold:acr:1fa", false});
  auto b = sessions.create({"alice", clock.now(), {"pwd"}, "urn:twofold:acr:1fa", true});
  sessions.create({"bob", clock.now(), {"pwd"}, "urn:twofold:acr:1fa", false});
  auto sids = session_store.sids_of("alice");
  std::sort(sids.begin(), sids.end());
  std::vector<std::string> expected{a.session.sid, b.session.sid};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sids, expected);
  EXPECT_TRUE(session_store.sids_of("nobody").empty());
}

}  // namespace
}  // namespace twofold::recovery
