#pragma once
// One pending login approval for one ID, requested by a service (SPEC R-S2…R-S7).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace twofold::authsession {

// The nine wire states of R-S5; the numbers are the service API's.
enum class State : int {
  nostate = 0,
  pending = 1,
  expired = 2,
  accepted = 3,
  denied = 4,
  suspended = 5,
  canceled = 6,
  fetched = 7,
  invalid = 8,
};

std::string_view state_name(State s);  // "PENDING", …
// Live sessions still wait for the device; every other state is final.
inline bool is_live(State s) {
  return s == State::pending || s == State::fetched;
}

struct AuthSession {
  std::string id;            // 19 decimal digits
  std::string request_id;    // 64 upper-case hex digits, the service's secret for this session
  std::string identity_key;  // the ID's key (lower-case)
  std::string secsignid;     // the ID's name as enrolled
  std::string requested_as;  // what the service sent: the ID or a priority code
  std::string service_name;
  std::string service_address;
  std::string plugin_name;
  std::string api_method;
  std::string requester_ip;
  bool show_access_pass{true};
  std::uint32_t symbol{0};  // index into the access-pass symbol set
  std::string nonce;        // server nonce the device signs with its answer
  State state{State::pending};
  core::TimePoint created{};
  core::TimePoint expires{};
  core::TimePoint updated{};
  std::string device_id;  // the device that answered
  std::string message;    // shown to the service with the state, e.g. why it was denied
};

// Persistence port. Each call is one transaction; it throws on failure and then nothing
// was written (callers keep their in-memory state unchanged).
class Store {
 public:
  virtual ~Store() = default;
  // Inserts or updates the live sessions and their audit records.
  virtual void save(std::span<const AuthSession> sessions) = 0;
  // Removes a session from the live table; its audit record stays.
  virtual void remove(const std::string& id) = 0;
  // Every session still in the live table (used at start: pending sessions survive restarts).
  virtual std::vector<AuthSession> load_live() = 0;
};

// Told about changes, e.g. to wake a device's long-poll. Must not call back into Service.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void session_created(const AuthSession& session) = 0;
};

}  // namespace twofold::authsession
