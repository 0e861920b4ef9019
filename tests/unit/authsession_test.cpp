#include <gtest/gtest.h>

#include "authsession/service.hpp"
#include "support/memory_ports.hpp"

using namespace twofold;
using authsession::Failure;
using authsession::State;
using std::chrono::seconds;

namespace {

class AuthSessionTest : public ::testing::Test {
 protected:
  core::ManualClock clock;
  core::SeededRandom random{7};
  fakes::MemoryDirectory directory;
  fakes::MemoryStore store;
  fakes::RecordingListener listener;
  authsession::Settings settings;
  std::unique_ptr<authsession::Service> service;

  void SetUp() override {
    directory.add("Alice");
    directory.add("bob");
    service = make();
  }
  std::unique_ptr<authsession::Service> make() {
    return std::make_unique<authsession::Service>(settings, clock, random, directory, store,
                                                  listener);
  }
  authsession::AuthSession request(const std::string& id = "alice", bool access_pass = true) {
    authsession::NewRequest r{
        id, "Shop", "https://shop.example", "", "SecSignIDApi_PHP", "127.0.0.1", access_pass};
    auto out = service->request(r);
    EXPECT_TRUE(std::holds_alternative<authsession::AuthSession>(out));
    return std::get<authsession::AuthSession>(out);
  }
  static Failure failure(const auto& outcome) {
    EXPECT_TRUE(std::holds_alternative<authsession::Error>(outcome));
    return std::get<authsession::Error>(outcome).failure;
  }
  State state_of(const authsession::AuthSession& s, const std::string& id = "alice") {
    return std::get<authsession::AuthSession>(service->state(id, s.id, s.request_id)).state;
  }
};

TEST_F(AuthSessionTest, NewSessionIsPendingWithWireShapedIds) {
  auto s = request();
  EXPECT_EQ(s.state, State::pending);
  ASSERT_EQ(s.id.size(), 19u);
  EXPECT_NE(s.id[0], '0');
  ASSERT_EQ(s.request_id.size(), 64u);
  for (char c : s.request_id) EXPECT_TRUE(std::isdigit(c) || (c >= 'A' && c <= 'F'));
  EXPECT_EQ(s.secsignid, "Alice");
  EXPECT_LT(s.symbol, settings.symbol_count);
  EXPECT_EQ(listener.created.size(), 1u);
  EXPECT_TRUE(store.live.count(s.id));
  EXPECT_TRUE(store.audit.count(s.id));
}

TEST_F(AuthSessionTest, UnknownIdAndInvalidName) {
  EXPECT_EQ(failure(service->request({"carol", "S", "A", "", "", "", true})), Failure::unknown_id);
  EXPECT_EQ(failure(service->request({"a b", "S", "A", "", "", "", true})), Failure::unknown_id);
}

TEST_F(AuthSessionTest, LockedIdIsRefused) {
  directory.rows["alice"].locked = true;
  EXPECT_EQ(failure(service->request({"alice", "S", "A", "", "", "", true})), Failure::id_locked);
}

TEST_F(AuthSessionTest, IdsMatchCaseInsensitively) {
  auto s = request("ALICE");
  EXPECT_EQ(state_of(s, "alice"), State::pending);
}

TEST_F(AuthSessionTest, WrongRequestIdAndWrongIdAreRefused) {
  auto s = request();
  EXPECT_EQ(failure(service->state("alice", s.id, std::string(64, 'A'))),
            Failure::wrong_request_id);
  EXPECT_EQ(failure(service->state("bob", s.id, s.request_id)), Failure::unknown_session);
  EXPECT_EQ(failure(service->state("alice", "1234567890123456789", s.request_id)),
            Failure::unknown_session);
}

TEST_F(AuthSessionTest, FetchMarksFetchedAndAcceptWithRightSymbol) {
  auto s = request();
  auto fetched = std::get<std::vector<authsession::AuthSession>>(service->fetch("alice"));
  ASSERT_EQ(fetched.size(), 1u);
  EXPECT_EQ(fetched[0].state, State::fetched);
  EXPECT_EQ(state_of(s), State::fetched);
  auto out =
      service->answer("alice", s.id, authsession::Decision::accept, s.symbol, s.nonce, "dev1");
  EXPECT_EQ(std::get<authsession::AuthSession>(out).state, State::accepted);
  EXPECT_EQ(state_of(s), State::accepted);
  EXPECT_EQ(store.audit[s.id].state, State::accepted);
  EXPECT_EQ(store.audit[s.id].device_id, "dev1");
}

TEST_F(AuthSessionTest, WrongSymbolIsADenialAndReplaysAreRefused) {
  auto s = request();
  auto out = service->answer("alice", s.id, authsession::Decision::accept,
                             (s.symbol + 1) % settings.symbol_count, s.nonce, "dev1");
  EXPECT_EQ(std::get<authsession::AuthSession>(out).state, State::denied);
  EXPECT_EQ(failure(service->answer("alice", s.id, authsession::Decision::accept, s.symbol, s.nonce,
                                    "dev1")),
            Failure::not_pending);
}

TEST_F(AuthSessionTest, StaleNonceIsRefused) {
  auto s = request();
  EXPECT_EQ(failure(service->answer("alice", s.id, authsession::Decision::accept, s.symbol,
                                    "other-nonce", "dev1")),
            Failure::not_pending);
  EXPECT_EQ(state_of(s), State::pending);
}

TEST_F(AuthSessionTest, WithoutAccessPassAnySymbolAccepts) {
  auto s = request("alice", false);
  auto out = service->answer("alice", s.id, authsession::Decision::accept, 0, s.nonce, "d");
  EXPECT_EQ(std::get<authsession::AuthSession>(out).state, State::accepted);
}

TEST_F(AuthSessionTest, DenyHasMessage) {
  auto s = request();
  auto out = service->answer("alice", s.id, authsession::Decision::deny, 0, s.nonce, "d");
  EXPECT_EQ(std::get<authsession::AuthSession>(out).state, State::denied);
  EXPECT_EQ(std::get<authsession::AuthSession>(out).message, "You have denied the access pass.");
}

TEST_F(AuthSessionTest, ExpiresAfterTimeoutAndLateAnswersAreRefused) {
  auto s = request();
  clock.advance(seconds(119));
  EXPECT_EQ(state_of(s), State::pending);
  clock.advance(seconds(1));
  EXPECT_EQ(state_of(s), State::expired);
  EXPECT_EQ(failure(service->answer("alice", s.id, authsession::Decision::accept, s.symbol, s.nonce,
                                    "d")),
            Failure::not_pending);
  EXPECT_EQ(store.audit[s.id].state, State::expired);
}

TEST_F(AuthSessionTest, CancelThenGone) {
  auto s = request();
  auto out = service->cancel("alice", s.id, s.request_id);
  EXPECT_EQ(std::get<authsession::AuthSession>(out).state, State::canceled);
  EXPECT_EQ(failure(service->state("alice", s.id, s.request_id)), Failure::unknown_session);
  EXPECT_FALSE(store.live.count(s.id));
  EXPECT_EQ(store.audit[s.id].state, State::canceled);
  // The device can no longer answer it.
  EXPECT_EQ(failure(service->answer("alice", s.id, authsession::Decision::accept, s.symbol, s.nonce,
                                    "d")),
            Failure::unknown_session);
}

TEST_F(AuthSessionTest, ReleaseKeepsFinalStateInAnswer) {
  auto s = request();
  service->answer("alice", s.id, authsession::Decision::accept, s.symbol, s.nonce, "d");
  auto out = service->release("alice", s.id, s.request_id);
  EXPECT_EQ(std::get<authsession::AuthSession>(out).state, State::accepted);
  EXPECT_EQ(failure(service->state("alice", s.id, s.request_id)), Failure::unknown_session);
}

TEST_F(AuthSessionTest, ConcurrentRequestSuspendsAllAndResumeNeedsTheDevice) {
  auto first = request();
  auto second = request();
  EXPECT_EQ(second.state, State::suspended);
  EXPECT_EQ(state_of(first), State::suspended);
  EXPECT_TRUE(directory.rows["alice"].suspended);
  EXPECT_EQ(listener.created.size(), 1u);  // the device is not woken for a suspended session
  // Still suspended until the user resumes on the device.
  EXPECT_EQ(request().state, State::suspended);
  directory.rows["alice"].suspended = false;
  clock.advance(seconds(3600));  // outside the suspension window
  EXPECT_EQ(request().state, State::pending);
}

TEST_F(AuthSessionTest, RecurringSuspensionRequiresPriorityCode) {
  request();
  request();  // suspension 1
  directory.rows["alice"].suspended = false;
  clock.advance(seconds(10));
  auto a = request();
  EXPECT_EQ(a.state, State::pending);  // resumed: the earlier sessions are no longer live
  EXPECT_EQ(directory.rows["alice"].priority_required_until, core::TimePoint{});
  auto b = request();  // suspension 2 within the window
  EXPECT_EQ(b.state, State::suspended);
  EXPECT_GT(directory.rows["alice"].priority_required_until, clock.now());
  directory.rows["alice"].suspended = false;
  EXPECT_EQ(request().state, State::suspended);  // plain ID refused while priority required

  auto code = std::get<authsession::PriorityCode>(service->issue_priority_code("alice"));
  ASSERT_EQ(code.code.size(), 8u);
  auto p = request(code.code);
  EXPECT_EQ(p.state, State::pending);
  EXPECT_EQ(p.secsignid, "Alice");
  // The state query may name the code; once accepted the answer carries the real ID.
  service->answer("alice", p.id, authsession::Decision::accept, p.symbol, p.nonce, "d");
  auto st = std::get<authsession::AuthSession>(service->state(code.code, p.id, p.request_id));
  EXPECT_EQ(st.state, State::accepted);
  EXPECT_EQ(st.secsignid, "Alice");
  // Single use.
  EXPECT_EQ(failure(service->request({code.code, "S", "A", "", "", "", true})),
            Failure::unknown_id);
}

TEST_F(AuthSessionTest, PriorityCodeExpires) {
  auto code = std::get<authsession::PriorityCode>(service->issue_priority_code("alice"));
  clock.advance(settings.priority_code_life);
  EXPECT_EQ(failure(service->request({code.code, "S", "A", "", "", "", true})),
            Failure::unknown_id);
}

TEST_F(AuthSessionTest, NotMeDeniesEveryLiveSession) {
  auto s = request("alice", true);
  auto out = service->deny_all("alice", s.id, s.nonce, "dev");
  auto& denied = std::get<std::vector<authsession::AuthSession>>(out);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(state_of(s), State::denied);
}

TEST_F(AuthSessionTest, StorageFailureChangesNothing) {
  auto s = request();
  store.fail = true;
  EXPECT_EQ(failure(service->request({"bob", "S", "A", "", "", "", true})), Failure::storage);
  EXPECT_EQ(failure(service->answer("alice", s.id, authsession::Decision::accept, s.symbol, s.nonce,
                                    "d")),
            Failure::storage);
  store.fail = false;
  EXPECT_EQ(state_of(s), State::pending);
  EXPECT_EQ(service->size(), 1u);
}

TEST_F(AuthSessionTest, RestoreBringsBackLiveSessions) {
  auto s = request();
  auto restarted = make();
  restarted->restore();
  auto st = restarted->state("alice", s.id, s.request_id);
  EXPECT_EQ(std::get<authsession::AuthSession>(st).state, State::pending);
  // and the suspension index is rebuilt
  auto again = restarted->request({"alice", "S", "A", "", "", "", true});
  EXPECT_EQ(std::get<authsession::AuthSession>(again).state, State::suspended);
}

TEST_F(AuthSessionTest, SweepExpiresAndPurges) {
  auto s = request();
  clock.advance(settings.timeout);
  EXPECT_EQ(service->sweep(), 1u);
  EXPECT_EQ(store.live[s.id].state, State::expired);
  clock.advance(settings.retention);
  EXPECT_EQ(service->sweep(), 1u);
  EXPECT_EQ(service->size(), 0u);
  EXPECT_FALSE(store.live.count(s.id));
  EXPECT_EQ(store.audit[s.id].state, State::expired);
}

}  // namespace
