#pragma once
// Credential sources (R-C1…R-C4), in the spirit of Dex connectors: each place that can check
// an ID and password (the database, LDAP, …) is one CredentialSource in its own folder, and
// the login page only talks to this interface. The configured order (R-C3) is a Chain.
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace twofold::sources {

// Non-owning: valid for the duration of one authenticate() call, so the password is not
// copied around (and not kept) by the interface itself.
struct Credentials {
  std::string_view login;     // the ID as typed on the login page
  std::string_view password;  // UTF-8, as typed
};

// What a source knows about the user it just authenticated.
struct Authenticated {
  std::string key;           // identity key (lower-case), the account key twofold uses everywhere
  std::string source;        // name() of the source that said yes
  std::string username;      // preferred_username as the source spells it
  std::string display_name;  // empty if the source has none
  std::string email;         // empty if the source has none
  std::vector<std::string> roles;
  std::vector<std::string> groups;
  // The password was right but is older than the maximum age: the login page must ask for a
  // new one before the login completes (R-C1).
  bool password_change_required{false};
  std::string detail{};  // for the server log only (e.g. "rehash failed: …")
};

enum class Failure {
  unknown_user,      // the source has no such user
  wrong_password,    // the user exists here and the password is wrong
  not_applicable,    // the user exists but this source cannot check them (no password / no
                     // LDAP id): the mixed mode of R-C3 moves on to the next source
  unavailable,       // the source could not be asked (LDAP down, database error)
  expired_password,  // the password was right but the source refuses it as expired (AD)
};

std::string_view to_string(Failure failure);
// The text for the browser. unknown_user, wrong_password and not_applicable share one message
// so the page never tells whether an ID exists.
std::string_view browser_message(Failure failure);

struct Error {
  Failure failure;
  std::string message;   // browser_message(failure)
  std::string detail{};  // for the server log only: names the user, the server, the cause
};

Error make_error(Failure failure, std::string detail);

template <typename T>
using Outcome = std::variant<T, Error>;

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // The name used in the configuration, e.g. "database" or "ldap".
  virtual std::string_view name() const = 0;
  // Blocking (a password hash or a network round trip): call it off the I/O threads.
  // Implementations return `unavailable` instead of throwing.
  virtual Outcome<Authenticated> authenticate(const Credentials& credentials) = 0;
};

struct ChainError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// The mixed mode of R-C3, exactly as seed 003 describes it: "ldap,database" tries LDAP first
// and, if that login fails, the database; "database,ldap" the other way round. A source is
// only really tried if the user record has what it needs (an LDAP id, a password); a source
// without it answers not_applicable, which the chain skips.
//
// The rule, therefore: the first success wins; ANY failure of one source (unknown_user,
// not_applicable, wrong_password, unavailable, expired_password) moves on to the next. The
// seed says "Schlägt die Anmeldung fehl" — the login fails — without exceptions, so a wrong
// LDAP password still gets a try against the user's database password.
//
// When every source fails, the chain reports the most telling failure, in this order:
// expired_password (the password was right somewhere), unavailable (a source we could not ask
// might have said yes), wrong_password, unknown_user, not_applicable. The detail lists every
// source's answer for the log. Sources are not owned and must outlive the chain.
class Chain final : public CredentialSource {
 public:
  explicit Chain(std::vector<CredentialSource*> sources);
  // `order` as configured: "database", "ldap", "ldap,database", "database,ldap" — in general a
  // comma-separated list of names of `available`, each at most once. Throws ChainError on an
  // empty list, an unknown name or a repeated name.
  Chain(std::string_view order, const std::vector<CredentialSource*>& available);

  std::string_view name() const override { return name_; }  // e.g. "ldap,database"
  Outcome<Authenticated> authenticate(const Credentials& credentials) override;
  const std::vector<CredentialSource*>& sources() const { return sources_; }

 private:
  std::vector<CredentialSource*> sources_;
  std::string name_;
};

}  // namespace twofold::sources
