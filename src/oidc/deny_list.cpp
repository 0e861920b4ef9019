#include "oidc/deny_list.hpp"

namespace twofold::oidc {

void DenyList::load(core::TimePoint now) {
  auto rows = store_.denied(now);
  std::unique_lock lock(mutex_);
  // Merge, not replace: a deny() between the read and here must not get lost.
  std::erase_if(entries_, [&](const auto& entry) { return entry.second <= now; });
  for (auto& row : rows) entries_.emplace(std::move(row.jti), row.expires);
}

void DenyList::deny(const std::string& jti, core::TimePoint expires, core::TimePoint now) {
  if (jti.empty() || expires <= now) return;
  store_.deny({jti, expires});
  std::unique_lock lock(mutex_);
  entries_[jti] = expires;
}

void DenyList::remember(const std::vector<DeniedToken>& tokens) {
  std::unique_lock lock(mutex_);
  for (const auto& t : tokens) entries_[t.jti] = t.expires;
}

bool DenyList::denied(const std::string& jti) const {
  std::shared_lock lock(mutex_);
  return entries_.count(jti) > 0;
}

std::size_t DenyList::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

}  // namespace twofold::oidc
