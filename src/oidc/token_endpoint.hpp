#pragma once
// The token endpoint (RFC 6749 §3.2, RFC 9068 access tokens, RFC 8707 resource indicators).
// Pure domain code: the HTTP edge hands in the Authorization header and the form body and
// sends back the JSON reply; signing comes in through TokenSigner.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "oidc/clients.hpp"

namespace twofold::oidc {

// Signs JWTs with the provider's current key for `alg` (RS256 or ES256).
class TokenSigner {
 public:
  virtual ~TokenSigner() = default;
  virtual std::string sign(const nlohmann::json& claims, std::string_view alg,
                           std::string_view typ) = 0;
};

struct TokenSettings {
  std::string issuer;  // https://host:port (no trailing slash)
  std::chrono::seconds access_token_life{300};
};

struct TokenRequest {
  std::string authorization;  // the Authorization header, may be empty
  std::string content_type;
  std::string body;
};

struct Reply {
  int status{200};
  nlohmann::json body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// RFC 6749 §5.2 error reply.
Reply oauth_error(int status, std::string_view error, std::string_view description);

class TokenEndpoint {
 public:
  TokenEndpoint(TokenSettings settings, const core::Clock& clock, core::Random& random,
                Clients& clients, TokenSigner& signer)
      : settings_(std::move(settings)),
        clock_(clock),
        random_(random),
        clients_(clients),
        signer_(signer) {}

  Reply handle(const TokenRequest& request);

 private:
  TokenSettings settings_;
  const core::Clock& clock_;
  core::Random& random_;
  Clients& clients_;
  TokenSigner& signer_;
};

}  // namespace twofold::oidc
