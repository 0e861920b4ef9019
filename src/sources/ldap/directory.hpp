#pragma once
// The port between the LDAP source's decisions and libldap (libldap_connector.* implements
// it): just enough of LDAP for a login — simple bind and search — so the decision logic
// (failover, what counts as which failure, mapping) unit-tests against a fake directory.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace twofold::sources::ldap {

enum class Status {
  ok,
  invalid_credentials,  // LDAP result 49
  no_such_object,       // LDAP result 32
  unavailable,          // no connection, TLS failure, timeout, busy/unavailable server
  error,                // any other result (protocol error, insufficient access, …)
};

struct Result {
  Status status{Status::ok};
  std::string message{};  // libldap's text and the server's diagnostic message, for the log
};

struct Entry {
  std::string dn;
  std::map<std::string, std::vector<std::string>> attributes;  // names lower-case
  // The first value of `name` (any case), or empty.
  std::string first(std::string_view name) const;
  const std::vector<std::string>& all(std::string_view name) const;
};

enum class Scope { base, one, sub };

struct SearchResult {
  Result result;
  std::vector<Entry> entries;  // also filled when the size limit cut the answer short
};

// One connection to one server, used by one thread for one login.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Result bind(const std::string& dn, const std::string& password) = 0;
  virtual SearchResult search(const std::string& base, Scope scope, const std::string& filter,
                              const std::vector<std::string>& attributes, int size_limit) = 0;
};

class Connector {
 public:
  virtual ~Connector() = default;
  // Opens (and with StartTLS secures) a connection to `uri`; null with `error` set on failure.
  virtual std::unique_ptr<Connection> connect(const std::string& uri, Result& error) = 0;
};

}  // namespace twofold::sources::ldap
