#include "login/transaction.hpp"

#include "core/encoding.hpp"
#include "login/params.hpp"

namespace twofold::login {

std::optional<Transaction> Transactions::create(Transaction tx) {
  const auto now = clock_.now();
  tx.id = random_.token(16);
  tx.csrf = random_.token(32);
  tx.created = now;
  tx.expires = now + life_;
  tx.version = 1;
  std::lock_guard lock(mutex_);
  if (live_.size() >= capacity_) {
    std::erase_if(live_, [&](const auto& item) { return item.second.expires <= now; });
    if (live_.size() >= capacity_) return std::nullopt;
  }
  live_.emplace(tx.id, tx);
  return tx;
}

std::optional<Transaction> Transactions::find(std::string_view id, std::string_view binding_hash) {
  std::lock_guard lock(mutex_);
  auto it = live_.find(id);
  if (it == live_.end()) return std::nullopt;
  if (it->second.expires <= clock_.now()) {
    live_.erase(it);
    return std::nullopt;
  }
  if (!core::secure_equals(it->second.binding_hash, binding_hash)) return std::nullopt;
  return it->second;
}

bool Transactions::update(Transaction& tx) {
  std::lock_guard lock(mutex_);
  auto it = live_.find(tx.id);
  if (it == live_.end() || it->second.version != tx.version) return false;
  ++tx.version;
  it->second = tx;
  return true;
}

std::optional<Transaction> Transactions::take(std::string_view id, std::uint64_t version) {
  std::lock_guard lock(mutex_);
  auto it = live_.find(id);
  if (it == live_.end() || it->second.version != version) return std::nullopt;
  auto tx = std::move(it->second);
  live_.erase(it);
  return tx;
}

void Transactions::remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (auto it = live_.find(id); it != live_.end()) live_.erase(it);
}

std::size_t Transactions::sweep() {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  return std::erase_if(live_, [&](const auto& item) { return item.second.expires <= now; });
}

std::size_t Transactions::size() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

bool csrf_matches(std::string_view expected, std::string_view presented) {
  if (expected.empty() || presented.size() != expected.size()) return false;
  return core::secure_equals(expected, presented);
}

bool same_origin_post(std::string_view origin, std::string_view sec_fetch_site,
                      std::string_view issuer) {
  // Fetch Metadata decides where the browser sends it (all current browsers do).
  if (sec_fetch_site == "same-origin" || sec_fetch_site == "none") return true;
  if (!sec_fetch_site.empty()) return false;  // cross-site, same-site
  // Older browsers: the Origin, when there is one. With Referrer-Policy no-referrer a
  // same-origin form may send "null"; the CSRF token still has to match then.
  if (origin.empty() || origin == "null") return true;
  const auto expected = origin_of(issuer);
  return !expected.empty() && origin_of(origin) == expected;
}

}  // namespace twofold::login
