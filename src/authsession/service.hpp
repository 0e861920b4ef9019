#pragma once
// The auth-session state machine: what services (service API) and devices (device API) may
// do with an auth session. Pure domain code: time, randomness, storage and notification come
// in through interfaces; thread-safe.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <unordered_map>
#include <variant>

#include "authsession/auth_session.hpp"
#include "core/random.hpp"
#include "identity/identity.hpp"

namespace twofold::authsession {

struct Settings {
  std::chrono::seconds timeout{120};
  std::chrono::seconds retention{600};
  std::chrono::seconds suspension_window{600};
  std::chrono::seconds priority_code_life{300};
  std::uint32_t symbol_count{24};
};

struct NewRequest {
  std::string secsignid;  // the ID, or a priority code in its place
  std::string service_name;
  std::string service_address;
  std::string plugin_name;
  std::string api_method;
  std::string requester_ip;
  bool show_access_pass{true};
};

// Why a call was refused; the service API maps each to its documented error code.
enum class Failure {
  unknown_id,
  id_locked,
  unknown_session,  // no such session, or released, canceled, purged
  wrong_request_id,
  not_pending,  // the device answered too late, twice, or with a stale nonce
  storage,      // the database refused the write; nothing changed
};

struct Error {
  Failure failure;
  std::string message;
  std::string detail{};  // for the server log only (e.g. the database's own error text)
};

template <typename T>
using Outcome = std::variant<T, Error>;

enum class Decision { accept, deny };

struct PriorityCode {
  std::string code;
  core::TimePoint expires;
};

class Service {
 public:
  Service(Settings settings, const core::Clock& clock, core::Random& random,
          identity::Directory& directory, Store& store, Listener& listener);

  // Loads the live sessions from the store (pending sessions survive a restart).
  void restore();

  // --- service side (service API) ---
  Outcome<AuthSession> request(const NewRequest& request);
  Outcome<AuthSession> state(std::string_view secsignid, std::string_view id,
                             std::string_view request_id);
  Outcome<AuthSession> cancel(std::string_view secsignid, std::string_view id,
                              std::string_view request_id);
  Outcome<AuthSession> release(std::string_view secsignid, std::string_view id,
                               std::string_view request_id);

  // --- device side (device API); the device domain has checked token and signature ---
  // Live sessions of the ID; PENDING ones become FETCHED.
  Outcome<std::vector<AuthSession>> fetch(const std::string& identity_key);
  std::optional<AuthSession> find(const std::string& identity_key, std::string_view id);
  Outcome<AuthSession> answer(const std::string& identity_key, std::string_view id,
                              Decision decision, std::uint32_t symbol, std::string_view nonce,
                              const std::string& device_id);
  // "This was not me": denies every live session of the ID (R-D2a).
  Outcome<std::vector<AuthSession>> deny_all(const std::string& identity_key, std::string_view id,
                                             std::string_view nonce, const std::string& device_id);
  Outcome<PriorityCode> issue_priority_code(const std::string& identity_key);

  // Expires overdue sessions and purges finished ones past retention. Returns how many
  // sessions changed. Called periodically by the server.
  std::size_t sweep();
  std::size_t live_count() const;
  std::size_t size() const;

 private:
  using Lock = std::unique_lock<std::mutex>;
  Outcome<AuthSession*> locate(std::string_view secsignid, std::string_view id,
                               std::string_view request_id);
  // The identity's live session `id` whose nonce is `nonce` (a device answering it), or why
  // not. The caller holds the lock.
  Outcome<AuthSession*> pending_for_device(const std::string& identity_key, std::string_view id,
                                           std::string_view nonce);
  void expire_if_due(AuthSession& s);
  bool persist(std::span<const AuthSession> changed, Error& error);
  void index(const AuthSession& s);
  void unindex(const AuthSession& s);
  // When the sweeper must next look at `s`: its expiry while live, else its purge time.
  void schedule(const AuthSession& s);
  std::string new_session_id();

  Settings settings_;
  const core::Clock& clock_;
  core::Random& random_;
  identity::Directory& directory_;
  Store& store_;
  Listener& listener_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, AuthSession> sessions_;                  // by id
  std::unordered_map<std::string, std::vector<std::string>> by_identity_;  // live ids per ID
  std::map<std::string, std::pair<std::string, core::TimePoint>> priority_codes_;
  // Min-heap of (deadline, session id), so a sweep costs what is due, not every session.
  // Entries are hints: the sweeper re-checks the session, stale entries are dropped.
  using Deadline = std::pair<core::TimePoint, std::string>;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
};

}  // namespace twofold::authsession
