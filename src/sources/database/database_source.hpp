#pragma once
// The database credential source (R-C1): Argon2id password hashes kept by twofold itself,
// with the password policy of seed 003 — a regex, a maximum age that forces a change at the
// next login, a history of recent passwords that cannot be set again, and user-name case rules.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "identity/identity.hpp"
#include "sources/database/argon2.hpp"
#include "sources/database/policy.hpp"
#include "sources/database/store.hpp"
#include "sources/source.hpp"

namespace twofold::sources::database {

struct Settings {
  Argon2Params argon2{};  // libsodium INTERACTIVE: opslimit 2, memlimit 64 MiB
  std::string policy_regex{kDefaultPolicy};
  std::uint32_t policy_match_limit{1'000'000};
  unsigned max_age_days{5500};  // 0: passwords never expire
  // The newest `history` passwords, the current one included, cannot be set again; 0: any.
  unsigned history{5};
  // Seed 003's default: "Alice" must sign in as "Alice". Off: any spelling of the ID's letters.
  bool case_sensitive{true};
  // The typed ID is lower-cased first (so any spelling works) and reported lower-case.
  bool force_lower_case{false};
  // Longer passwords are refused outright, before any lookup or hash.
  std::size_t max_password_bytes{1024};
};

enum class Rejection {
  unknown_user,
  policy,        // the regex refused the password
  policy_error,  // the regex hit its match limit: the configured pattern is unfit
  reused,        // one of the last `history` passwords
  unavailable,   // storage failed
};

struct PasswordRejected {
  Rejection reason;
  std::string message;   // for the user
  std::string detail{};  // for the server log
};

class Source final : public CredentialSource {
 public:
  // Hashes a dummy password once (unknown users are verified against it). Throws HashError or
  // PolicyError on bad settings.
  Source(Settings settings, const core::Clock& clock, identity::Directory& directory,
         PasswordStore& store);

  std::string_view name() const override { return "database"; }
  // unknown_user: no such ID (or the spelling differs while case-sensitive); not_applicable:
  // the ID has no password here; wrong_password; unavailable: storage failed. Every path that
  // reaches the lookup costs one Argon2id verification, so timing does not tell whether an ID
  // exists. On success the hash is upgraded when the configured parameters changed.
  Outcome<Authenticated> authenticate(const Credentials& credentials) override;

  // Sets the password of the ID `key` after the policy and history checks; nullopt on success.
  std::optional<PasswordRejected> set_password(std::string_view key, std::string_view password);
  bool has_password(std::string_view key);
  bool remove_password(std::string_view key);

  const Settings& settings() const { return settings_; }
  const PasswordPolicy& policy() const { return policy_; }
  // Argon2id verifications done so far (metrics; tests check the unknown-user path with it).
  std::uint64_t verifications() const { return verifications_.load(); }

 private:
  bool verify(std::string_view hash, std::string_view password);
  std::optional<PasswordRejected> check_policy(std::string_view password) const;

  Settings settings_;
  const core::Clock& clock_;
  identity::Directory& directory_;
  PasswordStore& store_;
  PasswordPolicy policy_;
  std::string dummy_hash_;
  std::atomic<std::uint64_t> verifications_{0};
};

}  // namespace twofold::sources::database
