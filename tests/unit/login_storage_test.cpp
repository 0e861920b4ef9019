// Browser sessions in SQLite (migration 9): the Sessions domain over the real store.
#include <gtest/gtest.h>

#include "core/encoding.hpp"
#include "login/session.hpp"
#include "storage/browser_session_store.hpp"
#include "support/sqlite_fixture.hpp"

namespace twofold {
namespace {

class BrowserSessionStoreTest : public fakes::SqliteTest {
 protected:
  BrowserSessionStoreTest() : SqliteTest("login", 5000) {}
  core::ManualClock clock;
  core::SeededRandom random{5};

  void SetUp() override {
    SqliteTest::SetUp();
    add_id("alice");
  }
};

TEST_F(BrowserSessionStoreTest, RoundTripRotationAndExpiry) {
  storage::BrowserSessionStore store(*db);
  login::Sessions sessions({}, clock, random, store);
  auto a = sessions.create({"alice", clock.now(), {"pwd", "swk"}, "urn:twofold:acr:2fa", true});
  auto b = sessions.create({"alice", clock.now(), {"swk"}, "urn:twofold:acr:1fa", false});
  auto row = store.find_by_sid(a.session.sid);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->secret_hash, core::sha256_hex(a.secret));
  EXPECT_EQ(row->amr, (std::vector<std::string>{"pwd", "swk"}));
  EXPECT_EQ(row->acr, "urn:twofold:acr:2fa");
  EXPECT_TRUE(row->persistent);
  EXPECT_EQ(row->auth_time, a.session.auth_time);
  EXPECT_EQ(row->expires, a.session.expires);

  clock.advance(std::chrono::hours(2));
  auto resumed = sessions.resume(a.secret);
  ASSERT_TRUE(resumed);
  ASSERT_FALSE(resumed->new_secret.empty());
  EXPECT_TRUE(sessions.resume(resumed->new_secret));
  EXPECT_TRUE(sessions.resume(a.secret));  // within the grace time
  clock.advance(std::chrono::minutes(2));
  EXPECT_FALSE(sessions.resume(a.secret));  // replayed old secret ends the session
  EXPECT_FALSE(store.find_by_sid(a.session.sid));

  clock.advance(std::chrono::hours(23));  // b idle for 25 h
  EXPECT_EQ(sessions.sweep(), 1u);
  EXPECT_FALSE(store.find_by_sid(b.session.sid));
  auto c = sessions.create({"alice", clock.now(), {}, "", false});
  EXPECT_EQ(sessions.end_all("alice"), 1u);
  EXPECT_FALSE(sessions.resume(c.secret));
}

}  // namespace
}  // namespace twofold
