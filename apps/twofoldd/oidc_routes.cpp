#include "oidc_routes.hpp"

#include <spdlog/spdlog.h>

#include "oidc/discovery.hpp"

namespace twofold::app {
namespace {

namespace bhttp = http::bhttp;

http::Response json_response(int status, std::string body, bool tls, bool cacheable = false) {
  http::Response res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, "application/json");
  // Metadata and keys may be cached briefly; token answers never (RFC 6749 §5.1).
  res.set(bhttp::field::cache_control, cacheable ? "public, max-age=300" : "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  if (tls) res.set(bhttp::field::strict_transport_security, "max-age=31536000");
  res.body() = std::move(body);
  return res;
}

http::Response method_not_allowed(const char* allow, bool tls) {
  auto res = json_response(
      405, oidc::oauth_error(405, "invalid_request", "method not allowed").body.dump(), tls);
  res.set(bhttp::field::allow, allow);
  return res;
}

}  // namespace

std::string KeyRingSigner::sign(const nlohmann::json& claims, std::string_view alg,
                                std::string_view typ) {
  const auto parsed = jose::parse_alg(alg);
  if (!parsed) throw jose::JoseError("no signing key for " + std::string(alg));
  return ring_.current(*parsed)->sign(claims, typ);
}

OidcRoutes::OidcRoutes(const std::string& issuer, const jose::KeyRing& keys,
                       oidc::TokenEndpoint& token)
    : keys_(keys), token_(token), discovery_(oidc::discovery_document(issuer).dump()) {}

std::optional<http::Response> OidcRoutes::handle(const http::Request& request,
                                                 const http::Peer& peer, const std::string& path) {
  const bool get = request.method() == bhttp::verb::get || request.method() == bhttp::verb::head;
  if (path == oidc::Endpoints::kDiscovery) {
    if (!get) return method_not_allowed("GET", peer.tls);
    return json_response(200, discovery_, peer.tls, true);
  }
  if (path == oidc::Endpoints::kJwks) {
    if (!get) return method_not_allowed("GET", peer.tls);
    return json_response(200, *keys_.jwks_text(), peer.tls, true);
  }
  if (path == oidc::Endpoints::kToken) {
    if (request.method() != bhttp::verb::post) return method_not_allowed("POST", peer.tls);
    oidc::TokenRequest r{std::string(request[bhttp::field::authorization]),
                         std::string(request[bhttp::field::content_type]), request.body()};
    oidc::Reply reply;
    try {
      reply = token_.handle(r);
    } catch (const std::exception& e) {  // signing or storage failed: not the client's fault
      spdlog::error("token endpoint: {}", e.what());
      reply = oidc::oauth_error(500, "server_error", "the token could not be issued");
    }
    auto res = json_response(reply.status, reply.body.dump(), peer.tls);
    res.set(bhttp::field::pragma, "no-cache");
    for (const auto& [name, value] : reply.headers) res.set(name, value);
    return res;
  }
  return std::nullopt;
}

}  // namespace twofold::app
