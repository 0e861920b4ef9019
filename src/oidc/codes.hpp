#pragma once
// Authorization codes (RFC 6749 §4.1.2, §10.5; RFC 7636 PKCE; RFC 9700 §2.1.1): 32 random
// bytes, stored only as their SHA-256 with the Authorization, valid 60 s, redeemable once,
// bound to the client, the exact redirect URI and the PKCE challenge.
//
// A second redemption fails and revokes what the first one issued: the refresh-token family
// (whose id is the code's hash) and the first access token (whose jti derives from it, so no
// write is needed to remember it). Redeemed codes are kept an hour past their expiry so a late
// replay is still recognised.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/random.hpp"
#include "oidc/client.hpp"
#include "oidc/deny_list.hpp"
#include "oidc/grant_ports.hpp"
#include "oidc/refresh_tokens.hpp"
#include "oidc/tokens.hpp"

namespace twofold::oidc {

struct Redeemed {
  Authorization authorization;
  std::string family;      // of the refresh tokens to issue
  std::string access_jti;  // of the access token to issue
};

class Codes final : public CodeIssuer {
 public:
  static constexpr std::chrono::seconds kLife{60};
  static constexpr std::chrono::hours kKeptAfterExpiry{1};

  Codes(const core::Clock& clock, core::Random& random, GrantStore& store, RefreshTokens& refresh,
        DenyList& deny_list, std::chrono::seconds access_token_life)
      : clock_(clock),
        random_(random),
        store_(store),
        refresh_(refresh),
        deny_(deny_list),
        access_token_life_(access_token_life) {}

  // Throws std::invalid_argument when the authorization is incomplete (no client, subject or
  // redirect URI; a challenge method other than S256; a malformed challenge).
  std::string issue(const Authorization& authorization) override;

  // The token request's side (RFC 6749 §4.1.3, RFC 7636 §4.6). invalid_grant for an unknown,
  // expired or used code, another client's code, a redirect_uri that is missing or differs,
  // and any PKCE failure: verifier missing, malformed or wrong; a verifier without a
  // challenge (downgrade, RFC 9700 §4.8.2); a public client without a challenge.
  std::variant<Redeemed, GrantError> redeem(std::string_view code, const Client& client,
                                            std::optional<std::string_view> redirect_uri,
                                            std::optional<std::string_view> code_verifier);

  // The jti of the access token issued when the code with this hash was redeemed.
  static std::string access_jti_of(const std::string& family);

 private:
  const core::Clock& clock_;
  core::Random& random_;
  GrantStore& store_;
  RefreshTokens& refresh_;
  DenyList& deny_;
  std::chrono::seconds access_token_life_;
};

// RFC 7636 §4.1: 43-128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
bool is_code_verifier(std::string_view verifier);
// BASE64URL(SHA256(ASCII(verifier))), RFC 7636 §4.2.
std::string s256_challenge(std::string_view verifier);

}  // namespace twofold::oidc
