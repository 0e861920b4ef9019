#include "recovery/password_reset.hpp"

#include <spdlog/spdlog.h>

#include "core/encoding.hpp"

namespace twofold::recovery {
namespace {

using sources::database::Rejection;

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string_view to_string(RequestOutcome outcome) {
  switch (outcome) {
    case RequestOutcome::mailed:
      return "mailed";
    case RequestOutcome::unknown:
      return "unknown";
    case RequestOutcome::ineligible:
      return "ineligible";
    case RequestOutcome::no_email:
      return "no_email";
    case RequestOutcome::too_soon:
      return "too_soon";
    case RequestOutcome::address_limit:
      return "address_limit";
    case RequestOutcome::failed:
      return "failed";
  }
  return "failed";
}

bool is_plausible_token(std::string_view token) {
  if (token.size() != 43) return false;
  for (char c : token)
    if (!is_base64url(c)) return false;
  return true;
}

std::string_view refusal_notice(Rejection reason) {
  switch (reason) {
    case Rejection::policy:
      return "password_policy_refused";
    case Rejection::reused:
      return "password_reused";
    case Rejection::unknown_user:
    case Rejection::policy_error:
    case Rejection::unavailable:
      break;
  }
  return "password_unavailable";
}

RequestOutcome PasswordReset::request(std::string_view id_or_email, const std::string& address,
                                      std::string_view language) {
  const auto now = clock_.now();
  // Per address first, so probing many IDs from one place is limited too.
  if (!events_.add_below("reset:addr:" + address, now, now - std::chrono::hours(1),
                         settings_.per_address_per_hour)) {
    spdlog::info("password reset from {}: too many requests from this address", address);
    return RequestOutcome::address_limit;
  }
  auto account = ports_.find_account(id_or_email);
  if (!account) {
    spdlog::info("password reset from {}: no such ID or email", address);
    return RequestOutcome::unknown;
  }
  const auto& key = account->identity_key;
  if (auto why = ports_.ineligible(key); !why.empty()) {
    spdlog::info("password reset for {}: not offered ({})", key, why);
    return RequestOutcome::ineligible;
  }
  if (account->email.empty()) {
    spdlog::info("password reset for {}: no email address", key);
    return RequestOutcome::no_email;
  }
  if (!events_.add_below("reset:user:" + key, now, now - settings_.id_interval, 1)) {
    spdlog::info("password reset for {}: a link was sent less than {} s ago", key,
                 settings_.id_interval.count());
    return RequestOutcome::too_soon;
  }
  tokens_.purge(now);  // housekeeping: links nobody used
  const auto token = random_.token(32);
  ResetToken record{core::sha256_hex(token), key, now, now + settings_.validity};
  tokens_.replace(record);
  ResetMail mail{account->email, account->name.empty() ? account->email : account->name,
                 settings_.issuer + "/login/reset?token=" + token, std::string(language),
                 static_cast<unsigned>(
                     std::chrono::duration_cast<std::chrono::hours>(settings_.validity).count())};
  try {
    ports_.send(mail);
  } catch (const std::exception& e) {
    tokens_.consume(record.token_hash);  // a link nobody received must not stay usable
    spdlog::warn("password reset for {}: mail not sent: {}", key, e.what());
    return RequestOutcome::failed;
  }
  spdlog::info("password reset for {}: link sent", key);
  return RequestOutcome::mailed;
}

std::optional<ResetToken> PasswordReset::check(std::string_view token) {
  if (!is_plausible_token(token)) return std::nullopt;
  return check_hash(core::sha256_hex(token));
}

std::optional<ResetToken> PasswordReset::check_hash(const std::string& token_hash) {
  auto record = tokens_.find(token_hash);
  if (!record) return std::nullopt;
  if (record->expires <= clock_.now()) {
    tokens_.consume(token_hash);
    return std::nullopt;
  }
  return record;
}

CompleteResult PasswordReset::complete(const std::string& token_hash, std::string_view password) {
  CompleteResult out;
  auto record = check_hash(token_hash);
  // Taken before the password is set, so two submissions cannot both use one link.
  if (!record || !tokens_.consume(token_hash)) return out;
  if (auto refused = ports_.set_password(record->identity_key, password)) {
    if (refused->reason == Rejection::policy_error || refused->reason == Rejection::unavailable)
      spdlog::warn("password reset for {}: {}", record->identity_key, refused->detail);
    tokens_.restore(*record);  // the user may try another password with the same link
    out.status = CompleteResult::Status::refused;
    out.refusal = std::move(refused);
    return out;
  }
  ports_.end_sessions(record->identity_key);
  spdlog::info("password reset for {}: new password set, sessions ended", record->identity_key);
  out.status = CompleteResult::Status::done;
  out.identity_key = record->identity_key;
  return out;
}

}  // namespace twofold::recovery
