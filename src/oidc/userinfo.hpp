#pragma once
// The UserInfo endpoint (OIDC Core §5.3): GET or POST with a bearer access token (RFC 6750
// §2.1 header, or §2.2 form body on POST); the claims its scopes release, read fresh from the
// UserDirectory. Errors per RFC 6750 §3 with WWW-Authenticate.
#include <string>

#include "oidc/deny_list.hpp"
#include "oidc/grant.hpp"
#include "oidc/tokens.hpp"

namespace twofold::oidc {

struct UserinfoRequest {
  bool post{false};
  std::string authorization;  // the Authorization header, may be empty
  std::string content_type;   // POST only
  std::string body;           // POST only
};

class Userinfo {
 public:
  Userinfo(std::string issuer, const core::Clock& clock, TokenVerifier& verifier,
           const DenyList& deny_list, UserDirectory& users)
      : issuer_(std::move(issuer)),
        clock_(clock),
        verifier_(verifier),
        deny_(deny_list),
        users_(users) {}

  Reply handle(const UserinfoRequest& request);

 private:
  std::string issuer_;
  const core::Clock& clock_;
  TokenVerifier& verifier_;
  const DenyList& deny_;
  UserDirectory& users_;
};

}  // namespace twofold::oidc
