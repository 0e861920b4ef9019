#pragma once
// The TOTP second factor (R-F3): two-step enrolment from the profile page (a pending secret
// shown as QR code, confirmed by the first valid code), then verification at login with a
// ±1 step window. Each time step is accepted once per user (RFC 6238 §5.2), so a code seen
// over someone's shoulder cannot be replayed within its 90 seconds.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/secret_box.hpp"
#include "factors/factor.hpp"
#include "factors/totp/otp.hpp"
#include "factors/totp/qr_png.hpp"

namespace twofold::factors::totp {

struct SecretRecord {
  std::string identity_key;
  std::string secret_sealed;    // SecretBox::seal_text of the raw secret bytes
  bool confirmed = false;       // false: enrolment pending
  std::int64_t last_step = -1;  // the last accepted time step; -1 none yet
  core::TimePoint created{};
};

// Storage port (storage::TotpSecretStore). Each write is one atomic statement, so two
// requests racing with the same code cannot both win.
class SecretStore {
 public:
  virtual ~SecretStore() = default;
  virtual std::optional<SecretRecord> find(const std::string& identity_key) = 0;
  // Inserts or replaces a pending secret; false (and no change) when a confirmed one exists.
  virtual bool put_pending(const SecretRecord& record) = 0;
  // Confirms the pending secret `secret_sealed` and records `step` as used; false when it
  // is no longer the pending secret (replaced, removed or already confirmed).
  virtual bool confirm(const std::string& identity_key, const std::string& secret_sealed,
                       std::int64_t step) = 0;
  // Sets last_step = step if the secret is confirmed and step > last_step; false otherwise.
  virtual bool advance_step(const std::string& identity_key, std::int64_t step) = 0;
  virtual bool remove(const std::string& identity_key) = 0;
};

struct TotpError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  std::string issuer = "twofold";  // shown in the authenticator app
  Params params;
  std::chrono::seconds pending_ttl{std::chrono::minutes{10}};  // to scan and confirm
  QrOptions qr;
  std::size_t secret_bytes = 20;  // 160 bits, RFC 4226's recommendation for SHA-1
};

struct Enrolment {
  std::string secret_base32;  // for typing in by hand
  std::string uri;            // otpauth://…
  std::string qr_png;         // PNG bytes of `uri`
};

class TotpFactor final : public Factor {
 public:
  TotpFactor(Options options, const core::Clock& clock, core::Random& random,
             const crypto::SecretBox& box, SecretStore& store)
      : options_(std::move(options)), clock_(clock), random_(random), box_(box), store_(store) {}

  FactorKind kind() const override { return FactorKind::totp; }
  const Options& options() const { return options_; }

  bool is_enrolled(const std::string& identity_key);

  // Starts (or restarts) enrolment with a fresh secret. `account` is the name the app shows
  // (user name or email). Throws TotpError when a confirmed secret exists: remove it first,
  // so that losing the new phone halfway does not lock the user out.
  Enrolment begin_enrolment(const std::string& identity_key, std::string_view account);
  // The enrolment still waiting for its first code (to show the QR code again), or nullopt
  // when none is pending or it has expired.
  std::optional<Enrolment> pending_enrolment(const std::string& identity_key,
                                             std::string_view account);
  // The first valid code activates the pending secret.
  VerifyResult confirm_enrolment(const std::string& identity_key, std::string_view code);
  // Login: a confirmed secret, a code within the window, a step not used before.
  VerifyResult verify(const std::string& identity_key, std::string_view code) override;
  bool remove(const std::string& identity_key) { return store_.remove(identity_key); }

 private:
  std::string open_secret(const SecretRecord& record) const;
  Enrolment enrolment_of(std::string& secret, std::string_view account) const;

  Options options_;
  const core::Clock& clock_;
  core::Random& random_;
  const crypto::SecretBox& box_;
  SecretStore& store_;
};

}  // namespace twofold::factors::totp
