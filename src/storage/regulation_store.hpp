#pragma once
// The regulation's events (migration 14): one row per failed try or new session, counted in
// a sliding window and purged after a day.
#include "regulation/events.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class RegulationStore final : public regulation::EventStore {
 public:
  explicit RegulationStore(Database& db) : db_(db) {}
  regulation::Window window(const std::string& bucket, core::TimePoint since) override;
  void add(const std::string& bucket, core::TimePoint at) override;
  bool add_below(const std::string& bucket, core::TimePoint at, core::TimePoint since,
                 int limit) override;
  void clear(const std::string& bucket) override;
  void purge(core::TimePoint before) override;

 private:
  Database& db_;
};

}  // namespace twofold::storage
