#pragma once
// Signing in through an upstream OpenID provider (R-C4), in the spirit of Dex's OIDC
// connector: discovery (cached), the authorization request with PKCE S256, state and nonce,
// the code exchange at the token endpoint (client_secret_basic or client_secret_post), and the
// ID token's validation (id_token.hpp) and mapping to a local ID (mapping.hpp).
//
// The state of one sign-in (state, nonce, PKCE verifier) stays here server-side, keyed by the
// state value and bound to the login transaction that started it; it is single use and
// short-lived. The login transaction itself is bound to the browser by its cookie, so a
// callback URL replayed in another browser goes nowhere.
//
// Thread-safety: all members may be called from any thread.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "sources/upstream/http_client.hpp"
#include "sources/upstream/id_token.hpp"
#include "sources/upstream/mapping.hpp"
#include "sources/upstream/metadata.hpp"

namespace twofold::sources::upstream {

struct FederationSettings {
  std::string display_name{"SSO"};
  std::string issuer;  // exact, as the provider writes it in iss
  std::string client_id;
  std::string client_secret;
  std::string token_auth_method{"client_secret_basic"};  // or client_secret_post
  std::vector<std::string> scopes{"openid", "profile", "email"};
  std::string redirect_uri;     // <our issuer>/login/upstream/callback
  std::string certificate_pem;  // non-empty: its key checks tokens, the JWKS is not used
  std::vector<std::string> algs{"RS256", "ES256"};
  std::chrono::seconds leeway{60};
  std::chrono::seconds pending_life{600};
  std::chrono::seconds metadata_ttl{3600};
  std::chrono::seconds metadata_retry{10};
  std::size_t max_pending{10'000};
};

// Why a sign-in through the provider did not give an identity.
enum class FailureKind {
  unavailable,     // discovery, the token endpoint or the keys could not be reached/used
  provider_error,  // the provider answered error=… (e.g. access_denied)
  token_refused,   // the ID token failed validation (see refusal)
  not_mapped,      // the claims do not give a local ID (regex, required claim)
};

struct Failure {
  FailureKind kind;
  std::string message;  // for the page and the log; never a secret
  std::optional<Refusal> refusal;
};

struct Pending {
  std::string tx_id;
  std::string nonce;
  std::string verifier;  // PKCE code_verifier
  core::TimePoint expires{};
};

struct Upstream {
  std::string local_id;
  std::string subject;  // the provider's sub
  std::string email;    // when the provider sent a verified one (or did not say)
  std::string name;
  nlohmann::json claims;
};

// PKCE S256 (RFC 7636 §4.2): base64url(SHA-256(verifier)).
std::string pkce_challenge(std::string_view verifier);
// application/x-www-form-urlencoded / query encoding.
std::string form_encode(std::string_view text);

// The provider's keys: a RemoteJwks in production, fixed keys in tests.
using JwksSource = std::function<std::variant<std::vector<nlohmann::json>, std::string>(
    const std::string& jwks_uri, bool refresh)>;

class Federation {
 public:
  // Throws std::invalid_argument on a bad certificate_pem.
  Federation(FederationSettings settings, ClaimMapping mapping, HttpClient& http, JwksSource jwks,
             const core::Clock& clock, core::Random& random);

  const FederationSettings& settings() const { return settings_; }

  // The provider's metadata (cached for metadata_ttl; failures for metadata_retry).
  std::variant<ProviderMetadata, std::string> metadata();

  // Starts a sign-in for login transaction `tx_id`: the provider URL to redirect the browser
  // to, or why the provider cannot be used now.
  std::variant<std::string, Failure> start(const std::string& tx_id);

  // Takes (single use) the sign-in `state` names; nullopt when unknown or expired.
  std::optional<Pending> take(const std::string& state);

  // Exchanges the code and validates what comes back.
  std::variant<Upstream, Failure> finish(const Pending& pending, const std::string& code);

  std::size_t pending_count() const;

 private:
  FederationSettings settings_;
  ClaimMapping mapping_;
  HttpClient& http_;
  JwksSource jwks_;
  const core::Clock& clock_;
  core::Random& random_;
  std::vector<nlohmann::json> certificate_keys_;

  mutable std::mutex mutex_;
  std::optional<ProviderMetadata> metadata_;
  std::string metadata_error_;
  core::TimePoint metadata_at_{};
  std::map<std::string, Pending, std::less<>> pending_;
};

}  // namespace twofold::sources::upstream
