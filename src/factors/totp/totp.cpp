#include "factors/totp/totp.hpp"

#include <sodium.h>

namespace twofold::factors::totp {

bool TotpFactor::is_enrolled(const std::string& identity_key) {
  auto record = store_.find(identity_key);
  return record && record->confirmed;
}

// What the user sees to set the app up: the key typed or scanned. Wipes `secret`.
Enrolment TotpFactor::enrolment_of(std::string& secret, std::string_view account) const {
  Enrolment out;
  out.secret_base32 = base32_encode(secret);
  sodium_memzero(secret.data(), secret.size());
  out.uri = otpauth_uri(options_.issuer, account, out.secret_base32, options_.params);
  out.qr_png = qr_png(out.uri, options_.qr);
  return out;
}

Enrolment TotpFactor::begin_enrolment(const std::string& identity_key, std::string_view account) {
  std::string secret(options_.secret_bytes, '\0');
  random_.fill({reinterpret_cast<std::uint8_t*>(secret.data()), secret.size()});
  SecretRecord record;
  record.identity_key = identity_key;
  record.secret_sealed = box_.seal_text(secret);
  record.created = clock_.now();
  if (!store_.put_pending(record))
    throw TotpError("an authenticator app is already set up; remove it before adding a new one");
  return enrolment_of(secret, account);
}

std::optional<Enrolment> TotpFactor::pending_enrolment(const std::string& identity_key,
                                                       std::string_view account) {
  auto record = store_.find(identity_key);
  if (!record || record->confirmed || clock_.now() >= record->created + options_.pending_ttl)
    return std::nullopt;
  std::string secret = open_secret(*record);
  return enrolment_of(secret, account);
}

std::string TotpFactor::open_secret(const SecretRecord& record) const {
  auto secret = box_.open_text(record.secret_sealed);
  // Not the user's fault: the key file was replaced or the row was altered.
  if (!secret) throw TotpError("cannot decrypt the TOTP secret of " + record.identity_key);
  return *secret;
}

VerifyResult TotpFactor::confirm_enrolment(const std::string& identity_key, std::string_view code) {
  auto record = store_.find(identity_key);
  if (!record || record->confirmed)
    return make_result(VerifyStatus::expired, "no authenticator app enrolment is pending");
  if (clock_.now() >= record->created + options_.pending_ttl)
    return make_result(VerifyStatus::expired, "the enrolment has expired; start it again");
  std::string secret = open_secret(*record);
  auto step = match_step(secret, code, clock_.now(), options_.params);
  sodium_memzero(secret.data(), secret.size());
  if (!step) return make_result(VerifyStatus::wrong, "the code does not match; check the app");
  if (!store_.confirm(identity_key, record->secret_sealed, *step))
    return make_result(VerifyStatus::expired, "the enrolment was replaced; start it again");
  return make_result(VerifyStatus::ok, "authenticator app set up");
}

VerifyResult TotpFactor::verify(const std::string& identity_key, std::string_view code) {
  auto record = store_.find(identity_key);
  if (!record || !record->confirmed)
    return make_result(VerifyStatus::not_set_up, "no authenticator app is set up");
  std::string secret = open_secret(*record);
  auto step = match_step(secret, code, clock_.now(), options_.params);
  sodium_memzero(secret.data(), secret.size());
  if (!step) return make_result(VerifyStatus::wrong, "wrong code");
  // The store's compare-and-set decides, so two requests with one code cannot both pass.
  if (*step <= record->last_step || !store_.advance_step(identity_key, *step))
    return make_result(VerifyStatus::replay, "this code was already used; wait for the next one");
  return make_result(VerifyStatus::ok, "code accepted");
}

}  // namespace twofold::factors::totp
