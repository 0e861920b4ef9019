#pragma once
// The OpenID Connect endpoints on the HTTP edge: discovery, JWKS, token, userinfo,
// introspection, revocation, end-session (logout; a browser page, src/login/logout). Thin: the
// domain is src/oidc; keys come from the jose::KeyRing.
#include <mutex>
#include <optional>

#include "http/server.hpp"
#include "jose/key_ring.hpp"
#include "login/logout.hpp"
#include "oidc/introspection.hpp"
#include "oidc/revocation.hpp"
#include "oidc/token_endpoint.hpp"
#include "oidc/userinfo.hpp"

namespace twofold::app {

// oidc::TokenSigner over the provider's key ring.
class KeyRingSigner final : public oidc::TokenSigner {
 public:
  explicit KeyRingSigner(const jose::KeyRing& ring) : ring_(ring) {}
  std::string sign(const nlohmann::json& claims, std::string_view alg,
                   std::string_view typ) override;

 private:
  const jose::KeyRing& ring_;
};

// oidc::TokenVerifier over the provider's key ring (every published key).
class KeyRingVerifier final : public oidc::TokenVerifier {
 public:
  explicit KeyRingVerifier(const jose::KeyRing& ring) : ring_(ring) {}
  std::optional<oidc::VerifiedToken> verify(std::string_view token) override;

 private:
  const jose::KeyRing& ring_;
};

// The provider's form and bearer endpoints (src/oidc).
struct OidcEndpoints {
  oidc::TokenEndpoint& token;
  oidc::Userinfo& userinfo;
  oidc::Introspection& introspection;
  oidc::Revocation& revocation;
  login::Logout& logout;
};

class OidcRoutes {
 public:
  OidcRoutes(const std::string& issuer, const jose::KeyRing& keys, OidcEndpoints endpoints,
             unsigned blocking_threads = 2);
  ~OidcRoutes() { pool_.join(); }
  // The answer when `path` is an OIDC endpoint, else nullopt. Runs on the calling thread:
  // only for requests that do not need_worker().
  std::optional<http::Response> handle(const http::Request& request, const http::Peer& peer,
                                       const std::string& path);
  // Token, introspection and revocation requests with a JWT client assertion: checking it may
  // fetch the client's jwks_uri (up to 3 s), which must not hold up an I/O thread.
  static bool needs_worker(const http::Request& request, const std::string& path);
  // handle() on the worker pool; resumes on the caller's executor.
  http::asio::awaitable<http::Response> handle_on_worker(const http::Request& request,
                                                         const http::Peer& peer,
                                                         const std::string& path);
  // Discovery and JWKS as prepared answers (the JWKS one again after a key rotation); nullptr
  // for other targets. Any thread.
  std::shared_ptr<const http::PreparedAnswer> prepared(std::string_view target, bool tls) const;
  void stop() { pool_.stop(); }
  void join() { pool_.join(); }
  // A request the HTTP layer could not read (too large, not HTTP), at an OIDC path: the
  // logout page's or the OAuth JSON error format; nullopt for other paths.
  std::optional<http::Response> reject(http::bhttp::status status, std::string_view message,
                                       const std::string& path) const;

 private:
  const jose::KeyRing& keys_;
  OidcEndpoints endpoints_;
  std::string discovery_;                                              // serialised once
  std::shared_ptr<const http::PreparedAnswer> prepared_discovery_[2];  // [tls]
  struct PreparedJwks {
    std::shared_ptr<const std::string> text;  // the key ring's JWKS these answers carry
    std::shared_ptr<const http::PreparedAnswer> answer[2];  // [tls]
  };
  mutable std::mutex prepared_jwks_mutex_;
  mutable std::shared_ptr<const PreparedJwks> prepared_jwks_;
  http::asio::thread_pool pool_;
};

}  // namespace twofold::app
