#include "storage/service_key_store.hpp"

namespace twofold::storage {

bool ServiceKeyStore::add(const servicekey::ServiceKey& key) {
  const long long created = core::to_millis(key.created);
  bool added = false;
  db_.transaction([&](soci::session& sql) {
    int taken = 0;
    sql << "SELECT COUNT(*) FROM service_keys WHERE service = :s", soci::use(key.service),
        soci::into(taken);
    if (taken) return;
    sql << "INSERT INTO service_keys(service, key_hash, created_ms) VALUES(:s, :h, :c)",
        soci::use(key.service), soci::use(key.key_hash), soci::use(created);
    added = true;
  });
  return added;
}

std::optional<std::string> ServiceKeyStore::service_for(const std::string& key_hash) {
  std::optional<std::string> out;
  db_.read([&](soci::session& sql) {
    std::string service;
    soci::indicator ind = soci::i_null;
    sql << "SELECT service FROM service_keys WHERE key_hash = :h", soci::use(key_hash),
        soci::into(service, ind);
    if (sql.got_data() && ind == soci::i_ok) out = service;
  });
  return out;
}

bool ServiceKeyStore::remove(const std::string& service) {
  bool removed = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM service_keys WHERE service = :s", soci::use(service));
    st.execute(true);
    removed = st.get_affected_rows() > 0;
  });
  return removed;
}

std::vector<servicekey::ServiceKey> ServiceKeyStore::list() {
  std::vector<servicekey::ServiceKey> out;
  db_.read([&](soci::session& sql) {
    servicekey::ServiceKey k;
    long long created = 0;
    soci::statement st = (sql.prepare << "SELECT service, key_hash, created_ms FROM service_keys "
                                         "ORDER BY service",
                          soci::into(k.service), soci::into(k.key_hash), soci::into(created));
    st.execute();
    while (st.fetch()) {
      k.created = core::from_millis(created);
      out.push_back(k);
    }
  });
  return out;
}

}  // namespace twofold::storage
