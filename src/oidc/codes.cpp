#include "oidc/codes.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/encoding.hpp"

namespace twofold::oidc {
namespace {

constexpr std::size_t kCodeChars = 43;  // 32 bytes, base64url without padding

bool is_b64url(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

GrantError invalid(std::string description) {
  return {"invalid_grant", std::move(description)};
}

}  // namespace

bool is_code_verifier(std::string_view v) {
  return v.size() >= 43 && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_' || c == '~';
         });
}

std::string s256_challenge(std::string_view verifier) {
  return core::base64url_encode(*core::from_hex(core::sha256_hex(verifier)));
}

std::string Codes::access_jti_of(const std::string& family) {
  return core::sha256_hex("access token of " + family).substr(0, 32);
}

std::string Codes::issue(const Authorization& a) {
  if (a.client_id.empty() || a.subject.empty() || a.redirect_uri.empty())
    throw std::invalid_argument("an authorization needs a client, a subject and a redirect URI");
  if (!a.code_challenge.empty() &&
      (a.code_challenge_method != "S256" || a.code_challenge.size() != kCodeChars ||
       !is_b64url(a.code_challenge)))
    throw std::invalid_argument("PKCE challenges are S256: 43 base64url characters");
  const std::string code = random_.token(32);
  store_.save_code(core::sha256_hex(code), a, clock_.now() + kLife);
  return code;
}

std::variant<Redeemed, GrantError> Codes::redeem(std::string_view code, const Client& client,
                                                 std::optional<std::string_view> redirect_uri,
                                                 std::optional<std::string_view> code_verifier) {
  if (code.size() != kCodeChars || !is_b64url(code)) return invalid("unknown code");
  const auto now = clock_.now();
  const std::string hash = core::sha256_hex(code);
  // Marked redeemed before anything else is checked: whatever happens next, the code is gone.
  auto stored = store_.redeem_code(hash, now);
  if (!stored) return invalid("unknown code");
  if (stored->redeemed) {
    refresh_.revoke_family(hash);
    // The first redemption's access token: iat was that moment, give it a minute's slack.
    deny_.deny(access_jti_of(hash),
               *stored->redeemed + access_token_life_ + std::chrono::minutes(1), now);
    return invalid("the code was already used; the tokens issued for it are revoked");
  }
  if (stored->expires <= now) return invalid("the code has expired");
  const Authorization& a = stored->authorization;
  if (a.client_id != client.id) return invalid("the code was issued to another client");
  if (!redirect_uri || *redirect_uri != a.redirect_uri)
    return invalid("redirect_uri must be the one of the authorization request");

  if (a.code_challenge.empty()) {
    if (client.is_public()) return invalid("public clients must use PKCE (S256)");
    if (code_verifier) return invalid("code_verifier sent but the authorization had no challenge");
  } else {
    if (!code_verifier) return invalid("code_verifier is missing");
    if (!is_code_verifier(*code_verifier)) return invalid("code_verifier is malformed");
    if (!core::secure_equals(s256_challenge(*code_verifier), a.code_challenge))
      return invalid("code_verifier does not match the code challenge");
  }
  return Redeemed{a, hash, access_jti_of(hash)};
}

}  // namespace twofold::oidc
