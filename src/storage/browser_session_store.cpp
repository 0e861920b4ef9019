#include "storage/browser_session_store.hpp"

#include "login/params.hpp"

namespace twofold::storage {
namespace {

using core::from_millis;
using core::to_millis;

constexpr const char* kColumns =
    "sid, secret_hash, previous_hash, identity_key, auth_time_ms, amr, acr, persistent, "
    "created_ms, last_seen_ms, rotated_ms, expires_ms";

}  // namespace

void BrowserSessionStore::insert(const login::BrowserSession& s) {
  const std::string amr = login::join(s.amr, " ");
  const int persistent = s.persistent ? 1 : 0;
  const long long auth = to_millis(s.auth_time), created = to_millis(s.created),
                  seen = to_millis(s.last_seen), rotated = to_millis(s.rotated),
                  expires = to_millis(s.expires);
  db_.transaction([&](soci::session& sql) {
    sql << "INSERT INTO browser_sessions(" << kColumns
        << ") VALUES(:sid, :h, :p, :k, :a, :amr, :acr, :pe, :c, :l, :r, :e)",
        soci::use(s.sid), soci::use(s.secret_hash), soci::use(s.previous_hash),
        soci::use(s.identity_key), soci::use(auth), soci::use(amr), soci::use(s.acr),
        soci::use(persistent), soci::use(created), soci::use(seen), soci::use(rotated),
        soci::use(expires);
  });
}

std::optional<login::BrowserSession> BrowserSessionStore::find_where(const char* condition,
                                                                     std::string_view value) {
  std::optional<login::BrowserSession> out;
  const std::string v(value);
  db_.read([&](soci::session& sql) {
    login::BrowserSession s;
    std::string amr;
    int persistent = 0;
    long long auth = 0, created = 0, seen = 0, rotated = 0, expires = 0;
    sql << "SELECT " << kColumns << " FROM browser_sessions WHERE " << condition << " LIMIT 1",
        soci::use(v), soci::into(s.sid), soci::into(s.secret_hash), soci::into(s.previous_hash),
        soci::into(s.identity_key), soci::into(auth), soci::into(amr), soci::into(s.acr),
        soci::into(persistent), soci::into(created), soci::into(seen), soci::into(rotated),
        soci::into(expires);
    if (!sql.got_data()) return;
    s.amr = login::split_spaces(amr);
    s.persistent = persistent != 0;
    s.auth_time = from_millis(auth);
    s.created = from_millis(created);
    s.last_seen = from_millis(seen);
    s.rotated = from_millis(rotated);
    s.expires = from_millis(expires);
    out = std::move(s);
  });
  return out;
}

std::optional<login::BrowserSession> BrowserSessionStore::find_by_hash(std::string_view hash) {
  if (auto s = find_where("secret_hash = :v", hash)) return s;
  if (hash.empty()) return std::nullopt;
  return find_where("previous_hash = :v", hash);
}

std::optional<login::BrowserSession> BrowserSessionStore::find_by_sid(std::string_view sid) {
  return find_where("sid = :v", sid);
}

void BrowserSessionStore::touch(std::string_view sid, core::TimePoint last_seen) {
  const std::string id(sid);
  const long long seen = to_millis(last_seen);
  db_.transaction([&](soci::session& sql) {
    sql << "UPDATE browser_sessions SET last_seen_ms = :l WHERE sid = :s", soci::use(seen),
        soci::use(id);
  });
}

bool BrowserSessionStore::rotate(std::string_view sid, std::string_view expected_hash,
                                 std::string_view new_hash, core::TimePoint rotated) {
  const std::string id(sid), expected(expected_hash), next(new_hash);
  const long long at = to_millis(rotated);
  std::size_t n = 0;
  db_.transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE browser_sessions SET previous_hash = secret_hash, "
                        "secret_hash = :n, rotated_ms = :r WHERE sid = :s AND secret_hash = :e",
         soci::use(next), soci::use(at), soci::use(id), soci::use(expected));
    st.execute(true);
    n = static_cast<std::size_t>(st.get_affected_rows());
  });
  return n > 0;
}

bool BrowserSessionStore::remove(std::string_view sid) {
  const std::string id(sid);
  std::size_t n = 0;
  db_.transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM browser_sessions WHERE sid = :s", soci::use(id));
    st.execute(true);
    n = static_cast<std::size_t>(st.get_affected_rows());
  });
  return n > 0;
}

std::size_t BrowserSessionStore::remove_identity(std::string_view identity_key) {
  const std::string key(identity_key);
  std::size_t n = 0;
  db_.transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM browser_sessions WHERE identity_key = :k", soci::use(key));
    st.execute(true);
    n = static_cast<std::size_t>(st.get_affected_rows());
  });
  return n;
}

std::size_t BrowserSessionStore::remove_stale(core::TimePoint now, core::TimePoint idle_cutoff) {
  const long long n_ms = to_millis(now), idle_ms = to_millis(idle_cutoff);
  std::size_t n = 0;
  db_.transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "DELETE FROM browser_sessions WHERE expires_ms <= :n OR "
                                         "(persistent = 0 AND last_seen_ms <= :i)",
                          soci::use(n_ms), soci::use(idle_ms));
    st.execute(true);
    n = static_cast<std::size_t>(st.get_affected_rows());
  });
  return n;
}

std::vector<std::string> BrowserSessionStore::sids_of(std::string_view identity_key) {
  const std::string key(identity_key);
  std::vector<std::string> out;
  db_.read([&](soci::session& sql) {
    std::string sid;
    soci::statement st = (sql.prepare << "SELECT sid FROM browser_sessions WHERE identity_key = :k",
                          soci::use(key), soci::into(sid));
    st.execute();
    while (st.fetch()) out.push_back(sid);
  });
  return out;
}

}  // namespace twofold::storage
