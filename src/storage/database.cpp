#include "storage/database.hpp"

#include <set>

#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>

namespace twofold::storage {
namespace {

std::vector<std::string> split_statements(const char* sql) {
  std::vector<std::string> out;
  std::string current;
  for (const char* p = sql; *p; ++p) {
    if (*p == ';') {
      out.push_back(current);
      current.clear();
    } else {
      current.push_back(*p);
    }
  }
  out.push_back(current);
  std::erase_if(out, [](const std::string& s) {
    return s.find_first_not_of(" \n\t\r") == std::string::npos;
  });
  return out;
}

}  // namespace

Database::Database(std::unique_ptr<soci::session> session) : session_(std::move(session)) {}

std::unique_ptr<Database> Database::open(const config::Config& config) {
  if (config.storage.driver != "sqlite")
    throw StorageError("unsupported storage driver " + config.storage.driver);
  auto path = config.resolve(config.storage.path);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  return open_sqlite(path.string(), config.storage.synchronous == "full",
                     config.storage.busy_timeout_ms);
}

std::unique_ptr<Database> Database::open_sqlite(const std::string& path, bool synchronous_full,
                                                unsigned busy_timeout_ms) {
  try {
    // SOCI's connect string takes the timeout in seconds; set the exact value by pragma.
    auto session = std::make_unique<soci::session>(soci::sqlite3, "db=\"" + path + "\"");
    *session << "PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms);
    *session << "PRAGMA journal_mode = WAL";
    *session << (synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    *session << "PRAGMA foreign_keys = ON";
    std::unique_ptr<Database> db(new Database(std::move(session)));
    db->migrate();
    return db;
  } catch (const StorageError&) {
    throw;
  } catch (const std::exception& e) {
    throw StorageError("cannot open database " + path + ": " + e.what());
  }
}

void Database::migrate() {
  transaction([](soci::session& sql) {
    sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
           "name TEXT NOT NULL, applied_ms INTEGER NOT NULL)";
    // Each version on its own, not "everything above the highest": a migration merged from
    // a branch with a lower number than one already applied still runs.
    std::set<int> applied;
    {
      int v = 0;
      soci::statement st = (sql.prepare << "SELECT version FROM schema_migrations", soci::into(v));
      st.execute();
      while (st.fetch()) applied.insert(v);
    }
    for (const auto& m : migrations()) {
      if (applied.count(m.version)) continue;
      for (const auto& stmt : split_statements(m.sql)) sql << stmt;
      const std::string name = m.name;
      const long long now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      sql << "INSERT INTO schema_migrations(version, name, applied_ms) VALUES(:v, :n, :t)",
          soci::use(m.version), soci::use(name), soci::use(now);
    }
  });
}

int Database::schema_version() {
  int version = 0;
  read([&](soci::session& sql) {
    soci::indicator ind;
    sql << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
    if (ind != soci::i_ok) version = 0;
  });
  return version;
}

void Database::transaction(const std::function<void(soci::session&)>& work) {
  std::lock_guard lock(mutex_);
  try {
    soci::transaction tr(*session_);
    work(*session_);
    tr.commit();
  } catch (const std::exception& e) {
    throw StorageError(std::string("database write failed: ") + e.what());
  }
}

void Database::read(const std::function<void(soci::session&)>& work) {
  std::lock_guard lock(mutex_);
  try {
    work(*session_);
  } catch (const std::exception& e) {
    throw StorageError(std::string("database read failed: ") + e.what());
  }
}

}  // namespace twofold::storage
