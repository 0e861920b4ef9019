#pragma once
// What the token, introspection and revocation endpoints share: the form body and client
// authentication (R-O2, RFC 6749 §2.3.1) by exactly one method, the one the client registered.
#include <string>
#include <string_view>
#include <variant>

#include "oidc/clients.hpp"
#include "oidc/tokens.hpp"
#include "serviceapi/form.hpp"

namespace twofold::oidc {

// A POST to one of the form endpoints, as the HTTP edge hands it in.
struct TokenRequest {
  std::string authorization;  // the Authorization header, may be empty
  std::string content_type;
  std::string body;
};

// The application/x-www-form-urlencoded body (with room for JWT assertions and long codes),
// or a 400 invalid_request reply.
std::variant<serviceapi::Form, Reply> parse_token_form(const TokenRequest& request);

// The authenticated client, or a 401 invalid_client reply (with WWW-Authenticate when the
// client tried Basic) / 400 invalid_request for two methods at once.
std::variant<Client, Reply> authenticate_client(Clients& clients, const TokenRequest& request,
                                                const serviceapi::Form& form);

}  // namespace twofold::oidc
