#pragma once
// The common set-up of the SQLite store tests: a fresh database of each test's own.
#include <memory>
#include <string>

#include "identity/identity.hpp"
#include "storage/database.hpp"
#include "storage/identity_store.hpp"
#include "temp_dir.hpp"

namespace twofold::fakes {

// `db` is a new SQLite database (every migration applied) at `dir`/t.db, opened in SetUp with
// `busy_timeout_ms` and closed in TearDown before the directory goes.
class SqliteTest : public TempDirTest {
 protected:
  explicit SqliteTest(std::string prefix, unsigned busy_timeout_ms = 100)
      : TempDirTest(std::move(prefix)), busy_timeout_ms_(busy_timeout_ms) {}
  void SetUp() override {
    TempDirTest::SetUp();
    db = storage::Database::open_sqlite((dir / "t.db").string(), false, busy_timeout_ms_);
  }
  void TearDown() override {
    db.reset();
    TempDirTest::TearDown();
  }
  // Adds the ID `key` (named `name`, or like the key) for the rows that refer to one.
  bool add_id(const std::string& key, const std::string& name = "", core::TimePoint created = {}) {
    identity::Identity i;
    i.key = key;
    i.name = name.empty() ? key : name;
    i.created = created;
    return storage::IdentityStore(*db).create(i, false);
  }

  std::unique_ptr<storage::Database> db;

 private:
  unsigned busy_timeout_ms_;
};

}  // namespace twofold::fakes
