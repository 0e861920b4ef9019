#include "regulation/session_rate.hpp"

namespace twofold::regulation {

bool SessionRate::admit(const std::string& user_key) {
  if (settings_.per_minute <= 0) return true;
  const auto now = clock_.now();
  return events_.add_below("session:" + user_key, now, now - std::chrono::minutes{1},
                           settings_.per_minute);
}

}  // namespace twofold::regulation
