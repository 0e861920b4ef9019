#include "storage/regulation_store.hpp"

namespace twofold::storage {
namespace {

regulation::Window window_in(soci::session& sql, const std::string& bucket, long long since) {
  int count = 0;
  long long last = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT COUNT(*), MAX(at_ms) FROM regulation_events WHERE bucket = :b AND at_ms > :s",
      soci::use(bucket), soci::use(since), soci::into(count), soci::into(last, ind);
  regulation::Window w;
  w.count = count;
  if (count > 0 && ind == soci::i_ok) w.last = core::from_millis(last);
  return w;
}

}  // namespace

regulation::Window RegulationStore::window(const std::string& bucket, core::TimePoint since) {
  regulation::Window w;
  const long long s = core::to_millis(since);
  db_.read([&](soci::session& sql) { w = window_in(sql, bucket, s); });
  return w;
}

void RegulationStore::add(const std::string& bucket, core::TimePoint at) {
  const long long a = core::to_millis(at);
  db_.transaction([&](soci::session& sql) {
    sql << "INSERT INTO regulation_events(bucket, at_ms) VALUES(:b, :a)", soci::use(bucket),
        soci::use(a);
  });
}

bool RegulationStore::add_below(const std::string& bucket, core::TimePoint at,
                                core::TimePoint since, int limit) {
  const long long a = core::to_millis(at), s = core::to_millis(since);
  bool added = false;
  // Count and insert in one transaction: concurrent sign-ins cannot both take the last slot.
  db_.transaction([&](soci::session& sql) {
    if (window_in(sql, bucket, s).count >= limit) return;
    sql << "INSERT INTO regulation_events(bucket, at_ms) VALUES(:b, :a)", soci::use(bucket),
        soci::use(a);
    added = true;
  });
  return added;
}

void RegulationStore::clear(const std::string& bucket) {
  db_.transaction([&](soci::session& sql) {
    sql << "DELETE FROM regulation_events WHERE bucket = :b", soci::use(bucket);
  });
}

void RegulationStore::purge(core::TimePoint before) {
  const long long b = core::to_millis(before);
  db_.transaction([&](soci::session& sql) {
    sql << "DELETE FROM regulation_events WHERE at_ms < :b", soci::use(b);
  });
}

}  // namespace twofold::storage
