#include "storage/ldap_link_store.hpp"

namespace twofold::storage {

std::optional<std::string> LdapLinkStore::ldap_id(std::string_view identity_key) {
  std::optional<std::string> out;
  const std::string k(identity_key);
  db_.read([&](soci::session& sql) {
    std::string id;
    sql << "SELECT ldap_id FROM ldap_links WHERE identity_key = :k", soci::use(k), soci::into(id);
    if (sql.got_data()) out = id;
  });
  return out;
}

void LdapLinkStore::link(std::string_view identity_key, std::string_view ldap_id) {
  const std::string k(identity_key), id(ldap_id);
  db_.transaction([&](soci::session& sql) {
    sql << "DELETE FROM ldap_links WHERE identity_key = :k", soci::use(k);
    sql << "INSERT INTO ldap_links(identity_key, ldap_id) VALUES(:k, :i)", soci::use(k),
        soci::use(id);
  });
}

bool LdapLinkStore::unlink(std::string_view identity_key) {
  const std::string k(identity_key);
  long long before = 0;
  db_.transaction([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM ldap_links WHERE identity_key = :k", soci::use(k),
        soci::into(before);
    sql << "DELETE FROM ldap_links WHERE identity_key = :k", soci::use(k);
  });
  return before > 0;
}

}  // namespace twofold::storage
