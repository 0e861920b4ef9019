#include "regulation/throttle.hpp"

#include <algorithm>

namespace twofold::regulation {

std::chrono::seconds Throttle::delay_after(int count, const Limit& limit) {
  const int over = count - limit.free;
  if (over <= 0) return std::chrono::seconds{0};
  // first_delay · 2^(over-1), capped; the shift is bounded so it cannot overflow.
  const int shift = std::min(over - 1, 30);
  const auto delay = limit.first_delay * (std::int64_t{1} << shift);
  return std::min<std::chrono::seconds>(delay, limit.max_delay);
}

std::string Throttle::user_bucket(const Attempt& attempt) const {
  if (!attempt.device.empty()) return "fail:device:" + attempt.device;
  return "fail:user:" + attempt.user_key;
}

std::optional<std::chrono::seconds> Throttle::wait(const std::string& bucket, const Limit& limit) {
  const auto now = clock_.now();
  const auto w = events_.window(bucket, now - settings_.window);
  const auto delay = delay_after(w.count, limit);
  if (delay.count() == 0) return std::nullopt;
  const auto until = w.last + delay;
  if (until <= now) return std::nullopt;
  auto left = std::chrono::ceil<std::chrono::seconds>(until - now);
  return std::max(left, std::chrono::seconds{1});
}

std::optional<Held> Throttle::check(const Attempt& attempt) {
  if (!attempt.address.empty())
    if (auto left = wait("fail:addr:" + attempt.address, settings_.per_address))
      return Held{HeldBy::address, *left};
  if (!attempt.user_key.empty())
    if (auto left = wait(user_bucket(attempt), settings_.per_user))
      return Held{HeldBy::user, *left};
  return std::nullopt;
}

void Throttle::failed(const Attempt& attempt) {
  const auto now = clock_.now();
  if (!attempt.address.empty()) events_.add("fail:addr:" + attempt.address, now);
  if (!attempt.user_key.empty()) events_.add(user_bucket(attempt), now);
}

void Throttle::succeeded(const Attempt& attempt) {
  if (!attempt.user_key.empty()) events_.clear(user_bucket(attempt));
}

}  // namespace twofold::regulation
