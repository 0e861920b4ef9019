#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "storage/auth_session_store.hpp"
#include "storage/database.hpp"
#include "storage/device_store.hpp"
#include "storage/identity_store.hpp"
#include "support/sqlite_fixture.hpp"

using namespace twofold;

namespace {

class StorageTest : public fakes::SqliteTest {
 protected:
  StorageTest() : SqliteTest("storage") {}
  authsession::AuthSession session(const std::string& id) {
    authsession::AuthSession s;
    s.id = id;
    s.request_id = std::string(64, 'A');
    s.identity_key = "alice";
    s.secsignid = "Alice";
    s.requested_as = "alice";
    s.service_name = "Shop ü";
    s.service_address = "https://shop.example/?a=1";
    s.requester_ip = "127.0.0.1";
    s.symbol = 5;
    s.nonce = "n";
    s.created = s.updated = core::from_millis(1'000);
    s.expires = core::from_millis(121'000);
    return s;
  }
};

TEST_F(StorageTest, MigrationsApplyOnceAndReopen) {
  const auto& all = storage::migrations();
  for (std::size_t i = 1; i < all.size(); ++i)
    EXPECT_LT(all[i - 1].version, all[i].version) << "versions ascend, each used once";
  EXPECT_EQ(db->schema_version(), all.back().version);
  db.reset();
  db = storage::Database::open_sqlite((dir / "t.db").string());
  EXPECT_EQ(db->schema_version(), all.back().version);
}

// A migration merged later with a lower version than one already applied still runs.
TEST_F(StorageTest, AMigrationWithALowerVersionIsNotSkipped) {
  db->transaction([](soci::session& sql) {
    sql << "DELETE FROM schema_migrations WHERE version = 2";
    sql << "DROP TABLE service_keys";
  });
  db.reset();
  db = storage::Database::open_sqlite((dir / "t.db").string());
  int tables = 0;
  db->read([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM sqlite_master WHERE name = 'service_keys'", soci::into(tables);
  });
  EXPECT_EQ(tables, 1);
}

TEST_F(StorageTest, FirstIdentityIsAdminAndKeysAreUnique) {
  storage::IdentityStore ids(*db);
  identity::Identity a{"alice", "Alice"};
  identity::Identity b{"bob", "bob"};
  EXPECT_TRUE(ids.create(a, true));
  EXPECT_TRUE(a.admin);
  EXPECT_TRUE(ids.create(b, true));
  EXPECT_FALSE(b.admin);
  identity::Identity again{"alice", "ALICE"};
  EXPECT_FALSE(ids.create(again, true));
  auto found = ids.find("alice");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "Alice");
  found->locked = true;
  found->priority_required_until = core::from_millis(42'000);
  ids.save(*found);
  EXPECT_TRUE(ids.find("alice")->locked);
  EXPECT_EQ(core::to_millis(ids.find("alice")->priority_required_until), 42'000);
  EXPECT_FALSE(ids.find("carol"));
  EXPECT_EQ(ids.list().size(), 2u);
}

TEST_F(StorageTest, DevicesAndSingleUseActivationCodes) {
  storage::IdentityStore ids(*db);
  identity::Identity a{"alice", "Alice"};
  ids.create(a, true);
  storage::DeviceStore devices(*db);
  device::Device d{
      "d1", "alice", "phone", crypto::KeyType::rsa2048, "PEM", "hash1", core::from_millis(5)};
  devices.add(d);
  auto found = devices.find_by_token_hash("hash1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->key_type, crypto::KeyType::rsa2048);
  EXPECT_FALSE(devices.find_by_token_hash("nope"));
  EXPECT_EQ(devices.list("alice").size(), 1u);
  devices.add_activation_code({"code", "alice", core::from_millis(9)});
  EXPECT_TRUE(devices.take_activation_code("code"));
  EXPECT_FALSE(devices.take_activation_code("code"));
}

TEST_F(StorageTest, SessionsRoundTripAndAuditOutlivesThem) {
  storage::AuthSessionStore store(*db);
  auto s = session("1234567890123456789");
  store.save({&s, 1});
  s.state = authsession::State::accepted;
  s.device_id = "d1";
  s.updated = core::from_millis(2'000);
  store.save({&s, 1});
  auto live = store.load_live();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].state, authsession::State::accepted);
  EXPECT_EQ(live[0].service_name, "Shop ü");
  EXPECT_EQ(live[0].symbol, 5u);
  EXPECT_EQ(core::to_millis(live[0].expires), 121'000);
  store.remove(s.id);
  EXPECT_TRUE(store.load_live().empty());
  auto trail = store.list({});
  ASSERT_EQ(trail.size(), 1u);
  EXPECT_EQ(trail[0].state, authsession::State::accepted);
  EXPECT_EQ(trail[0].device_id, "d1");
  EXPECT_EQ(store.list({"bob", 10}).size(), 0u);
  EXPECT_EQ(store.list({"alice", 10}).size(), 1u);
}

TEST_F(StorageTest, LockedDatabaseFailsCleanlyAndLosesNothing) {
  storage::AuthSessionStore store(*db);
  auto s = session("1111111111111111111");
  store.save({&s, 1});
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "t.db").string().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto t = session("2222222222222222222");
  EXPECT_THROW(store.save({&t, 1}), storage::StorageError);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  auto live = store.load_live();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].id, s.id);
  store.save({&t, 1});  // works again once the lock is gone
  EXPECT_EQ(store.load_live().size(), 2u);
}

TEST_F(StorageTest, UnwritableLocationIsAClearError) {
  EXPECT_THROW(storage::Database::open_sqlite("/proc/twofold/none.db"), storage::StorageError);
}

}  // namespace
