#pragma once
// What a completed browser login hands to the token side (and back): the shared vocabulary of
// src/login (authorize, login pages, factors) and src/oidc (codes, tokens, userinfo).
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace twofold::oidc {

// An authorization the user granted through /oidc/authorize, bound into a code (RFC 6749 §4.1,
// RFC 7636 PKCE, OIDC Core §3.1.2).
struct Authorization {
  std::string client_id;
  std::string redirect_uri;            // exactly as in the authorization request
  std::vector<std::string> scopes;     // granted scopes (subset of requested and of the client's)
  std::string nonce;                   // echoed into the ID token; may be empty
  std::string code_challenge;          // empty when the client sent none (confidential only)
  std::string code_challenge_method;   // "S256" (plain is refused)
  std::vector<std::string> resources;  // RFC 8707 `resource` values, may be empty
  std::string subject;                 // the identity key (`sub`)
  std::string sid;                     // the browser session id (`sid`, front/back-channel logout)
  core::TimePoint auth_time{};
  std::string acr;               // e.g. "urn:twofold:acr:2fa"
  std::vector<std::string> amr;  // RFC 8176 values: "pwd", "otp", "mfa", "swk", "user"...
};

// Issues single-use authorization codes (src/oidc/codes.*).
class CodeIssuer {
 public:
  virtual ~CodeIssuer() = default;
  // The code to send to the client's redirect URI; lives 60 s, redeemable once.
  virtual std::string issue(const Authorization& authorization) = 0;
};

// The claims the provider knows about a user (from the identity store and credential sources).
struct UserClaims {
  std::string sub;
  std::string preferred_username;
  std::string name;
  std::string email;
  bool email_verified{false};
  std::vector<std::string> roles;
  bool active{true};  // false: locked, disabled or deleted — no new tokens
};

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  virtual std::optional<UserClaims> claims_of(const std::string& subject) = 0;
};

}  // namespace twofold::oidc
