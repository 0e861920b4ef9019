// Login regulation (R-P1, R-P5): back-off arithmetic, per-user and per-address holds, the
// device-cookie exemption, sessions per minute; on an in-memory event store and on SQLite.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "regulation/session_rate.hpp"
#include "regulation/throttle.hpp"
#include "storage/regulation_store.hpp"
#include "support/regulation_fakes.hpp"

using namespace twofold;
using namespace std::chrono_literals;
using regulation::Attempt;
using regulation::HeldBy;
using regulation::Throttle;

namespace {

regulation::ThrottleSettings settings() {
  regulation::ThrottleSettings s;
  s.window = 15min;
  s.per_user = {3, 2s, 60s};
  s.per_address = {5, 2s, 300s};
  return s;
}

}  // namespace

TEST(Throttle, DelayDoublesAfterTheFreeFailuresUpToTheCap) {
  const regulation::Limit limit{3, 2s, 60s};
  EXPECT_EQ(Throttle::delay_after(0, limit), 0s);
  EXPECT_EQ(Throttle::delay_after(3, limit), 0s);
  EXPECT_EQ(Throttle::delay_after(4, limit), 2s);
  EXPECT_EQ(Throttle::delay_after(5, limit), 4s);
  EXPECT_EQ(Throttle::delay_after(7, limit), 16s);
  EXPECT_EQ(Throttle::delay_after(9, limit), 60s);
  EXPECT_EQ(Throttle::delay_after(1'000'000, limit), 60s);  // no overflow
}

TEST(Throttle, HoldsAUserAfterTheFreeFailuresAndReleasesAfterTheDelay) {
  core::ManualClock clock;
  fakes::MemoryEvents events;
  Throttle t(settings(), clock, events);
  const Attempt a{"alice", "192.0.2.1", ""};
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(t.check(a));
    t.failed(Attempt{"alice", "192.0.2." + std::to_string(10 + i), ""});
  }
  EXPECT_FALSE(t.check(a));  // three free failures, from three addresses
  t.failed(Attempt{"alice", "192.0.2.20", ""});
  auto held = t.check(a);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->by, HeldBy::user);
  EXPECT_EQ(held->retry_after, 2s);
  clock.advance(2s);
  EXPECT_FALSE(t.check(a));
  // Another user from the same address is not held by alice's count.
  t.failed(Attempt{"alice", "192.0.2.21", ""});
  EXPECT_TRUE(t.check(a));
  EXPECT_FALSE(t.check(Attempt{"bob", "192.0.2.1", ""}));
}

TEST(Throttle, ForgetsFailuresAfterTheWindowAndOnSuccess) {
  core::ManualClock clock;
  fakes::MemoryEvents events;
  Throttle t(settings(), clock, events);
  const Attempt a{"alice", "192.0.2.1", ""};
  for (int i = 0; i < 6; ++i) t.failed(a);
  EXPECT_TRUE(t.check(a));
  clock.advance(16min);
  EXPECT_FALSE(t.check(a));
  for (int i = 0; i < 4; ++i) t.failed(Attempt{"carol", "198.51.100." + std::to_string(i), ""});
  ASSERT_TRUE(t.check(Attempt{"carol", "198.51.100.9", ""}));
  t.succeeded(Attempt{"carol", "198.51.100.9", ""});
  EXPECT_FALSE(t.check(Attempt{"carol", "198.51.100.9", ""}));
}

TEST(Throttle, HoldsAnAddressGuessingManyUsers) {
  core::ManualClock clock;
  fakes::MemoryEvents events;
  Throttle t(settings(), clock, events);
  for (int i = 0; i < 6; ++i) t.failed(Attempt{"user" + std::to_string(i), "203.0.113.7", ""});
  auto held = t.check(Attempt{"someone", "203.0.113.7", ""});
  ASSERT_TRUE(held);
  EXPECT_EQ(held->by, HeldBy::address);
  EXPECT_FALSE(t.check(Attempt{"someone", "203.0.113.8", ""}));
  // A success with one account does not clear the address.
  t.succeeded(Attempt{"user0", "203.0.113.7", ""});
  EXPECT_TRUE(t.check(Attempt{"someone", "203.0.113.7", ""}));
}

TEST(Throttle, AKnownBrowserIsNotLockedOutByAStrangersGuesses) {
  core::ManualClock clock;
  fakes::MemoryEvents events;
  Throttle t(settings(), clock, events);
  // An attacker from many addresses hammers alice's account.
  for (int i = 0; i < 40; ++i) t.failed(Attempt{"alice", "203.0.113." + std::to_string(i), ""});
  auto held = t.check(Attempt{"alice", "192.0.2.1", ""});
  ASSERT_TRUE(held);
  EXPECT_EQ(held->retry_after, 60s);  // a new browser waits at most the cap
  // Alice's own browser carries the device cookie and goes ahead.
  const Attempt own{"alice", "192.0.2.1", "device-1"};
  EXPECT_FALSE(t.check(own));
  // Her own typos count for her browser alone.
  for (int i = 0; i < 4; ++i) t.failed(own);
  EXPECT_TRUE(t.check(own));
  EXPECT_FALSE(t.check(Attempt{"alice", "192.0.2.1", "device-2"}));
}

TEST(SessionRate, TheEleventhSignInWithinAMinuteIsRefused) {
  core::ManualClock clock;
  fakes::MemoryEvents events;
  regulation::SessionRate rate({10}, clock, events);
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(rate.admit("alice")) << i;
    clock.advance(1s);
  }
  EXPECT_FALSE(rate.admit("alice"));
  EXPECT_TRUE(rate.admit("bob"));
  clock.advance(50s);  // the first sign-in is now a minute old
  EXPECT_TRUE(rate.admit("alice"));
  EXPECT_FALSE(rate.admit("alice"));
  regulation::SessionRate unlimited({0}, clock, events);
  EXPECT_TRUE(unlimited.admit("alice"));
}

TEST(RegulationStore, CountsWindowsAndAdmitsBelowALimitOnSqlite) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("twofold-regulation-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    auto db = storage::Database::open_sqlite((dir / "t.db").string());
    storage::RegulationStore store(*db);
    const core::TimePoint t0{std::chrono::seconds{1'700'000'000}};
    store.add("b", t0);
    store.add("b", t0 + 5s);
    store.add("other", t0 + 9s);
    auto w = store.window("b", t0 - 1s);
    EXPECT_EQ(w.count, 2);
    EXPECT_EQ(w.last, t0 + 5s);
    EXPECT_EQ(store.window("b", t0).count, 1);  // strictly newer than the start
    EXPECT_EQ(store.window("none", t0 - 1s).count, 0);
    EXPECT_TRUE(store.add_below("b", t0 + 6s, t0 - 1s, 3));
    EXPECT_FALSE(store.add_below("b", t0 + 7s, t0 - 1s, 3));
    store.clear("b");
    EXPECT_EQ(store.window("b", t0 - 1s).count, 0);
    store.purge(t0 + 10s);
    EXPECT_EQ(store.window("other", t0 - 1s).count, 0);
  }
  fs::remove_all(dir);
}
