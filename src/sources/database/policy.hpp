#pragma once
// The password policy regex of R-C1 (PCRE2 through regex::Pattern, because the seed's default
// uses lookaheads that std::regex handles poorly). The pattern comes from the configuration,
// so it is compiled once at start and every match runs under a match limit: a pattern with
// catastrophic backtracking answers `too_complex` instead of hanging a thread.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "regex/pattern.hpp"

namespace twofold::sources::database {

inline constexpr std::string_view kDefaultPolicy = "^(?=.*[0-9])(?=.*[A-Z])(?=.*[a-z]).{7,}$";

struct PolicyError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class PasswordPolicy {
 public:
  enum class Verdict { accepted, refused, too_complex };

  // UTF-8 mode: `.{7,}` counts characters, not bytes; invalid UTF-8 in a password is matched
  // as such instead of failing. Throws PolicyError with PCRE2's message and offset when the
  // pattern does not compile.
  explicit PasswordPolicy(std::string pattern = std::string(kDefaultPolicy),
                          std::uint32_t match_limit = 1'000'000);
  ~PasswordPolicy();
  PasswordPolicy(PasswordPolicy&&) noexcept;
  PasswordPolicy& operator=(PasswordPolicy&&) noexcept;

  // Thread-safe: the compiled code is shared, match data is per call.
  Verdict check(std::string_view password) const;

  const std::string& pattern() const { return pattern_; }
  bool jit() const { return regex_.jit(); }

 private:
  std::string pattern_;
  regex::Pattern regex_;
};

}  // namespace twofold::sources::database
