#pragma once
// What the provider tells applications about an ID (OIDC claims): name, email, roles, and
// whether the account may sign in at all. Kept apart from Identity, which is the push
// side's state (locks, suspensions), so each changes without touching the other.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace twofold::identity {

struct Profile {
  std::string identity_key;
  std::string display_name;
  std::string email;
  bool email_verified{false};
  std::vector<std::string> roles;
  bool disabled{false};  // an admin switched the account off (locks are the user's own)
  core::TimePoint updated{};
};

// Email addresses: one '@', no spaces or control characters, ≤ 254 bytes (RFC 5321 path).
bool is_plausible_email(std::string_view email);
// Roles: 1–64 characters of a–z A–Z 0–9 . _ - : /
bool is_valid_role(std::string_view role);

// Persistence port; storage implements it.
class ProfileStore {
 public:
  virtual ~ProfileStore() = default;
  virtual std::optional<Profile> find_profile(std::string_view identity_key) = 0;
  virtual void save_profile(const Profile& profile) = 0;  // insert or replace
};

}  // namespace twofold::identity
