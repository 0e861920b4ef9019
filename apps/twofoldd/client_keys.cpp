#include "client_keys.hpp"

#include <spdlog/spdlog.h>

#include "http/io_pool.hpp"

namespace twofold::app {
namespace {

std::variant<oidc::VerifiedToken, std::string> result_of(jose::Outcome<jose::Verified> outcome) {
  if (auto* e = std::get_if<jose::Error>(&outcome)) return e->message;
  auto& v = std::get<jose::Verified>(outcome);
  return oidc::VerifiedToken{std::move(v.header), std::move(v.claims)};
}

}  // namespace

std::variant<oidc::VerifiedToken, std::string> ClientKeyVerifier::verify(
    const oidc::Client& client, std::string_view assertion) {
  auto result = check(client, assertion);
  // The client only hears "invalid_client"; the operator learns why (no secrets in it).
  if (auto* why = std::get_if<std::string>(&result))
    spdlog::info("client {}: assertion refused: {}", client.id, *why);
  return result;
}

std::variant<oidc::VerifiedToken, std::string> ClientKeyVerifier::check(
    const oidc::Client& client, std::string_view assertion) {
  if (client.auth_method == oidc::AuthMethod::client_secret_jwt) {
    auto secret = clients_.shared_secret(client);
    if (!secret)
      return std::string("the client's secret is not stored for client_secret_jwt; rotate it");
    return result_of(jose::verify_hs256(assertion, *secret));
  }
  if (client.auth_method != oidc::AuthMethod::private_key_jwt)
    return std::string("the client does not authenticate with a JWT assertion");
  if (!client.jwks.empty()) {
    auto keys = jose::parse_jwks(client.jwks);
    if (auto* why = std::get_if<std::string>(&keys)) return "the registered JWKS: " + *why;
    return result_of(jose::verify(assertion, std::get<std::vector<nlohmann::json>>(keys)));
  }
  if (client.jwks_uri.empty()) return std::string("the client has no JWKS");
  // The fetch may take seconds: never on an I/O thread (OidcRoutes sends assertion requests
  // to its worker pool). Refusing here keeps a future caller from stalling connections.
  if (http::IoPool::on_io_thread()) {
    spdlog::error("client {}: jwks_uri fetch refused on an I/O thread (a bug)", client.id);
    return std::string("the client's keys are unavailable");
  }
  auto keys = remote_.keys(client.jwks_uri);
  if (auto* why = std::get_if<std::string>(&keys)) return *why;
  auto outcome = jose::verify(assertion, std::get<std::vector<nlohmann::json>>(keys));
  auto* e = std::get_if<jose::Error>(&outcome);
  if (!e || e->failure != jose::Failure::no_key) return result_of(std::move(outcome));
  // The client may have rotated its keys: fetch once more (rate-limited by RemoteJwks).
  keys = remote_.keys(client.jwks_uri, /*refresh=*/true);
  if (auto* why = std::get_if<std::string>(&keys)) return *why;
  return result_of(jose::verify(assertion, std::get<std::vector<nlohmann::json>>(keys)));
}

ClientAuth::ClientAuth(const std::string& issuer, storage::Database& db, const core::Clock& clock,
                       oidc::Clients& clients)
    : jtis_(db),
      remote_(fetcher_, clock),
      keys_(clients, remote_),
      assertions_(oidc::AssertionPolicy{issuer}, clock, keys_, jtis_),
      authenticator_(clients, &assertions_) {}

}  // namespace twofold::app
