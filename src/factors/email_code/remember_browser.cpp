#include "factors/email_code/remember_browser.hpp"

#include <sodium.h>

#include <charconv>
#include <stdexcept>

#include "core/encoding.hpp"

namespace twofold::factors::email_code {
namespace {
constexpr std::string_view kVersion = "v1.";
constexpr std::size_t kMaxValue = 1024;  // cookies longer than this were not ours
static_assert(RememberBrowser::key_size == crypto_auth_hmacsha256_KEYBYTES);
}  // namespace

RememberBrowser::RememberBrowser(std::string_view key, std::chrono::days period,
                                 const core::Clock& clock)
    : key_(key), period_(period), clock_(clock) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (key_.size() != key_size)
    throw std::invalid_argument("the remember-browser key has " + std::to_string(key_size) +
                                " bytes");
  if (period.count() <= 0) throw std::invalid_argument("the remember-browser period must be > 0");
}

RememberBrowser::~RememberBrowser() {
  sodium_memzero(key_.data(), key_.size());
}

std::string RememberBrowser::mac(std::string_view payload) const {
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256(reinterpret_cast<unsigned char*>(out.data()),
                         reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                         reinterpret_cast<const unsigned char*>(key_.data()));
  return out;
}

std::string RememberBrowser::issue(const std::string& identity_key) const {
  const auto expires =
      std::chrono::duration_cast<std::chrono::seconds>((clock_.now() + period_).time_since_epoch())
          .count();
  std::string payload =
      std::string(kVersion) + core::base64url_encode(identity_key) + "." + std::to_string(expires);
  return payload + "." + core::base64url_encode(mac(payload));
}

bool RememberBrowser::verify(std::string_view value, const std::string& identity_key) const {
  if (value.size() > kMaxValue || value.substr(0, kVersion.size()) != kVersion) return false;
  const auto last_dot = value.rfind('.');
  const auto payload = value.substr(0, last_dot);
  const auto tag = core::base64url_decode(value.substr(last_dot + 1));
  if (!tag || tag->size() != crypto_auth_hmacsha256_BYTES) return false;
  if (crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(tag->data()),
                                    reinterpret_cast<const unsigned char*>(payload.data()),
                                    payload.size(),
                                    reinterpret_cast<const unsigned char*>(key_.data())) != 0)
    return false;
  // Authentic from here on: the fields are ours.
  const auto body = payload.substr(kVersion.size());
  const auto dot = body.find('.');
  if (dot == std::string_view::npos) return false;
  const auto who = core::base64url_decode(body.substr(0, dot));
  if (!who || *who != identity_key) return false;
  const auto expiry_text = body.substr(dot + 1);
  long long expires = 0;
  const auto [end, ec] =
      std::from_chars(expiry_text.data(), expiry_text.data() + expiry_text.size(), expires);
  if (ec != std::errc() || end != expiry_text.data() + expiry_text.size()) return false;
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch());
  return now.count() < expires;
}

}  // namespace twofold::factors::email_code
