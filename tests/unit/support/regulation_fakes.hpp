#pragma once
// An in-memory regulation event store (the real one is storage::RegulationStore).
#include <algorithm>
#include <map>
#include <vector>

#include "regulation/events.hpp"

namespace twofold::fakes {

class MemoryEvents final : public regulation::EventStore {
 public:
  regulation::Window window(const std::string& bucket, core::TimePoint since) override {
    regulation::Window w;
    for (auto t : events_[bucket])
      if (t > since) {
        ++w.count;
        w.last = std::max(w.last, t);
      }
    return w;
  }
  void add(const std::string& bucket, core::TimePoint at) override {
    events_[bucket].push_back(at);
  }
  bool add_below(const std::string& bucket, core::TimePoint at, core::TimePoint since,
                 int limit) override {
    if (window(bucket, since).count >= limit) return false;
    add(bucket, at);
    return true;
  }
  void clear(const std::string& bucket) override { events_.erase(bucket); }
  void purge(core::TimePoint before) override {
    for (auto& [_, v] : events_) std::erase_if(v, [&](auto t) { return t < before; });
  }

 private:
  std::map<std::string, std::vector<core::TimePoint>> events_;
};

}  // namespace twofold::fakes
