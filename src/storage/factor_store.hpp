#pragma once
// Second-factor state (migration 4): TOTP secrets, sealed with crypto::SecretBox before
// they get here, and pending email codes, stored only as SHA-256. Both rows go with their
// identity (ON DELETE CASCADE).
#include "factors/email_code/email_code.hpp"
#include "factors/totp/totp.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class TotpSecretStore final : public factors::totp::SecretStore {
 public:
  explicit TotpSecretStore(Database& db) : db_(db) {}
  std::optional<factors::totp::SecretRecord> find(const std::string& identity_key) override;
  bool put_pending(const factors::totp::SecretRecord& record) override;
  bool confirm(const std::string& identity_key, const std::string& secret_sealed,
               std::int64_t step) override;
  bool advance_step(const std::string& identity_key, std::int64_t step) override;
  bool remove(const std::string& identity_key) override;

 private:
  Database& db_;
};

class EmailCodeStore final : public factors::email_code::CodeStore {
 public:
  explicit EmailCodeStore(Database& db) : db_(db) {}
  void put(const factors::email_code::CodeRecord& record) override;
  std::optional<factors::email_code::CodeRecord> find(const std::string& identity_key) override;
  int add_failed_attempt(const std::string& identity_key, const std::string& code_hash) override;
  bool consume(const std::string& identity_key, const std::string& code_hash) override;
  void remove(const std::string& identity_key) override;
  // Housekeeping: drops codes that expired before `now`; the number removed.
  int purge_expired(core::TimePoint now);

 private:
  Database& db_;
};

}  // namespace twofold::storage
