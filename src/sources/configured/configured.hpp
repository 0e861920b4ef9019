#pragma once
// The credential sources as the configuration asks for them, built in one place for the
// server's login and for `twofold source test`, so both check passwords the same way:
// [sources] order (R-C3), the database source (R-C1), the LDAP source (R-C2) and the rule
// that admins always keep the database (R-C6).
#include <memory>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "identity/identity.hpp"
#include "identity/profile.hpp"
#include "sources/database/database_source.hpp"
#include "sources/ldap/ldap_source.hpp"
#include "sources/ldap/libldap_connector.hpp"
#include "sources/source.hpp"

namespace twofold::sources {

struct SourcePorts {
  const core::Clock& clock;
  identity::Directory& identities;
  database::PasswordStore& passwords;
  ldap::LinkStore& links;
  identity::ProfileStore* profiles;  // null: LDAP logins do not update profiles
};

// A configuration that parses but cannot be used (a file it names is missing).
struct SetupError : config::ConfigError {
  using config::ConfigError::ConfigError;
};

// Reads [ldap] bind_password_file; throws SetupError when it cannot be read.
ldap::Settings ldap_settings(const config::Config& config);
ldap::ConnectionOptions ldap_connection(const config::Config& config);

// R-C6 when the order leaves the database out: the database source for IDs with the admin
// flag, not_applicable for everyone else.
class AdminsOnly final : public CredentialSource {
 public:
  AdminsOnly(CredentialSource& inner, identity::Directory& identities)
      : inner_(inner), identities_(identities) {}
  std::string_view name() const override { return "database(admins)"; }
  Outcome<Authenticated> authenticate(const Credentials& credentials) override;

 private:
  CredentialSource& inner_;
  identity::Directory& identities_;
};

class ConfiguredSources {
 public:
  // Throws SetupError (bad [ldap] settings, unreadable password file) or ChainError.
  ConfiguredSources(const config::Config& config, SourcePorts ports);

  CredentialSource& credentials() { return *chain_; }  // the configured order
  database::Source& database() { return *database_; }
  ldap::Source* ldap() { return ldap_.get(); }  // null unless the order names ldap
  // True when the ID can give a password to some configured source: a database password,
  // or an LDAP id while LDAP is in the order. IDs without one sign in by push alone (R-O6).
  bool has_password(const std::string& key);

 private:
  SourcePorts ports_;
  std::unique_ptr<database::Source> database_;
  std::unique_ptr<ldap::LibLdapConnector> connector_;
  std::unique_ptr<ldap::Source> ldap_;
  std::unique_ptr<AdminsOnly> admins_;
  std::unique_ptr<Chain> chain_;
};

}  // namespace twofold::sources
