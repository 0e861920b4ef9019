#include "sources/database/database_source.hpp"

#include <chrono>
#include <exception>

namespace twofold::sources::database {
namespace {

// Any fixed value: unknown IDs are verified against its hash so they cost the same time.
constexpr std::string_view kDummyPassword = "twofold: no such ID, same cost";

PasswordRejected rejected(Rejection reason, std::string detail = {}) {
  std::string message;
  switch (reason) {
    case Rejection::unknown_user:
      message = "The ID does not exist.";
      break;
    case Rejection::policy:
      message = "The password does not meet the password policy.";
      break;
    case Rejection::policy_error:
      message =
          "The password cannot be checked against the password policy. Please tell the "
          "administrator.";
      break;
    case Rejection::reused:
      message = "This password was used recently. Please choose another one.";
      break;
    case Rejection::unavailable:
      message = "The password cannot be changed at the moment. Please try again later.";
      break;
  }
  return {reason, std::move(message), std::move(detail)};
}

}  // namespace

Source::Source(Settings settings, const core::Clock& clock, identity::Directory& directory,
               PasswordStore& store)
    : settings_(std::move(settings)),
      clock_(clock),
      directory_(directory),
      store_(store),
      policy_(settings_.policy_regex, settings_.policy_match_limit),
      dummy_hash_(hash_password(kDummyPassword, settings_.argon2)) {}

bool Source::verify(std::string_view hash, std::string_view password) {
  ++verifications_;
  return verify_password(hash, password);
}

Outcome<Authenticated> Source::authenticate(const Credentials& credentials) {
  // Decided from the input alone, so answering early reveals nothing about the ID.
  if (credentials.password.empty() || credentials.password.size() > settings_.max_password_bytes)
    return make_error(Failure::wrong_password, "empty or over-long password");
  if (!identity::is_valid_name(credentials.login))
    return make_error(Failure::unknown_user, "not a valid ID");

  const std::string login = settings_.force_lower_case ? identity::key_of(credentials.login)
                                                       : std::string(credentials.login);
  const std::string key = identity::key_of(login);
  try {
    const auto id = directory_.find(key);
    const bool spelled_right =
        id && (!settings_.case_sensitive || settings_.force_lower_case || id->name == login);
    if (!spelled_right) {
      verify(dummy_hash_, credentials.password);
      return make_error(
          Failure::unknown_user,
          id ? "ID " + key + " spelled differently (case-sensitive)" : "no ID " + key);
    }
    const auto stored = store_.find(key);
    if (!stored) {
      verify(dummy_hash_, credentials.password);
      return make_error(Failure::not_applicable, "ID " + key + " has no password");
    }
    if (!verify(stored->hash, credentials.password))
      return make_error(Failure::wrong_password, "wrong password for ID " + key);

    Authenticated out;
    out.key = key;
    out.source = "database";
    out.username = settings_.force_lower_case ? key : id->name;
    out.display_name = id->name;
    if (id->admin) out.roles.push_back("admin");
    if (settings_.max_age_days > 0) {
      const auto max_age = std::chrono::hours(24) * settings_.max_age_days;
      out.password_change_required = clock_.now() - stored->changed >= max_age;
    }
    // The password is known to be right only now: upgrade the hash to the current cost.
    if (needs_rehash(stored->hash, settings_.argon2)) {
      try {
        const auto fresh = hash_password(credentials.password, settings_.argon2);
        if (!store_.rehash(key, stored->hash, fresh))
          out.detail = "rehash skipped: password changed meanwhile";
      } catch (const std::exception& e) {  // the login itself succeeded
        out.detail = std::string("rehash failed: ") + e.what();
      }
    }
    return out;
  } catch (const std::exception& e) {
    return make_error(Failure::unavailable, std::string("database source: ") + e.what());
  }
}

std::optional<PasswordRejected> Source::check_policy(std::string_view password) const {
  if (password.empty() || password.size() > settings_.max_password_bytes)
    return rejected(Rejection::policy, "empty or over-long password");
  switch (policy_.check(password)) {
    case PasswordPolicy::Verdict::accepted:
      return std::nullopt;
    case PasswordPolicy::Verdict::refused:
      return rejected(Rejection::policy);
    case PasswordPolicy::Verdict::too_complex:
      return rejected(Rejection::policy_error, "password policy regex hit its match limit (" +
                                                   std::to_string(settings_.policy_match_limit) +
                                                   "): " + policy_.pattern());
  }
  return rejected(Rejection::policy_error);
}

std::optional<PasswordRejected> Source::set_password(std::string_view key,
                                                     std::string_view password) {
  if (auto refused = check_policy(password)) return refused;
  try {
    if (!directory_.find(key))
      return rejected(Rejection::unknown_user, "no ID " + std::string(key));
    if (settings_.history > 0) {
      for (const auto& old : store_.history(key, settings_.history))
        if (verify(old, password)) return rejected(Rejection::reused);
    }
    store_.set(key, {hash_password(password, settings_.argon2), clock_.now()}, settings_.history);
    return std::nullopt;
  } catch (const std::exception& e) {
    return rejected(Rejection::unavailable, e.what());
  }
}

bool Source::has_password(std::string_view key) {
  return store_.find(key).has_value();
}

bool Source::remove_password(std::string_view key) {
  return store_.remove(key);
}

}  // namespace twofold::sources::database
