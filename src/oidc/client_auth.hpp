#pragma once
// What the token, introspection and revocation endpoints share: the form body and client
// authentication (R-O2, RFC 6749 §2.3.1) by exactly one method, the one the client registered.
#include <string>
#include <string_view>
#include <variant>

#include "oidc/client_assertion.hpp"
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

// Whether a form body names a JWT client assertion: the one client authentication that may
// wait for the network (a client's jwks_uri). Cheap for bodies that cannot name one; a
// malformed body is false (it is refused before any client authentication).
bool names_client_assertion(std::string_view body);

// Authenticates the client of a token, introspection or revocation request by the one method
// it registered: Basic, the form's secret, no secret (public clients), or a JWT assertion.
class ClientAuthenticator {
 public:
  // `assertions` null: JWT client authentication is refused (invalid_client).
  explicit ClientAuthenticator(Clients& clients, ClientAssertions* assertions = nullptr)
      : clients_(clients), assertions_(assertions) {}

  // The authenticated client, or a 401 invalid_client reply (with WWW-Authenticate when the
  // client tried Basic) / 400 invalid_request for two methods at once. `endpoint_path`: the
  // endpoint called (an accepted assertion audience).
  std::variant<Client, Reply> authenticate(const TokenRequest& request,
                                           const serviceapi::Form& form,
                                           std::string_view endpoint_path);
  Clients& clients() { return clients_; }

 private:
  Clients& clients_;
  ClientAssertions* assertions_;
};

}  // namespace twofold::oidc
