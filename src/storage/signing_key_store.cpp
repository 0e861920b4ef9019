#include "storage/signing_key_store.hpp"

namespace twofold::storage {

std::vector<jose::StoredKey> SigningKeyStore::load() {
  std::vector<jose::StoredKey> out;
  db_.read([&](soci::session& sql) {
    std::string kid, alg, pem;
    long long created = 0, retired = 0;
    soci::indicator retired_ind = soci::i_null;
    soci::statement st =
        (sql.prepare << "SELECT kid, alg, private_pem, created_ms, retired_ms FROM signing_keys "
                        "ORDER BY created_ms, kid",
         soci::into(kid), soci::into(alg), soci::into(pem), soci::into(created),
         soci::into(retired, retired_ind));
    st.execute();
    while (st.fetch()) {
      const auto parsed = jose::parse_alg(alg);
      if (!parsed) throw StorageError("signing key " + kid + " has unknown alg " + alg);
      jose::StoredKey k{kid, *parsed, pem, core::from_millis(created), std::nullopt};
      if (retired_ind == soci::i_ok) k.retired = core::from_millis(retired);
      out.push_back(std::move(k));
    }
  });
  return out;
}

bool SigningKeyStore::save(const jose::StoredKey& key) {
  const std::string alg(jose::alg_name(key.alg));
  const long long created = core::to_millis(key.created);
  long long retired = key.retired ? core::to_millis(*key.retired) : 0;
  soci::indicator retired_ind = key.retired ? soci::i_ok : soci::i_null;
  bool added = false;
  db_.transaction([&](soci::session& sql) {
    int taken = 0;
    sql << "SELECT COUNT(*) FROM signing_keys WHERE kid = :k", soci::use(key.kid),
        soci::into(taken);
    if (taken) return;
    sql << "INSERT INTO signing_keys(kid, alg, private_pem, created_ms, retired_ms) "
           "VALUES(:k, :a, :p, :c, :r)",
        soci::use(key.kid), soci::use(alg), soci::use(key.private_pem), soci::use(created),
        soci::use(retired, retired_ind);
    added = true;
  });
  return added;
}

void SigningKeyStore::retire(const std::string& kid, core::TimePoint at) {
  const long long when = core::to_millis(at);
  db_.transaction([&](soci::session& sql) {
    sql << "UPDATE signing_keys SET retired_ms = :t WHERE kid = :k AND retired_ms IS NULL",
        soci::use(when), soci::use(kid);
  });
}

void SigningKeyStore::remove(const std::string& kid) {
  db_.transaction([&](soci::session& sql) {
    sql << "DELETE FROM signing_keys WHERE kid = :k", soci::use(kid);
  });
}

}  // namespace twofold::storage
