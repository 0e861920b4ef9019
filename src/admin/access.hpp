#pragma once
// Who may call the admin API: the bearer of an access token this provider issued (RFC 9068,
// verified against its published keys) for the admin audience `<issuer>/admin`, not expired
// or revoked, whose `roles` contain "admin" — checked again against the current state of the
// service-account client or the user, so taking the role away or deleting the client takes
// effect at once. Only the Authorization header counts: cookies are never read, so there is
// no CSRF surface. Errors per RFC 6750 §3 (401 invalid_token, 403 insufficient_scope).
#include <string>
#include <variant>

#include "oidc/clients.hpp"
#include "oidc/deny_list.hpp"
#include "oidc/grant.hpp"
#include "oidc/tokens.hpp"

namespace twofold::admin {

inline constexpr std::string_view kAdminRole = "admin";

// The `aud` (RFC 8707 `resource`) an admin token must name.
std::string admin_audience(std::string_view issuer);

// Who is calling, for logs.
struct Principal {
  std::string subject;    // the user's ID key, or the client id
  std::string client_id;  // the client the token was issued to
  bool service_account{false};
  std::string describe() const;
};

class AdminAccess {
 public:
  AdminAccess(std::string issuer, const core::Clock& clock, oidc::TokenVerifier& verifier,
              const oidc::DenyList& deny_list, oidc::Clients& clients, oidc::UserDirectory& users)
      : issuer_(std::move(issuer)),
        audience_(admin_audience(issuer_)),
        clock_(clock),
        verifier_(verifier),
        deny_(deny_list),
        clients_(clients),
        users_(users) {}

  // `authorization`: the Authorization header (may be empty).
  std::variant<Principal, oidc::Reply> check(std::string_view authorization);

 private:
  std::string issuer_;
  std::string audience_;
  const core::Clock& clock_;
  oidc::TokenVerifier& verifier_;
  const oidc::DenyList& deny_;
  oidc::Clients& clients_;
  oidc::UserDirectory& users_;
};

// RFC 6750 §3 error answer with its WWW-Authenticate challenge.
oidc::Reply bearer_error(int status, std::string_view error, std::string_view description);

}  // namespace twofold::admin
