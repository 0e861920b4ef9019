#include "storage/profile_store.hpp"

#include <nlohmann/json.hpp>

namespace twofold::storage {

std::optional<identity::Profile> ProfileStore::find_profile(std::string_view identity_key) {
  std::optional<identity::Profile> out;
  db_.read([&](soci::session& sql) {
    identity::Profile p;
    std::string key(identity_key), roles;
    int verified = 0, disabled = 0;
    long long updated = 0;
    sql << "SELECT display_name, email, email_verified, roles, disabled, updated_ms "
           "FROM profiles WHERE identity_key = :k",
        soci::into(p.display_name), soci::into(p.email), soci::into(verified), soci::into(roles),
        soci::into(disabled), soci::into(updated), soci::use(key);
    if (!sql.got_data()) return;
    p.identity_key = key;
    p.email_verified = verified != 0;
    p.disabled = disabled != 0;
    p.updated = core::from_millis(updated);
    const auto parsed = nlohmann::json::parse(roles, nullptr, false);
    if (parsed.is_array())
      for (const auto& r : parsed)
        if (r.is_string()) p.roles.push_back(r.get<std::string>());
    out = std::move(p);
  });
  return out;
}

void ProfileStore::save_profile(const identity::Profile& p) {
  const std::string roles = nlohmann::json(p.roles).dump();
  const int verified = p.email_verified ? 1 : 0, disabled = p.disabled ? 1 : 0;
  const long long updated = core::to_millis(p.updated);
  db_.transaction([&](soci::session& sql) {
    sql << "INSERT INTO profiles(identity_key, display_name, email, email_verified, roles, "
           "disabled, updated_ms) VALUES(:k, :n, :e, :v, :r, :d, :u) "
           "ON CONFLICT(identity_key) DO UPDATE SET display_name = excluded.display_name, "
           "email = excluded.email, email_verified = excluded.email_verified, "
           "roles = excluded.roles, disabled = excluded.disabled, updated_ms = excluded.updated_ms",
        soci::use(p.identity_key), soci::use(p.display_name), soci::use(p.email),
        soci::use(verified), soci::use(roles), soci::use(disabled), soci::use(updated);
  });
}

std::vector<std::string> ProfileStore::keys_with_email(std::string_view email, std::size_t limit) {
  const std::string e(email);
  const int n = static_cast<int>(limit);
  std::vector<std::string> out;
  db_.read([&](soci::session& sql) {
    std::string key;
    soci::statement st = (sql.prepare << "SELECT identity_key FROM profiles WHERE email = :e "
                                         "COLLATE NOCASE ORDER BY identity_key LIMIT :n",
                          soci::use(e), soci::use(n), soci::into(key));
    st.execute();
    while (st.fetch()) out.push_back(key);
  });
  return out;
}

}  // namespace twofold::storage
