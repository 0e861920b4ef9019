#pragma once
// Brute-force throttling of password and code guesses (R-P5), per user and per source
// address, with exponential back-off. The first `free` failures in the window cost nothing;
// after that each failure doubles the wait before the next try, up to a cap, and failures
// older than the window are forgotten. Tries during a wait are refused without counting.
//
// So that an attacker cannot lock a victim out for good (OWASP "device cookies"), a browser
// in which the user signed in before (the login's device cookie) is not held by the
// user-wide counter: its failures count in a bucket of its own. A stranger's guesses from
// many addresses slow down that user's new browsers only, and never beyond the cap.
#include <chrono>
#include <optional>
#include <string>

#include "regulation/events.hpp"

namespace twofold::regulation {

struct Limit {
  int free = 5;                         // failures without any delay
  std::chrono::seconds first_delay{1};  // after the first counted failure
  std::chrono::seconds max_delay{std::chrono::minutes{5}};
};

struct ThrottleSettings {
  std::chrono::seconds window{std::chrono::minutes{15}};
  Limit per_user{5, std::chrono::seconds{1}, std::chrono::minutes{5}};
  Limit per_address{20, std::chrono::seconds{1}, std::chrono::minutes{15}};
};

enum class HeldBy { user, address };

struct Held {
  HeldBy by = HeldBy::user;
  std::chrono::seconds retry_after{0};  // rounded up, at least 1
};

// Who is trying: `device` is the verified device-cookie id for this user, or empty.
struct Attempt {
  std::string user_key;
  std::string address;
  std::string device;
};

class Throttle {
 public:
  Throttle(ThrottleSettings settings, const core::Clock& clock, EventStore& events)
      : settings_(settings), clock_(clock), events_(events) {}

  // Before checking the secret: nullopt when the try may go ahead.
  std::optional<Held> check(const Attempt& attempt);
  // A wrong password or code.
  void failed(const Attempt& attempt);
  // A good one: the user's (or device's) failures are forgotten; the address keeps its count,
  // so one valid account does not launder guesses against others.
  void succeeded(const Attempt& attempt);

  // The wait after `count` failures under `limit` (0 while within the free ones).
  static std::chrono::seconds delay_after(int count, const Limit& limit);

  const ThrottleSettings& settings() const { return settings_; }

 private:
  std::string user_bucket(const Attempt& attempt) const;
  std::optional<std::chrono::seconds> wait(const std::string& bucket, const Limit& limit);

  ThrottleSettings settings_;
  const core::Clock& clock_;
  EventStore& events_;
};

}  // namespace twofold::regulation
