#pragma once
// Browser sessions (R-O6, R-P3, R-P4): what lets a signed-in browser get codes for other
// applications without signing in again (single sign-on). The cookie holds a random secret;
// the database holds only its SHA-256, so a stolen database opens no session. `sid` is a
// separate public id (the ID token's `sid` claim, logout). Unused sessions end after the
// idle timeout; "stay signed in" sessions live for their own period instead, and their
// secret rotates: an old secret presented after the grace time ends the session (theft).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"

namespace twofold::login {

inline constexpr std::string_view kSessionCookie = "__Host-twofold_session";

struct BrowserSession {
  std::string sid;            // public, stable: the `sid` claim
  std::string secret_hash;    // SHA-256 hex of the cookie secret
  std::string previous_hash;  // the secret before the last rotation (may be empty)
  std::string identity_key;
  core::TimePoint auth_time{};
  std::vector<std::string> amr;
  std::string acr;
  bool persistent{false};  // "stay signed in"
  core::TimePoint created{};
  core::TimePoint last_seen{};
  core::TimePoint rotated{};
  core::TimePoint expires{};  // absolute end
};

// Persistence port (storage::BrowserSessionStore). Each call is one statement.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual void insert(const BrowserSession& session) = 0;
  // The session whose secret_hash or previous_hash is `hash`.
  virtual std::optional<BrowserSession> find_by_hash(std::string_view hash) = 0;
  virtual std::optional<BrowserSession> find_by_sid(std::string_view sid) = 0;
  virtual void touch(std::string_view sid, core::TimePoint last_seen) = 0;
  // Replaces secret_hash/previous_hash/rotated if secret_hash still is `expected_hash`.
  virtual bool rotate(std::string_view sid, std::string_view expected_hash,
                      std::string_view new_hash, core::TimePoint rotated) = 0;
  virtual bool remove(std::string_view sid) = 0;
  virtual std::size_t remove_identity(std::string_view identity_key) = 0;
  // Removes sessions past `now`'s absolute end and non-persistent ones idle since `idle_cutoff`.
  virtual std::size_t remove_stale(core::TimePoint now, core::TimePoint idle_cutoff) = 0;
};

struct SessionSettings {
  std::chrono::seconds idle{std::chrono::hours(24)};             // R-P3
  std::chrono::seconds stay_signed_in{std::chrono::hours(720)};  // R-P4; 0: not offered
  std::chrono::seconds max_life{std::chrono::hours(24 * 30)};    // any non-persistent session
  std::chrono::seconds rotate_after{std::chrono::hours(1)};      // persistent sessions
  std::chrono::seconds rotation_grace{std::chrono::seconds(60)};
  std::chrono::seconds touch_every{std::chrono::seconds(60)};  // last_seen write granularity
};

struct NewSession {
  std::string identity_key;
  core::TimePoint auth_time{};
  std::vector<std::string> amr;
  std::string acr;
  bool stay_signed_in{false};
};

class Sessions {
 public:
  Sessions(SessionSettings settings, const core::Clock& clock, core::Random& random,
           SessionStore& store)
      : settings_(settings), clock_(clock), random_(random), store_(store) {}

  struct Issued {
    BrowserSession session;
    std::string secret;  // for the cookie only
  };
  Issued create(const NewSession& request);

  struct Resumed {
    BrowserSession session;
    std::string new_secret;  // non-empty when the secret rotated: send a new cookie
  };
  // The live session of a cookie secret; ends (and forgets) idle, expired or replayed ones.
  std::optional<Resumed> resume(std::string_view secret);
  void end(std::string_view secret);
  bool end_sid(std::string_view sid) { return store_.remove(sid); }
  std::size_t end_all(std::string_view identity_key) {
    return store_.remove_identity(identity_key);
  }
  std::size_t sweep();

  // Set-Cookie values: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/.
  std::string cookie(std::string_view secret, const BrowserSession& session) const;
  static std::string clear_cookie();
  const SessionSettings& settings() const { return settings_; }

 private:
  SessionSettings settings_;
  const core::Clock& clock_;
  core::Random& random_;
  SessionStore& store_;
};

// Secrets are 32 random bytes, base64url (43 characters); anything else is not looked up.
bool is_plausible_secret(std::string_view secret);

}  // namespace twofold::login
