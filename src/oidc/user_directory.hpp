#pragma once
// UserDirectory over the identity store (push state) and the profile store (claims).
#include "identity/identity.hpp"
#include "identity/profile.hpp"
#include "oidc/grant.hpp"

namespace twofold::oidc {

class IdentityUserDirectory final : public UserDirectory {
 public:
  IdentityUserDirectory(identity::Directory& identities, identity::ProfileStore& profiles)
      : identities_(identities), profiles_(profiles) {}
  // nullopt for an unknown (e.g. deleted) ID; `active` false when locked or disabled.
  std::optional<UserClaims> claims_of(const std::string& subject) override;

 private:
  identity::Directory& identities_;
  identity::ProfileStore& profiles_;
};

}  // namespace twofold::oidc
