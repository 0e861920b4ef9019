#include "storage/password_store.hpp"

#include <algorithm>

namespace twofold::storage {

std::optional<sources::database::StoredPassword> PasswordStore::find(std::string_view key) {
  std::optional<sources::database::StoredPassword> out;
  const std::string k(key);
  db_.read([&](soci::session& sql) {
    std::string hash;
    long long changed = 0;
    sql << "SELECT hash, changed_ms FROM passwords WHERE identity_key = :k", soci::use(k),
        soci::into(hash), soci::into(changed);
    if (sql.got_data()) out = sources::database::StoredPassword{hash, core::from_millis(changed)};
  });
  return out;
}

std::vector<std::string> PasswordStore::history(std::string_view key, std::size_t limit) {
  std::vector<std::string> out;
  if (limit == 0) return out;
  const std::string k(key);
  const long long n = static_cast<long long>(limit);
  db_.read([&](soci::session& sql) {
    std::string hash;
    soci::statement st = (sql.prepare << "SELECT hash FROM password_history WHERE identity_key = "
                                         ":k ORDER BY changed_ms DESC LIMIT :n",
                          soci::use(k), soci::use(n), soci::into(hash));
    st.execute();
    while (st.fetch()) out.push_back(hash);
  });
  return out;
}

void PasswordStore::set(std::string_view key, const sources::database::StoredPassword& password,
                        std::size_t keep) {
  const std::string k(key);
  const long long changed = core::to_millis(password.changed);
  const long long n = static_cast<long long>(keep);
  db_.transaction([&](soci::session& sql) {
    // Delete + insert instead of an upsert: the same SQL on SQLite, PostgreSQL and MySQL.
    sql << "DELETE FROM passwords WHERE identity_key = :k", soci::use(k);
    sql << "INSERT INTO passwords(identity_key, hash, changed_ms) VALUES(:k, :h, :c)", soci::use(k),
        soci::use(password.hash), soci::use(changed);
    if (keep == 0) {
      sql << "DELETE FROM password_history WHERE identity_key = :k", soci::use(k);
      return;
    }
    // History is ordered by time; two changes within one millisecond still get distinct,
    // increasing times so "the newest N" stays well defined without a database-specific rowid.
    long long newest = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(changed_ms) FROM password_history WHERE identity_key = :k", soci::use(k),
        soci::into(newest, ind);
    const long long at = ind == soci::i_ok ? std::max(changed, newest + 1) : changed;
    sql << "INSERT INTO password_history(identity_key, hash, changed_ms) VALUES(:k, :h, :c)",
        soci::use(k), soci::use(password.hash), soci::use(at);
    long long oldest_kept = 0;
    ind = soci::i_null;
    sql << "SELECT MIN(changed_ms) FROM (SELECT changed_ms FROM password_history WHERE "
           "identity_key = :k ORDER BY changed_ms DESC LIMIT :n) AS newest",
        soci::use(k), soci::use(n), soci::into(oldest_kept, ind);
    if (ind == soci::i_ok)
      sql << "DELETE FROM password_history WHERE identity_key = :k AND changed_ms < :m",
          soci::use(k), soci::use(oldest_kept);
  });
}

bool PasswordStore::rehash(std::string_view key, const std::string& old_hash,
                           const std::string& new_hash) {
  const std::string k(key);
  bool swapped = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE passwords SET hash = :n WHERE identity_key = :k "
                                         "AND hash = :o",
                          soci::use(new_hash), soci::use(k), soci::use(old_hash));
    st.execute(true);
    swapped = st.get_affected_rows() > 0;
    if (swapped)
      sql << "UPDATE password_history SET hash = :n WHERE identity_key = :k AND hash = :o",
          soci::use(new_hash), soci::use(k), soci::use(old_hash);
  });
  return swapped;
}

bool PasswordStore::remove(std::string_view key) {
  const std::string k(key);
  bool removed = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM passwords WHERE identity_key = :k", soci::use(k));
    st.execute(true);
    removed = st.get_affected_rows() > 0;
    sql << "DELETE FROM password_history WHERE identity_key = :k", soci::use(k);
  });
  return removed;
}

}  // namespace twofold::storage
