#include "factors/totp/otp.hpp"

#include <liboath/oath.h>
#include <sodium.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace twofold::factors::totp {
namespace {

void init_oath() {
  // oath_init() must precede any other call; it is cheap and idempotent, but keep it once.
  static const int rc = oath_init();
  if (rc != OATH_OK) throw std::runtime_error("liboath failed to initialise");
}

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

// liboath calls this for each candidate code in the window; 0 means "equal".
int constant_time_compare(void* handle, const char* candidate) {
  const auto* typed = static_cast<const std::string*>(handle);
  if (std::char_traits<char>::length(candidate) != typed->size()) return 1;
  return sodium_memcmp(candidate, typed->data(), typed->size()) == 0 ? 0 : 1;
}

}  // namespace

std::string base32_encode(std::string_view bytes) {
  init_oath();
  char* out = nullptr;
  std::size_t len = 0;
  if (oath_base32_encode(bytes.data(), bytes.size(), &out, &len) != OATH_OK)
    throw std::runtime_error("base32 encoding failed");
  std::unique_ptr<char, FreeDeleter> owned(out);
  std::string text(out, len);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::optional<std::string> base32_decode(std::string_view text) {
  init_oath();
  std::string clean;
  for (char c : text) {
    if (c == ' ' || c == '=') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    clean.push_back(c);
  }
  if (clean.empty()) return std::nullopt;
  // liboath wants whole 8-character groups.
  while (clean.size() % 8 != 0) clean.push_back('=');
  char* out = nullptr;
  std::size_t len = 0;
  if (oath_base32_decode(clean.data(), clean.size(), &out, &len) != OATH_OK) return std::nullopt;
  std::unique_ptr<char, FreeDeleter> owned(out);
  std::string bytes(out, len);
  sodium_memzero(out, len);  // it was a secret
  return bytes;
}

std::int64_t time_step(core::TimePoint t, unsigned step_seconds) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return secs / static_cast<std::int64_t>(step_seconds);
}

std::string code_at(std::string_view secret, std::int64_t unix_seconds, unsigned digits,
                    unsigned step_seconds) {
  init_oath();
  char out[16] = {};
  if (digits < 6 || digits > 8) throw std::invalid_argument("TOTP codes have 6 to 8 digits");
  const int rc = oath_totp_generate(secret.data(), secret.size(), static_cast<time_t>(unix_seconds),
                                    step_seconds, OATH_TOTP_DEFAULT_START_TIME, digits, out);
  if (rc != OATH_OK) throw std::runtime_error(std::string("TOTP failed: ") + oath_strerror(rc));
  return std::string(out, digits);
}

std::optional<std::string> normalize_code(std::string_view code, unsigned digits) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') return std::nullopt;
    out.push_back(c);
    if (out.size() > digits) return std::nullopt;
  }
  if (out.size() != digits) return std::nullopt;
  return out;
}

std::optional<std::int64_t> match_step(std::string_view secret, std::string_view code,
                                       core::TimePoint now, const Params& params) {
  init_oath();
  auto clean = normalize_code(code, params.digits);
  if (!clean) return std::nullopt;
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  int pos = 0;
  std::uint64_t counter = 0;
  const int rc =
      oath_totp_validate3_callback(secret.data(), secret.size(), static_cast<time_t>(secs),
                                   params.step_seconds, OATH_TOTP_DEFAULT_START_TIME, params.digits,
                                   params.window, &pos, &counter, constant_time_compare, &*clean);
  if (rc < 0) return std::nullopt;  // OATH_INVALID_OTP or an error
  return static_cast<std::int64_t>(counter);
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32, const Params& params) {
  // The issuer goes both in the label (older apps) and as a parameter (newer ones); a ':'
  // inside either name is percent-encoded so it cannot be taken for the separator.
  std::string uri = "otpauth://totp/" + percent_encode(issuer) + ":" + percent_encode(account);
  uri += "?secret=" + std::string(secret_base32);
  uri += "&issuer=" + percent_encode(issuer);
  uri += "&algorithm=SHA1&digits=" + std::to_string(params.digits);
  uri += "&period=" + std::to_string(params.step_seconds);
  return uri;
}

}  // namespace twofold::factors::totp
