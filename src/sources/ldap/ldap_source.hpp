#pragma once
// The LDAP / Active Directory credential source (R-C2): the password lives on the directory
// server, twofold keeps only the link from an ID to its LDAP id (seed 003's "LDAP-ID" field).
// One or more servers are tried in order (failover); the user is bound directly by a DN
// template or found by a search (optionally as a service account) and then bound; email,
// display name and group → role mapping flow into the ID's profile.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "identity/identity.hpp"
#include "identity/profile.hpp"
#include "sources/ldap/directory.hpp"
#include "sources/source.hpp"

namespace twofold::sources::ldap {

// Persistence port: the LDAP id of an ID (storage/ldap_link_store.* implements it).
class LinkStore {
 public:
  virtual ~LinkStore() = default;
  virtual std::optional<std::string> ldap_id(std::string_view identity_key) = 0;
  virtual void link(std::string_view identity_key, std::string_view ldap_id) = 0;
  virtual bool unlink(std::string_view identity_key) = 0;
};

struct GroupRoles {
  std::string group;  // a group DN (compared normalised) or a group name (case-insensitive)
  std::vector<std::string> roles;
};

struct Settings {
  std::vector<std::string> servers;  // ldap:// or ldaps:// URIs, tried in this order
  // Direct bind: the user's DN from the LDAP id, e.g. "uid={user},ou=people,dc=example,dc=org".
  // Empty: search-then-bind with the user_search_* settings.
  std::string user_dn_template;
  std::string bind_dn;        // service account for the searches; empty: anonymous
  std::string bind_password;  // read from [ldap] bind_password_file
  std::string user_search_base;
  std::string user_search_filter{"(uid={user})"};
  Scope user_search_scope{Scope::sub};
  std::string email_attribute{"mail"};
  std::string name_attribute{"displayName"};  // falls back to cn when the entry has none
  // Groups by search ({dn}: the user's DN, {user}: the LDAP id, both filter-escaped)…
  std::string group_search_base;  // empty: no group search
  std::string group_search_filter{"(member={dn})"};
  std::string group_name_attribute{"cn"};
  // …and/or from an attribute of the user entry holding group DNs (AD, OpenLDAP memberof).
  std::string member_of_attribute;
  std::vector<GroupRoles> group_roles;  // empty: roles are not touched
  bool sync_profile{true};              // write email, name and roles into the profile
  bool email_verified{false};           // mark the directory's email address verified
  std::size_t max_password_bytes{1024};
};

// Throws std::invalid_argument when a template has an unknown placeholder or the settings
// contradict each other; the message names the setting.
void validate(const Settings& settings);

// What one directory says about a user (for `twofold source test` and the profile sync).
struct DirectoryUser {
  std::string dn;
  std::string email;
  std::string display_name;
  std::vector<std::string> groups;  // DNs
  std::vector<std::string> roles;   // mapped, without duplicates, in map order
  std::string server;               // the URI that answered
  std::string skipped;              // why the servers before it were passed over (log)
};

// The roles `groups` (DNs) map to under `table`: a group matches an entry by its normalised
// DN or by its name (first RDN value), case-insensitively.
std::vector<std::string> map_roles(const std::vector<std::string>& groups,
                                   const std::vector<GroupRoles>& table);

// Classifies a refused user bind: Active Directory puts "data 532" (password expired) or
// "data 773" (must change) into the diagnostic message.
Failure bind_failure(const Result& result);

// Whether the directory still has a user's entry (R-P2). `unavailable`: no server could say,
// which never counts as gone (nobody is signed out because the directory is down).
enum class Presence { present, gone, unavailable };

class Source final : public CredentialSource {
 public:
  // `profiles` null: nothing is written (the CLI's test). Throws std::invalid_argument on bad
  // settings.
  Source(Settings settings, Connector& connector, identity::Directory& identities, LinkStore& links,
         identity::ProfileStore* profiles, const core::Clock& clock);

  std::string_view name() const override { return "ldap"; }
  // unknown_user: no such ID, or the directory has no entry for its LDAP id; not_applicable:
  // the ID has no LDAP id (seed 003: LDAP is tried only then); wrong_password; expired_password
  // (AD); unavailable: no server could be asked. The ID's profile is updated on success.
  Outcome<Authenticated> authenticate(const Credentials& credentials) override;

  // The directory check alone, by LDAP id: failover, bind, attributes, groups, roles.
  Outcome<DirectoryUser> check(std::string_view ldap_id, std::string_view password);

  // R-P2: is the entry of `ldap_id` still there? Read as the service account (or anonymously)
  // by the user search or by the DN template, with the same servers, failover and timeouts
  // as a login; `detail` says what was seen (for the log).
  Presence exists(std::string_view ldap_id, std::string* detail = nullptr);

  const Settings& settings() const { return settings_; }

 private:
  Presence look_up(const std::string& uri, std::string_view ldap_id, std::string& detail);
  struct Attempt;
  Attempt try_server(const std::string& uri, std::string_view ldap_id, std::string_view password);
  void sync(const std::string& key, const DirectoryUser& user, std::string& detail);

  Settings settings_;
  Connector& connector_;
  identity::Directory& identities_;
  LinkStore& links_;
  identity::ProfileStore* profiles_;
  const core::Clock& clock_;
};

}  // namespace twofold::sources::ldap
