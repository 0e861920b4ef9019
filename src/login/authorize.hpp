#pragma once
// Validation of authorization requests (OpenID Connect Core §3.1.2.1-2, RFC 6749 §4.1.1,
// RFC 7636 PKCE, RFC 9700 Security BCP, RFC 9207 `iss`). A pure function: the caller looks up
// the client; the answer is a validated request, an error page (when the client or its
// redirect URI cannot be trusted: never redirect then), or an error redirect to the client.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "login/params.hpp"
#include "oidc/client.hpp"

namespace twofold::login {

struct AuthorizeRequest {
  std::string client_id;
  std::string client_name;
  bool public_client{false};
  bool skip_consent{true};
  std::string default_acr;
  std::string redirect_uri;            // exactly as sent (and registered)
  std::string state;                   // echoed as sent; may be empty
  std::string nonce;                   // may be empty
  std::vector<std::string> scopes;     // granted: requested ∩ the client's, openid first
  std::string code_challenge;          // empty when none was sent (confidential clients)
  std::string code_challenge_method;   // "S256" when a challenge was sent
  std::vector<std::string> resources;  // RFC 8707
  bool prompt_none{false};
  bool prompt_login{false};
  bool prompt_consent{false};
  std::optional<std::int64_t> max_age;  // seconds
  std::vector<std::string> acr_values;
  std::string login_hint;
  std::vector<std::string> ui_locales;
};

// Shown to the user; the browser is never sent anywhere.
struct ErrorPage {
  int status{400};
  std::string reason;  // English, for the page and the log
};

// A 302 to the client's redirect URI with `error`, `error_description`, `state`, `iss`.
struct ErrorRedirect {
  std::string location;
  std::string error;
  std::string description;
};

using AuthorizeOutcome = std::variant<AuthorizeRequest, ErrorPage, ErrorRedirect>;

// `client`: the client named by the request's client_id (nullopt when unknown or absent).
AuthorizeOutcome validate_authorize(const Params& params, const std::optional<oidc::Client>& client,
                                    std::string_view issuer);

// The error redirect of RFC 6749 §4.1.2.1 for a validated request (later errors such as
// login_required, access_denied).
ErrorRedirect error_redirect(const AuthorizeRequest& request, std::string_view error,
                             std::string_view description, std::string_view issuer);
// redirect_uri?code=…&state=…&iss=… (RFC 6749 §4.1.2, RFC 9207).
std::string code_redirect(const AuthorizeRequest& request, std::string_view code,
                          std::string_view issuer);

// RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ).
bool is_scope_token(std::string_view token);
// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters of [A-Za-z0-9-_].
bool is_s256_challenge(std::string_view challenge);

}  // namespace twofold::login
