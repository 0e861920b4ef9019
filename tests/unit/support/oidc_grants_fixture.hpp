#pragma once
// The provider's grant side wired from fakes: clients "app" (confidential, Basic, code +
// refresh), "spa" (public), "code-only" (no refresh_token grant), "api" (a resource server:
// client_credentials, audience https://api.example); the user "alice".
#include <gtest/gtest.h>

#include "oidc/codes.hpp"
#include "oidc/introspection.hpp"
#include "oidc/revocation.hpp"
#include "oidc/token_endpoint.hpp"
#include "oidc/userinfo.hpp"
#include "oidc_fakes.hpp"

namespace twofold::oidc::testing {

using nlohmann::json;

// RFC 7636 Appendix B.
inline constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
inline constexpr const char* kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
inline constexpr const char* kAppRedirect = "https://app.example/cb";
inline constexpr const char* kSpaRedirect = "http://127.0.0.1:8080/cb";

inline std::string enc(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class GrantsTest : public ::testing::Test {
 protected:
  static constexpr const char* kIssuer = "https://id.example";
  core::ManualClock clock{core::from_millis(1'700'000'000'000)};
  core::SeededRandom random{11};
  fakes::MemoryClientRegistry registry;
  Clients clients{clock, random, registry};
  ClientAuthenticator client_auth{clients};
  fakes::FakeJwt jwt;
  TokenSettings settings{kIssuer, std::chrono::seconds(300)};
  fakes::MemoryGrantStore store;
  DenyList deny_list{store};
  RefreshTokens refresh{settings, clock, random, store, deny_list};
  Codes codes{clock, random, store, refresh, deny_list, settings.access_token_life};
  fakes::MemoryUsers users;
  TokenEndpoint endpoint{settings, clock, random, client_auth, jwt, codes, refresh, users};
  Introspection introspection{kIssuer, clock, client_auth, jwt, deny_list, refresh};
  Revocation revocation{kIssuer, clock, client_auth, jwt, deny_list, refresh};
  Userinfo userinfo{kIssuer, clock, jwt, deny_list, users};
  std::string app_auth, code_only_auth, api_auth;

  void SetUp() override {
    Client app;
    app.id = "app";
    app.redirect_uris = {kAppRedirect};
    app.scopes = {"openid", "profile", "email", "roles", "offline_access"};
    app.id_token_alg = "ES256";
    app_auth = basic("app", clients.create(app).secret);
    Client spa;
    spa.id = "spa";
    spa.auth_method = AuthMethod::none;
    spa.redirect_uris = {kSpaRedirect};
    clients.create(spa);
    Client code_only;
    code_only.id = "code-only";
    code_only.redirect_uris = {kAppRedirect};
    code_only.grant_types = {"authorization_code"};
    code_only_auth = basic("code-only", clients.create(code_only).secret);
    Client api;
    api.id = "api";
    api.grant_types = {"client_credentials"};
    api.audience = "https://api.example";
    api_auth = basic("api", clients.create(api).secret);

    UserClaims alice;
    alice.sub = "alice";
    alice.preferred_username = "alice";
    alice.name = "Alice Example";
    alice.email = "alice@example.com";
    alice.email_verified = true;
    alice.roles = {"staff", "admin"};
    users.users["alice"] = alice;
  }

  static std::string basic(const std::string& id, const std::string& secret) {
    return "Basic " + core::base64_encode(id + ":" + secret);
  }

  Authorization authorization(const std::string& client = "app",
                              std::vector<std::string> scopes = {"openid", "profile", "email",
                                                                 "roles"}) {
    Authorization a;
    a.client_id = client;
    a.redirect_uri = client == "spa" ? kSpaRedirect : kAppRedirect;
    a.scopes = std::move(scopes);
    a.nonce = "n-0S6_WzA2Mj";
    a.code_challenge = kChallenge;
    a.code_challenge_method = "S256";
    a.subject = "alice";
    a.sid = "browser-session-1";
    a.auth_time = clock.now() - std::chrono::seconds(5);
    a.acr = "urn:twofold:acr:2fa";
    a.amr = {"pwd", "otp", "mfa"};
    return a;
  }

  Reply post(const std::string& body, const std::string& auth = "") {
    return endpoint.handle({auth, "application/x-www-form-urlencoded", body});
  }
  // The token request of the code flow; `extra` is appended as is.
  Reply exchange(const std::string& code, const std::string& auth, const std::string& extra = "",
                 const std::string& redirect = kAppRedirect,
                 const std::string& verifier = kVerifier) {
    std::string body = "grant_type=authorization_code&code=" + code;
    if (!redirect.empty()) body += "&redirect_uri=" + enc(redirect);
    if (!verifier.empty()) body += "&code_verifier=" + verifier;
    return post(body + extra, auth);
  }
  Reply refresh_with(const std::string& token, const std::string& auth,
                     const std::string& extra = "") {
    return post("grant_type=refresh_token&refresh_token=" + token + extra, auth);
  }
  // A complete code flow for "app": the token response.
  json login(std::vector<std::string> scopes = {"openid", "profile", "email", "roles"}) {
    auto r = exchange(codes.issue(authorization("app", std::move(scopes))), app_auth);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body;
  }
  Reply introspect(const std::string& token, const std::string& auth) {
    return introspection.handle({auth, "application/x-www-form-urlencoded", "token=" + token});
  }
  Reply revoke(const std::string& token, const std::string& auth, const std::string& extra = "") {
    return revocation.handle({auth, "application/x-www-form-urlencoded", "token=" + token + extra});
  }
  Reply userinfo_get(const std::string& token) {
    return userinfo.handle({false, token.empty() ? "" : "Bearer " + token, "", ""});
  }
};

}  // namespace twofold::oidc::testing
