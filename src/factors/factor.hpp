#pragma once
// Vocabulary shared by the second factors (R-F1…R-F3), in the spirit of Glewlwyd's schemes:
// each factor has its own enrolment ("register") and its own way of asking ("challenge": a
// push to the phone, nothing for TOTP, a mail for the email code), so those stay on the
// concrete classes. What the login page needs from all of them alike is "does this code
// prove the user?", which is the one virtual function here.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace twofold::factors {

enum class FactorKind { push, totp, email_code };

constexpr std::string_view to_string(FactorKind kind) {
  switch (kind) {
    case FactorKind::push:
      return "push";
    case FactorKind::totp:
      return "totp";
    case FactorKind::email_code:
      return "email_code";
  }
  return "";
}

constexpr std::optional<FactorKind> parse_factor_kind(std::string_view name) {
  if (name == "push") return FactorKind::push;
  if (name == "totp") return FactorKind::totp;
  if (name == "email_code") return FactorKind::email_code;
  return std::nullopt;
}

enum class VerifyStatus {
  ok,
  wrong,       // not the expected code; the user may try again
  expired,     // no (longer a) valid code or pending enrolment: ask for a new one
  locked_out,  // too many wrong tries: the code is void
  replay,      // a code already used once
  not_set_up,  // the user has no such factor (e.g. no confirmed TOTP secret)
};

constexpr std::string_view to_string(VerifyStatus s) {
  switch (s) {
    case VerifyStatus::ok:
      return "ok";
    case VerifyStatus::wrong:
      return "wrong";
    case VerifyStatus::expired:
      return "expired";
    case VerifyStatus::locked_out:
      return "locked_out";
    case VerifyStatus::replay:
      return "replay";
    case VerifyStatus::not_set_up:
      return "not_set_up";
  }
  return "";
}

// `message` is English for logs and the audit trail; the login page localises by `status`.
struct VerifyResult {
  VerifyStatus status = VerifyStatus::wrong;
  std::string message;
  int attempts_left = -1;  // -1 when the factor does not count attempts

  bool ok() const { return status == VerifyStatus::ok; }
  explicit operator bool() const { return ok(); }
};

inline VerifyResult make_result(VerifyStatus status, std::string message, int attempts_left = -1) {
  return VerifyResult{status, std::move(message), attempts_left};
}

// A factor whose proof is a code the user types in.
class Factor {
 public:
  virtual ~Factor() = default;
  virtual FactorKind kind() const = 0;
  virtual VerifyResult verify(const std::string& identity_key, std::string_view code) = 0;
};

}  // namespace twofold::factors
