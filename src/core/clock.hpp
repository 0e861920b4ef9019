#pragma once
// Time comes in through this interface so domain code is testable without waiting.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace twofold::core {

using TimePoint = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock the tests move by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{std::chrono::seconds{1'700'000'000}})
      : now_ms_(to_millis(start)) {}
  TimePoint now() const override { return from_millis(now_ms_.load()); }
  void advance(Millis d) { now_ms_ += d.count(); }

  static std::int64_t to_millis(TimePoint t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  }
  static TimePoint from_millis(std::int64_t ms) { return TimePoint{Millis{ms}}; }

 private:
  std::atomic<std::int64_t> now_ms_;
};

inline std::int64_t to_millis(TimePoint t) {
  return ManualClock::to_millis(t);
}
inline TimePoint from_millis(std::int64_t ms) {
  return ManualClock::from_millis(ms);
}

}  // namespace twofold::core
