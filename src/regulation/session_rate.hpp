#pragma once
// At most N new sign-ins per user and minute (R-P1, seed 002: "SessionsPerUserAndMinute",
// default 10). Counted in the shared event store, so every instance sees the same count.
#include <chrono>
#include <string>

#include "regulation/events.hpp"

namespace twofold::regulation {

struct SessionRateSettings {
  int per_minute = 10;  // 0: no limit
};

class SessionRate {
 public:
  SessionRate(SessionRateSettings settings, const core::Clock& clock, EventStore& events)
      : settings_(settings), clock_(clock), events_(events) {}

  // Counts a new session for the user; false (and nothing counted) when the user already
  // opened `per_minute` sessions within the last minute.
  bool admit(const std::string& user_key);

 private:
  SessionRateSettings settings_;
  const core::Clock& clock_;
  EventStore& events_;
};

}  // namespace twofold::regulation
