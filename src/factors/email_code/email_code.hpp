#pragma once
// The email one-time code (R-F2, seed 003): after the password, a short numeric code is
// mailed to the user. It lives 15 minutes, is stored only as SHA-256 (short-lived and at
// most 5 guesses, so a slow hash would buy nothing), is void after 5 wrong tries, works
// once, and a new code replaces the old one.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "factors/factor.hpp"
#include "mail/message.hpp"
#include "mail/templates.hpp"

namespace twofold::factors::email_code {

struct CodeRecord {
  std::string identity_key;
  std::string code_hash;  // core::sha256_hex(code)
  core::TimePoint created{};
  core::TimePoint expires{};
  int attempts = 0;  // wrong tries so far
};

// Storage port (storage::EmailCodeStore); one code per identity. The mutating calls are
// single atomic statements, so concurrent tries cannot both use a code or lose a count.
class CodeStore {
 public:
  virtual ~CodeStore() = default;
  virtual void put(const CodeRecord& record) = 0;  // replaces the identity's previous code
  virtual std::optional<CodeRecord> find(const std::string& identity_key) = 0;
  // Counts a wrong try against the code with `code_hash`; the new count, or 0 when that
  // code is gone (used, replaced, removed).
  virtual int add_failed_attempt(const std::string& identity_key, const std::string& code_hash) = 0;
  // Deletes the code if it is still `code_hash`; true exactly once.
  virtual bool consume(const std::string& identity_key, const std::string& code_hash) = 0;
  virtual void remove(const std::string& identity_key) = 0;
};

struct Options {
  std::size_t length = 6;  // digits
  std::chrono::seconds validity{std::chrono::minutes{15}};
  int max_attempts = 5;
  std::chrono::seconds resend_interval{30};  // against mail bombing through the login form
  std::string template_name = "email_code";
  std::string product = "twofold";  // {{product}} in the template
};

struct Recipient {
  std::string email;
  std::string name;             // {{name}}; the address when empty
  std::string language = "en";  // picks the template
};

enum class ChallengeStatus { sent, too_soon };

struct ChallengeResult {
  ChallengeStatus status = ChallengeStatus::sent;
  std::chrono::seconds retry_after{0};  // with too_soon
};

class EmailCodeFactor final : public Factor {
 public:
  EmailCodeFactor(Options options, const core::Clock& clock, core::Random& random, CodeStore& store,
                  mail::Mailer& mailer, const mail::Templates& templates, mail::Address from)
      : options_(std::move(options)),
        clock_(clock),
        random_(random),
        store_(store),
        mailer_(mailer),
        templates_(templates),
        from_(std::move(from)) {}

  FactorKind kind() const override { return FactorKind::email_code; }
  const Options& options() const { return options_; }

  // A new code for the identity (replacing any previous one), in plain text, for delivery.
  std::string issue(const std::string& identity_key);
  // issue() and mail it; too_soon (nothing sent) within resend_interval of the last code.
  // Throws mail::MailError / mail::TemplateError; the new code is withdrawn then.
  ChallengeResult challenge(const std::string& identity_key, const Recipient& to);
  VerifyResult verify(const std::string& identity_key, std::string_view code) override;

 private:
  Options options_;
  const core::Clock& clock_;
  core::Random& random_;
  CodeStore& store_;
  mail::Mailer& mailer_;
  const mail::Templates& templates_;
  mail::Address from_;
};

}  // namespace twofold::factors::email_code
