#include "oidc/user_directory.hpp"

#include <algorithm>

namespace twofold::oidc {

std::optional<UserClaims> IdentityUserDirectory::claims_of(const std::string& subject) {
  const auto id = identities_.find(subject);
  if (!id) return std::nullopt;
  UserClaims claims;
  claims.sub = id->key;
  claims.preferred_username = id->name;
  claims.name = id->name;
  claims.active = !id->locked;
  if (const auto profile = profiles_.find_profile(id->key)) {
    if (!profile->display_name.empty()) claims.name = profile->display_name;
    claims.email = profile->email;
    claims.email_verified = profile->email_verified;
    claims.roles = profile->roles;
    claims.active = claims.active && !profile->disabled;
  }
  // The admin flag of an ID (the first enrolled ID has it) is the role "admin".
  if (id->admin &&
      std::find(claims.roles.begin(), claims.roles.end(), "admin") == claims.roles.end())
    claims.roles.push_back("admin");
  return claims;
}

}  // namespace twofold::oidc
