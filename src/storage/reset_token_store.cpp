#include "storage/reset_token_store.hpp"

namespace twofold::storage {

void ResetTokenStore::replace(const recovery::ResetToken& t) {
  const long long created = core::to_millis(t.created), expires = core::to_millis(t.expires);
  db_.transaction([&](soci::session& sql) {
    sql << "DELETE FROM password_reset_tokens WHERE identity_key = :k", soci::use(t.identity_key);
    sql << "INSERT INTO password_reset_tokens(token_hash, identity_key, created_ms, expires_ms) "
           "VALUES(:h, :k, :c, :e)",
        soci::use(t.token_hash), soci::use(t.identity_key), soci::use(created), soci::use(expires);
  });
}

std::optional<recovery::ResetToken> ResetTokenStore::find(const std::string& token_hash) {
  std::optional<recovery::ResetToken> out;
  db_.read([&](soci::session& sql) {
    recovery::ResetToken t;
    long long created = 0, expires = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT identity_key, created_ms, expires_ms FROM password_reset_tokens "
           "WHERE token_hash = :h",
        soci::use(token_hash), soci::into(t.identity_key, ind), soci::into(created),
        soci::into(expires);
    if (!sql.got_data() || ind != soci::i_ok) return;
    t.token_hash = token_hash;
    t.created = core::from_millis(created);
    t.expires = core::from_millis(expires);
    out = std::move(t);
  });
  return out;
}

bool ResetTokenStore::consume(const std::string& token_hash) {
  bool consumed = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "DELETE FROM password_reset_tokens WHERE token_hash = :h",
                          soci::use(token_hash));
    st.execute(true);
    consumed = st.get_affected_rows() > 0;
  });
  return consumed;
}

void ResetTokenStore::restore(const recovery::ResetToken& t) {
  const long long created = core::to_millis(t.created), expires = core::to_millis(t.expires);
  db_.transaction([&](soci::session& sql) {
    sql << "INSERT INTO password_reset_tokens(token_hash, identity_key, created_ms, expires_ms) "
           "SELECT :h, :k, :c, :e WHERE NOT EXISTS "
           "(SELECT 1 FROM password_reset_tokens WHERE identity_key = :k2)",
        soci::use(t.token_hash), soci::use(t.identity_key), soci::use(created), soci::use(expires),
        soci::use(t.identity_key);
  });
}

void ResetTokenStore::purge(core::TimePoint now) {
  const long long ms = core::to_millis(now);
  db_.transaction([&](soci::session& sql) {
    sql << "DELETE FROM password_reset_tokens WHERE expires_ms <= :t", soci::use(ms);
  });
}

}  // namespace twofold::storage
