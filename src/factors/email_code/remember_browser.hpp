#pragma once
// "Remember this browser" (R-F2, seed 003): after a good code the login page may set a
// cookie that skips the email code for `period` days. The value is
//   v1.<base64url(identity key)>.<expiry, unix seconds>.<base64url(HMAC-SHA256)>
// with the MAC over everything before the last dot, under a key of its own (not the TOTP
// or session keys), so it is bound to one user and one expiry and cannot be forged or
// stretched. Verification is constant time (libsodium's crypto_auth_hmacsha256_verify).
// Set it Secure, HttpOnly, SameSite=Lax, Max-Age = max_age().
#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace twofold::factors::email_code {

class RememberBrowser {
 public:
  static constexpr std::size_t key_size = 32;
  static constexpr std::string_view cookie_name = "twofold_remember";

  // Throws std::invalid_argument unless `key` has key_size bytes and period > 0.
  RememberBrowser(std::string_view key, std::chrono::days period, const core::Clock& clock);
  ~RememberBrowser();

  std::string issue(const std::string& identity_key) const;
  // True when `value` was issued by this key for exactly this identity and has not expired.
  bool verify(std::string_view value, const std::string& identity_key) const;
  std::chrono::seconds max_age() const { return period_; }

 private:
  std::string mac(std::string_view payload) const;

  std::string key_;
  std::chrono::seconds period_;
  const core::Clock& clock_;
};

}  // namespace twofold::factors::email_code
