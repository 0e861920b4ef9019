#pragma once
// RFC 6238 time-based one-time passwords on liboath, plus the otpauth:// URI that
// authenticator apps read from the enrolment QR code (Google's "Key Uri Format").
// Fixed to what every app understands: HMAC-SHA-1, 6 digits, 30-second steps.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace twofold::factors::totp {

struct Params {
  unsigned digits = 6;
  unsigned step_seconds = 30;
  unsigned window = 1;  // accept codes this many steps before and after now (clock drift)
};

// RFC 4648 base32 without '=' padding, upper case: what authenticator apps expect.
std::string base32_encode(std::string_view bytes);
// Accepts lower case, spaces and padding, as people type them. nullopt when malformed.
std::optional<std::string> base32_decode(std::string_view text);

// The RFC 6238 counter T = floor(unix time / step).
std::int64_t time_step(core::TimePoint t, unsigned step_seconds = 30);

// The code of `secret` (raw bytes) at `unix_seconds`. Throws std::runtime_error on failure.
std::string code_at(std::string_view secret, std::int64_t unix_seconds, unsigned digits = 6,
                    unsigned step_seconds = 30);

// Drops spaces and dashes ("287 082"); nullopt unless exactly `digits` decimal digits remain.
std::optional<std::string> normalize_code(std::string_view code, unsigned digits);

// The time step within `now` ± window whose code equals `code`, compared in constant time;
// nullopt when none matches or `code` is malformed.
std::optional<std::int64_t> match_step(std::string_view secret, std::string_view code,
                                       core::TimePoint now, const Params& params = {});

// RFC 3986 percent-encoding of everything but the unreserved characters (space is %20).
std::string percent_encode(std::string_view text);

// otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32, const Params& params = {});

}  // namespace twofold::factors::totp
