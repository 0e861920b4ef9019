#include "storage/factor_store.hpp"

namespace twofold::storage {
namespace {

// Runs one statement and tells how many rows it changed.
long long changed(soci::statement& st) {
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace

// --- TOTP secrets ---

std::optional<factors::totp::SecretRecord> TotpSecretStore::find(const std::string& identity_key) {
  std::optional<factors::totp::SecretRecord> out;
  db_.read([&](soci::session& sql) {
    factors::totp::SecretRecord r;
    int confirmed = 0;
    long long last_step = -1, created = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT secret_sealed, confirmed, last_step, created_ms FROM totp_secrets "
           "WHERE identity_key = :k",
        soci::use(identity_key), soci::into(r.secret_sealed, ind), soci::into(confirmed),
        soci::into(last_step), soci::into(created);
    if (!sql.got_data() || ind != soci::i_ok) return;
    r.identity_key = identity_key;
    r.confirmed = confirmed != 0;
    r.last_step = last_step;
    r.created = core::from_millis(created);
    out = r;
  });
  return out;
}

bool TotpSecretStore::put_pending(const factors::totp::SecretRecord& record) {
  const long long created = core::to_millis(record.created);
  bool stored = false;
  db_.transaction([&](soci::session& sql) {
    // The WHERE of the upsert keeps a confirmed secret: no row changes then.
    soci::statement st =
        (sql.prepare << "INSERT INTO totp_secrets(identity_key, secret_sealed, confirmed, "
                        "last_step, created_ms) VALUES(:k, :s, 0, -1, :c) "
                        "ON CONFLICT(identity_key) DO UPDATE SET "
                        "secret_sealed = excluded.secret_sealed, last_step = -1, "
                        "created_ms = excluded.created_ms WHERE totp_secrets.confirmed = 0",
         soci::use(record.identity_key), soci::use(record.secret_sealed), soci::use(created));
    stored = changed(st) > 0;
  });
  return stored;
}

bool TotpSecretStore::confirm(const std::string& identity_key, const std::string& secret_sealed,
                              std::int64_t step) {
  const long long s = step;
  bool done = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE totp_secrets SET confirmed = 1, last_step = :s "
                        "WHERE identity_key = :k AND confirmed = 0 AND secret_sealed = :sealed",
         soci::use(s), soci::use(identity_key), soci::use(secret_sealed));
    done = changed(st) > 0;
  });
  return done;
}

bool TotpSecretStore::advance_step(const std::string& identity_key, std::int64_t step) {
  const long long s = step;
  bool done = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE totp_secrets SET last_step = :s "
                                         "WHERE identity_key = :k AND confirmed = 1 "
                                         "AND last_step < :s2",
                          soci::use(s), soci::use(identity_key), soci::use(s));
    done = changed(st) > 0;
  });
  return done;
}

bool TotpSecretStore::remove(const std::string& identity_key) {
  bool removed = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "DELETE FROM totp_secrets WHERE identity_key = :k",
                          soci::use(identity_key));
    removed = changed(st) > 0;
  });
  return removed;
}

// --- email codes ---

void EmailCodeStore::put(const factors::email_code::CodeRecord& r) {
  const long long created = core::to_millis(r.created), expires = core::to_millis(r.expires);
  db_.transaction([&](soci::session& sql) {
    sql << "INSERT INTO email_codes(identity_key, code_hash, created_ms, expires_ms, attempts) "
           "VALUES(:k, :h, :c, :e, :a) ON CONFLICT(identity_key) DO UPDATE SET "
           "code_hash = excluded.code_hash, created_ms = excluded.created_ms, "
           "expires_ms = excluded.expires_ms, attempts = excluded.attempts",
        soci::use(r.identity_key), soci::use(r.code_hash), soci::use(created), soci::use(expires),
        soci::use(r.attempts);
  });
}

std::optional<factors::email_code::CodeRecord> EmailCodeStore::find(
    const std::string& identity_key) {
  std::optional<factors::email_code::CodeRecord> out;
  db_.read([&](soci::session& sql) {
    factors::email_code::CodeRecord r;
    long long created = 0, expires = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT code_hash, created_ms, expires_ms, attempts FROM email_codes "
           "WHERE identity_key = :k",
        soci::use(identity_key), soci::into(r.code_hash, ind), soci::into(created),
        soci::into(expires), soci::into(r.attempts);
    if (!sql.got_data() || ind != soci::i_ok) return;
    r.identity_key = identity_key;
    r.created = core::from_millis(created);
    r.expires = core::from_millis(expires);
    out = r;
  });
  return out;
}

int EmailCodeStore::add_failed_attempt(const std::string& identity_key,
                                       const std::string& code_hash) {
  int attempts = 0;
  db_.transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE email_codes SET attempts = attempts + 1 "
                                         "WHERE identity_key = :k AND code_hash = :h",
                          soci::use(identity_key), soci::use(code_hash));
    if (changed(st) == 0) return;
    sql << "SELECT attempts FROM email_codes WHERE identity_key = :k", soci::use(identity_key),
        soci::into(attempts);
  });
  return attempts;
}

bool EmailCodeStore::consume(const std::string& identity_key, const std::string& code_hash) {
  bool consumed = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM email_codes WHERE identity_key = :k AND code_hash = :h",
         soci::use(identity_key), soci::use(code_hash));
    consumed = changed(st) > 0;
  });
  return consumed;
}

void EmailCodeStore::remove(const std::string& identity_key) {
  db_.transaction([&](soci::session& sql) {
    sql << "DELETE FROM email_codes WHERE identity_key = :k", soci::use(identity_key);
  });
}

int EmailCodeStore::purge_expired(core::TimePoint now) {
  const long long ms = core::to_millis(now);
  long long removed = 0;
  db_.transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM email_codes WHERE expires_ms <= :t", soci::use(ms));
    removed = changed(st);
  });
  return static_cast<int>(removed);
}

}  // namespace twofold::storage
