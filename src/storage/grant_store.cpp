#include "storage/grant_store.hpp"

namespace twofold::storage {
namespace {

using nlohmann::json;
using oidc::DeniedToken;

std::optional<oidc::Authorization> parse_authorization(const std::string& text) {
  return oidc::authorization_from_json(json::parse(text, nullptr, /*allow_exceptions=*/false));
}

// Inside a transaction: revokes the family's tokens and denies the access tokens issued with
// them that are still valid.
std::vector<DeniedToken> revoke_family_in(soci::session& sql, const std::string& family,
                                          long long now) {
  std::vector<DeniedToken> denied;
  {
    std::string jti;
    long long expires = 0;
    soci::statement st =
        (sql.prepare << "SELECT access_jti, access_expires_ms FROM oidc_refresh_tokens "
                        "WHERE family = :f AND revoked = 0 AND access_jti <> '' "
                        "AND access_expires_ms > :n",
         soci::use(family), soci::use(now), soci::into(jti), soci::into(expires));
    st.execute();
    while (st.fetch()) denied.push_back({jti, core::from_millis(expires)});
  }
  sql << "UPDATE oidc_refresh_tokens SET revoked = 1 WHERE family = :f", soci::use(family);
  for (const auto& d : denied) {
    const long long expires = core::to_millis(d.expires);
    sql << "INSERT OR IGNORE INTO oidc_denied_jtis(jti, expires_ms) VALUES(:j, :e)",
        soci::use(d.jti), soci::use(expires);
  }
  return denied;
}

void insert_refresh(soci::session& sql, const oidc::RefreshRecord& r) {
  const std::string grant = oidc::to_json(r.grant).dump();
  const int offline = r.offline ? 1 : 0;
  const long long created = core::to_millis(r.created), expires = core::to_millis(r.expires),
                  access_expires = core::to_millis(r.access_expires);
  sql << "INSERT INTO oidc_refresh_tokens(token_hash, family, client_id, subject, sid, offline, "
         "grant_doc, created_ms, expires_ms, used_ms, revoked, access_jti, access_expires_ms) "
         "VALUES(:h, :f, :c, :s, :sid, :o, :g, :cr, :e, NULL, 0, :j, :je)",
      soci::use(r.hash), soci::use(r.family), soci::use(r.grant.client_id),
      soci::use(r.grant.subject), soci::use(r.grant.sid), soci::use(offline), soci::use(grant),
      soci::use(created), soci::use(expires), soci::use(r.access_jti), soci::use(access_expires);
}

}  // namespace

void GrantStore::save_code(const std::string& hash, const oidc::Authorization& authorization,
                           core::TimePoint expires) {
  const std::string doc = oidc::to_json(authorization).dump();
  const long long expires_ms = core::to_millis(expires);
  db_.transaction([&](soci::session& sql) {
    sql << "INSERT INTO oidc_codes(code_hash, authorization_doc, expires_ms, redeemed_ms) "
           "VALUES(:h, :a, :e, NULL)",
        soci::use(hash), soci::use(doc), soci::use(expires_ms);
  });
}

std::optional<oidc::StoredCode> GrantStore::redeem_code(const std::string& hash,
                                                        core::TimePoint now) {
  std::optional<oidc::StoredCode> out;
  const long long now_ms = core::to_millis(now);
  db_.transaction([&](soci::session& sql) {
    std::string doc;
    long long expires = 0, redeemed = 0;
    soci::indicator redeemed_ind = soci::i_null;
    sql << "SELECT authorization_doc, expires_ms, redeemed_ms FROM oidc_codes "
           "WHERE code_hash = :h",
        soci::use(hash), soci::into(doc), soci::into(expires), soci::into(redeemed, redeemed_ind);
    if (!sql.got_data()) return;
    auto authorization = parse_authorization(doc);
    if (!authorization) return;  // unreadable: as good as unknown
    oidc::StoredCode code{std::move(*authorization), core::from_millis(expires), std::nullopt};
    if (redeemed_ind == soci::i_ok) {
      code.redeemed = core::from_millis(redeemed);
    } else {
      sql << "UPDATE oidc_codes SET redeemed_ms = :n WHERE code_hash = :h", soci::use(now_ms),
          soci::use(hash);
    }
    out = std::move(code);
  });
  return out;
}

void GrantStore::save_refresh(const oidc::RefreshRecord& record) {
  db_.transaction([&](soci::session& sql) { insert_refresh(sql, record); });
}

std::optional<oidc::RefreshRecord> GrantStore::find_refresh(const std::string& hash) {
  std::optional<oidc::RefreshRecord> out;
  db_.read([&](soci::session& sql) {
    oidc::RefreshRecord r;
    std::string grant;
    int offline = 0, revoked = 0;
    long long created = 0, expires = 0, used = 0, access_expires = 0;
    soci::indicator used_ind = soci::i_null;
    sql << "SELECT family, offline, grant_doc, created_ms, expires_ms, used_ms, revoked, "
           "access_jti, access_expires_ms FROM oidc_refresh_tokens WHERE token_hash = :h",
        soci::use(hash), soci::into(r.family), soci::into(offline), soci::into(grant),
        soci::into(created), soci::into(expires), soci::into(used, used_ind), soci::into(revoked),
        soci::into(r.access_jti), soci::into(access_expires);
    if (!sql.got_data()) return;
    auto authorization = parse_authorization(grant);
    if (!authorization) return;
    r.hash = hash;
    r.grant = std::move(*authorization);
    r.offline = offline != 0;
    r.created = core::from_millis(created);
    r.expires = core::from_millis(expires);
    if (used_ind == soci::i_ok) r.used = core::from_millis(used);
    r.revoked = revoked != 0;
    r.access_expires = core::from_millis(access_expires);
    out = std::move(r);
  });
  return out;
}

bool GrantStore::rotate_refresh(const std::string& old_hash, core::TimePoint now,
                                const oidc::RefreshRecord& next) {
  const long long now_ms = core::to_millis(now);
  bool rotated = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE oidc_refresh_tokens SET used_ms = :n "
                        "WHERE token_hash = :h AND used_ms IS NULL AND revoked = 0",
         soci::use(now_ms), soci::use(old_hash));
    st.execute(true);
    if (st.get_affected_rows() == 0) return;
    insert_refresh(sql, next);
    rotated = true;
  });
  return rotated;
}

std::vector<DeniedToken> GrantStore::revoke_family(const std::string& family, core::TimePoint now) {
  std::vector<DeniedToken> out;
  const long long now_ms = core::to_millis(now);
  db_.transaction([&](soci::session& sql) { out = revoke_family_in(sql, family, now_ms); });
  return out;
}

std::vector<DeniedToken> GrantStore::revoke_session(const std::string& sid, core::TimePoint now) {
  std::vector<DeniedToken> out;
  const long long now_ms = core::to_millis(now);
  db_.transaction([&](soci::session& sql) {
    std::vector<std::string> families;
    {
      std::string family;
      soci::statement st = (sql.prepare << "SELECT DISTINCT family FROM oidc_refresh_tokens "
                                           "WHERE sid = :s AND offline = 0 AND revoked = 0",
                            soci::use(sid), soci::into(family));
      st.execute();
      while (st.fetch()) families.push_back(family);
    }
    for (const auto& family : families) {
      auto denied = revoke_family_in(sql, family, now_ms);
      out.insert(out.end(), denied.begin(), denied.end());
    }
  });
  return out;
}

void GrantStore::deny(const DeniedToken& token) {
  const long long expires = core::to_millis(token.expires);
  db_.transaction([&](soci::session& sql) {
    sql << "INSERT INTO oidc_denied_jtis(jti, expires_ms) VALUES(:j, :e) "
           "ON CONFLICT(jti) DO UPDATE SET expires_ms = MAX(expires_ms, excluded.expires_ms)",
        soci::use(token.jti), soci::use(expires);
  });
}

std::vector<DeniedToken> GrantStore::denied(core::TimePoint now) {
  std::vector<DeniedToken> out;
  const long long now_ms = core::to_millis(now);
  db_.read([&](soci::session& sql) {
    std::string jti;
    long long expires = 0;
    soci::statement st = (sql.prepare << "SELECT jti, expires_ms FROM oidc_denied_jtis "
                                         "WHERE expires_ms > :n",
                          soci::use(now_ms), soci::into(jti), soci::into(expires));
    st.execute();
    while (st.fetch()) out.push_back({jti, core::from_millis(expires)});
  });
  return out;
}

void GrantStore::purge(core::TimePoint codes_before, core::TimePoint now) {
  const long long codes_ms = core::to_millis(codes_before), now_ms = core::to_millis(now);
  db_.transaction([&](soci::session& sql) {
    sql << "DELETE FROM oidc_codes WHERE expires_ms < :t", soci::use(codes_ms);
    sql << "DELETE FROM oidc_refresh_tokens WHERE expires_ms < :t", soci::use(now_ms);
    sql << "DELETE FROM oidc_denied_jtis WHERE expires_ms < :t", soci::use(now_ms);
  });
}

}  // namespace twofold::storage
