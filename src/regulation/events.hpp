#pragma once
// Storage port of the regulation: timestamped events in named buckets ("fail:user:alice",
// "fail:addr:203.0.113.9", "session:alice"). Counting events in a sliding window from one
// table is what lets several instances on a shared database enforce the limits together.
#include <string>

#include "core/clock.hpp"

namespace twofold::regulation {

struct Window {
  int count = 0;           // events newer than the window's start
  core::TimePoint last{};  // the newest of them (epoch when count is 0)
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  virtual Window window(const std::string& bucket, core::TimePoint since) = 0;
  virtual void add(const std::string& bucket, core::TimePoint at) = 0;
  // Adds an event unless `limit` events newer than `since` exist already, atomically;
  // true when added.
  virtual bool add_below(const std::string& bucket, core::TimePoint at, core::TimePoint since,
                         int limit) = 0;
  virtual void clear(const std::string& bucket) = 0;
  virtual void purge(core::TimePoint before) = 0;  // housekeeping
};

}  // namespace twofold::regulation
