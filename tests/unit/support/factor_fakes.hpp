#pragma once
// In-memory ports of the second factors, for the unit tests of the factors and the login.
#include <map>
#include <optional>
#include <string>

#include "factors/totp/totp.hpp"

namespace twofold::fakes {

// The same contract as storage::TotpSecretStore, in memory.
class MemoryTotpStore final : public factors::totp::SecretStore {
 public:
  std::map<std::string, factors::totp::SecretRecord> rows;
  std::optional<factors::totp::SecretRecord> find(const std::string& k) override {
    auto it = rows.find(k);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  bool put_pending(const factors::totp::SecretRecord& r) override {
    auto it = rows.find(r.identity_key);
    if (it != rows.end() && it->second.confirmed) return false;
    rows[r.identity_key] = r;
    return true;
  }
  bool confirm(const std::string& k, const std::string& sealed, std::int64_t step) override {
    auto it = rows.find(k);
    if (it == rows.end() || it->second.confirmed || it->second.secret_sealed != sealed)
      return false;
    it->second.confirmed = true;
    it->second.last_step = step;
    return true;
  }
  bool advance_step(const std::string& k, std::int64_t step) override {
    auto it = rows.find(k);
    if (it == rows.end() || !it->second.confirmed || step <= it->second.last_step) return false;
    it->second.last_step = step;
    return true;
  }
  bool remove(const std::string& k) override { return rows.erase(k) > 0; }
};

}  // namespace twofold::fakes
