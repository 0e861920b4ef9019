#pragma once
// The database connection (SOCI; SQLite in WAL mode is the embedded default, R-T1) and its
// versioned migrations, applied at open. One connection, serialised by a mutex: SQLite
// allows one writer at a time anyway, and every statement here takes microseconds.
#include <soci/soci.h>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "config/config.hpp"

namespace twofold::storage {

struct StorageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Migration {
  int version;
  const char* name;
  const char* sql;  // statements separated by ';'
};
const std::vector<Migration>& migrations();

class Database {
 public:
  static std::unique_ptr<Database> open(const config::Config& config);
  // `synchronous_full`: fsync every commit (power-loss durable) instead of WAL checkpoints.
  static std::unique_ptr<Database> open_sqlite(const std::string& path,
                                               bool synchronous_full = false,
                                               unsigned busy_timeout_ms = 5000);

  int schema_version();

  // Runs `work` with the connection inside one transaction; rolls back and rethrows as
  // StorageError if anything throws.
  void transaction(const std::function<void(soci::session&)>& work);
  // Runs a read (no transaction) with the connection.
  void read(const std::function<void(soci::session&)>& work);

 private:
  explicit Database(std::unique_ptr<soci::session> session);
  void migrate();

  std::mutex mutex_;
  std::unique_ptr<soci::session> session_;
};

}  // namespace twofold::storage
