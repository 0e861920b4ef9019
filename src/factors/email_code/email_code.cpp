#include "factors/email_code/email_code.hpp"

#include "core/encoding.hpp"

namespace twofold::factors::email_code {
namespace {

// People paste codes with spaces ("123 456"); anything but digits is simply wrong.
std::string normalize(std::string_view code) {
  std::string out;
  for (char c : code)
    if (c != ' ' && c != '-') out.push_back(c);
  return out;
}

}  // namespace

std::string EmailCodeFactor::issue(const std::string& identity_key) {
  // Leading zeros allowed: every one of the 10^length codes is equally likely.
  std::string code = random_.digits(options_.length);
  CodeRecord record;
  record.identity_key = identity_key;
  record.code_hash = core::sha256_hex(code);
  record.created = clock_.now();
  record.expires = record.created + options_.validity;
  store_.put(record);
  return code;
}

ChallengeResult EmailCodeFactor::challenge(const std::string& identity_key, const Recipient& to) {
  if (auto previous = store_.find(identity_key)) {
    const auto next_allowed = previous->created + options_.resend_interval;
    const auto now = clock_.now();
    if (now < next_allowed)
      return {ChallengeStatus::too_soon,
              std::chrono::ceil<std::chrono::seconds>(next_allowed - now)};
  }
  const std::string code = issue(identity_key);
  try {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(options_.validity);
    const auto mail = templates_.render(options_.template_name, to.language,
                                        {{"code", code},
                                         {"minutes", std::to_string(minutes.count())},
                                         {"name", to.name.empty() ? to.email : to.name},
                                         {"product", options_.product}});
    mailer_.send({from_, {{to.email, to.name}}, mail.subject, mail.text});
  } catch (...) {
    store_.consume(identity_key, core::sha256_hex(code));  // undelivered: may ask again
    throw;
  }
  return {ChallengeStatus::sent, std::chrono::seconds{0}};
}

VerifyResult EmailCodeFactor::verify(const std::string& identity_key, std::string_view code) {
  auto record = store_.find(identity_key);
  if (!record) return make_result(VerifyStatus::expired, "no code is pending; request a new one");
  if (clock_.now() >= record->expires) {
    store_.consume(identity_key, record->code_hash);  // only this one, not a newer code
    return make_result(VerifyStatus::expired, "the code has expired; request a new one");
  }
  // A void code stays until replaced or expired, so challenge() still throttles resends.
  if (record->attempts >= options_.max_attempts)
    return make_result(VerifyStatus::locked_out, "too many wrong codes; request a new one", 0);
  // Hashes of equal length, compared in constant time.
  if (core::secure_equals(core::sha256_hex(normalize(code)), record->code_hash)) {
    if (store_.consume(identity_key, record->code_hash))
      return make_result(VerifyStatus::ok, "code accepted");
    return make_result(VerifyStatus::replay, "this code was already used");
  }
  const int attempts = store_.add_failed_attempt(identity_key, record->code_hash);
  if (attempts == 0)
    return make_result(VerifyStatus::expired, "the code was replaced; use the newest one");
  if (attempts >= options_.max_attempts)
    return make_result(VerifyStatus::locked_out, "too many wrong codes; request a new one", 0);
  return make_result(VerifyStatus::wrong, "wrong code", options_.max_attempts - attempts);
}

}  // namespace twofold::factors::email_code
