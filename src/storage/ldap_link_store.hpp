#pragma once
#include "sources/ldap/ldap_source.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

// The LDAP id of an ID (seed 003's "LDAP-ID" field): LDAP is tried only for linked IDs.
class LdapLinkStore final : public sources::ldap::LinkStore {
 public:
  explicit LdapLinkStore(Database& db) : db_(db) {}
  std::optional<std::string> ldap_id(std::string_view identity_key) override;
  void link(std::string_view identity_key, std::string_view ldap_id) override;
  bool unlink(std::string_view identity_key) override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
