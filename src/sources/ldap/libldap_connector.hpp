#pragma once
// The Connector port over OpenLDAP's libldap: TLS (ldaps:// or StartTLS) with certificate
// verification against a configured CA file, and a bound on every wait — connecting
// (LDAP_OPT_NETWORK_TIMEOUT) and every operation (ldap_result with a timeout, plus the
// server-side time limit) — so a hanging server is an `unavailable` answer, not a stuck login.
#include <chrono>
#include <string>

#include "sources/ldap/directory.hpp"

namespace twofold::sources::ldap {

struct ConnectionOptions {
  bool starttls{false};
  std::string ca_file;  // empty: the system's trust store
  bool tls_verify{true};
  std::chrono::milliseconds network_timeout{5000};
  std::chrono::milliseconds operation_timeout{10000};
};

class LibLdapConnector final : public Connector {
 public:
  // Also runs libldap's process-wide initialisation once, here, before logins run in parallel.
  explicit LibLdapConnector(ConnectionOptions options);
  std::unique_ptr<Connection> connect(const std::string& uri, Result& error) override;

 private:
  ConnectionOptions options_;
};

}  // namespace twofold::sources::ldap
