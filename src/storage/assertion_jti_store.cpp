#include "storage/assertion_jti_store.hpp"

namespace twofold::storage {

bool AssertionJtiStore::remember(const std::string& client_id, const std::string& jti,
                                 core::TimePoint expires, core::TimePoint now) {
  const long long expires_ms = core::to_millis(expires), now_ms = core::to_millis(now);
  bool added = false;
  db_.transaction([&](soci::session& sql) {
    // Expired entries cannot be replayed anyway (exp is checked first); the table stays small.
    sql << "DELETE FROM oidc_assertion_jtis WHERE expires_ms <= :n", soci::use(now_ms);
    soci::statement st =
        (sql.prepare << "INSERT INTO oidc_assertion_jtis(client_id, jti, expires_ms) "
                        "VALUES(:c, :j, :e) ON CONFLICT(client_id, jti) DO NOTHING",
         soci::use(client_id), soci::use(jti), soci::use(expires_ms));
    st.execute(true);
    added = st.get_affected_rows() > 0;
  });
  return added;
}

}  // namespace twofold::storage
