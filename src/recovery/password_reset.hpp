#pragma once
// Password reset by email link (R-C5). A user who forgot the password asks for a link with
// the ID or email address; if the ID may reset (a database password, no LDAP link, active)
// and has an address, a single-use link with a 256-bit token goes out by mail. Only the
// token's SHA-256 is stored, with the ID and its expiry (default 24 hours); a new link for
// the same ID replaces the older ones. Requests are limited per ID and per source address.
// Whoever asks gets the same answer whatever happened here; the caller runs request() off
// the response path so the timing does not tell either.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "regulation/events.hpp"
#include "sources/database/database_source.hpp"

namespace twofold::recovery {

struct ResetToken {
  std::string token_hash;  // core::sha256_hex(token)
  std::string identity_key;
  core::TimePoint created{};
  core::TimePoint expires{};
};

// Storage port (storage::ResetTokenStore, migration 15).
class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // Stores `token` and deletes every older token of the same ID, in one transaction.
  virtual void replace(const ResetToken& token) = 0;
  virtual std::optional<ResetToken> find(const std::string& token_hash) = 0;
  // Deletes the token; true exactly once.
  virtual bool consume(const std::string& token_hash) = 0;
  // Puts a consumed token back unless the ID has another token by now (a refused password).
  virtual void restore(const ResetToken& token) = 0;
  virtual void purge(core::TimePoint now) = 0;  // drops expired tokens
};

// An ID a reset was asked for.
struct Account {
  std::string identity_key;
  std::string name;   // {{name}} in the mail
  std::string email;  // empty: no address
};

struct ResetMail {
  std::string to;
  std::string name;
  std::string link;
  std::string language;  // "en", "de": picks the template
  unsigned hours{24};    // {{hours}}: how long the link works
};

struct ResetPorts {
  // The ID typed on the page, or the ID whose profile has this email address.
  std::function<std::optional<Account>(std::string_view id_or_email)> find_account;
  // Why this ID cannot reset its password here (for the log), or empty when it can.
  std::function<std::string(const std::string& identity_key)> ineligible;
  std::function<void(const ResetMail& mail)> send;  // throws on failure
  // Sets the new password (policy, history); the refusal, or nullopt when it was set.
  std::function<std::optional<sources::database::PasswordRejected>(const std::string& key,
                                                                   std::string_view password)>
      set_password;
  // After a reset: every browser session (and what hangs on it) of the ID ends.
  std::function<void(const std::string& identity_key)> end_sessions;
};

struct ResetSettings {
  std::string issuer;  // https://host[:port], the link's base
  std::chrono::seconds validity{std::chrono::hours(24)};
  std::chrono::seconds id_interval{std::chrono::minutes(5)};  // at most one mail per ID
  int per_address_per_hour{10};                               // requests from one address
};

// What request() did, for the log and the tests; never shown to the user.
enum class RequestOutcome {
  mailed,
  unknown,
  ineligible,
  no_email,
  too_soon,
  address_limit,
  failed
};
std::string_view to_string(RequestOutcome outcome);

struct CompleteResult {
  enum class Status { done, invalid_token, refused } status{Status::invalid_token};
  std::optional<sources::database::PasswordRejected> refusal;  // with refused
  std::string identity_key;                                    // with done
};

class PasswordReset {
 public:
  PasswordReset(ResetSettings settings, const core::Clock& clock, core::Random& random,
                TokenStore& tokens, regulation::EventStore& events, ResetPorts ports)
      : settings_(std::move(settings)),
        clock_(clock),
        random_(random),
        tokens_(tokens),
        events_(events),
        ports_(std::move(ports)) {}

  // Blocking (lookups, SMTP): the caller answers the browser first. Logs why no mail went
  // out at info level, never the token.
  RequestOutcome request(std::string_view id_or_email, const std::string& address,
                         std::string_view language);
  // The live token behind a link (unused, not expired), by the token or by its hash.
  std::optional<ResetToken> check(std::string_view token);
  std::optional<ResetToken> check_hash(const std::string& token_hash);
  // Sets the new password with the token `token_hash`; the token is used up on success only.
  CompleteResult complete(const std::string& token_hash, std::string_view password);
  void purge() { tokens_.purge(clock_.now()); }
  const ResetSettings& settings() const { return settings_; }

 private:
  ResetSettings settings_;
  const core::Clock& clock_;
  core::Random& random_;
  TokenStore& tokens_;
  regulation::EventStore& events_;
  ResetPorts ports_;
};

// A link's token as typed: 43 base64url characters (32 bytes); anything else is not looked up.
bool is_plausible_token(std::string_view token);

// The catalogue key of the login page's notice for a refused password.
std::string_view refusal_notice(sources::database::Rejection reason);

}  // namespace twofold::recovery
