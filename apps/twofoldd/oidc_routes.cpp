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

// A domain reply as HTTP; a throwing handler (signing or storage failed: not the client's
// fault) becomes 500 server_error.
template <typename Handler>
http::Response reply_of(const char* what, Handler&& handler, bool tls) {
  oidc::Reply reply;
  try {
    reply = handler();
  } catch (const std::exception& e) {
    spdlog::error("{}: {}", what, e.what());
    reply = oidc::oauth_error(500, "server_error", "the request could not be completed");
  }
  auto res = json_response(reply.status, reply.body.dump(), tls);
  res.set(bhttp::field::pragma, "no-cache");
  for (const auto& [name, value] : reply.headers) res.set(name, value);
  return res;
}

}  // namespace

std::string KeyRingSigner::sign(const nlohmann::json& claims, std::string_view alg,
                                std::string_view typ) {
  const auto parsed = jose::parse_alg(alg);
  if (!parsed) throw jose::JoseError("no signing key for " + std::string(alg));
  return ring_.current(*parsed)->sign(claims, typ);
}

std::optional<oidc::VerifiedToken> KeyRingVerifier::verify(std::string_view token) {
  auto result = ring_.verify(token);
  auto* verified = std::get_if<jose::Verified>(&result);
  if (!verified) return std::nullopt;
  return oidc::VerifiedToken{std::move(verified->header), std::move(verified->claims)};
}

OidcRoutes::OidcRoutes(const std::string& issuer, const jose::KeyRing& keys,
                       OidcEndpoints endpoints)
    : keys_(keys), endpoints_(endpoints), discovery_(oidc::discovery_document(issuer).dump()) {}

std::optional<http::Response> OidcRoutes::handle(const http::Request& request,
                                                 const http::Peer& peer, const std::string& path) {
  const bool get = request.method() == bhttp::verb::get || request.method() == bhttp::verb::head;
  const bool post = request.method() == bhttp::verb::post;
  if (path == oidc::Endpoints::kDiscovery) {
    if (!get) return method_not_allowed("GET", peer.tls);
    return json_response(200, discovery_, peer.tls, true);
  }
  if (path == oidc::Endpoints::kJwks) {
    if (!get) return method_not_allowed("GET", peer.tls);
    return json_response(200, *keys_.jwks_text(), peer.tls, true);
  }
  if (path.rfind("/oidc/", 0) != 0) return std::nullopt;
  const oidc::TokenRequest form{std::string(request[bhttp::field::authorization]),
                                std::string(request[bhttp::field::content_type]), request.body()};
  if (path == oidc::Endpoints::kToken) {
    if (!post) return method_not_allowed("POST", peer.tls);
    return reply_of(
        "token endpoint", [&] { return endpoints_.token.handle(form); }, peer.tls);
  }
  if (path == oidc::Endpoints::kIntrospect) {
    if (!post) return method_not_allowed("POST", peer.tls);
    return reply_of(
        "introspection", [&] { return endpoints_.introspection.handle(form); }, peer.tls);
  }
  if (path == oidc::Endpoints::kRevoke) {
    if (!post) return method_not_allowed("POST", peer.tls);
    return reply_of(
        "revocation", [&] { return endpoints_.revocation.handle(form); }, peer.tls);
  }
  if (path == oidc::Endpoints::kUserinfo) {
    if (!get && !post) return method_not_allowed("GET, POST", peer.tls);
    const oidc::UserinfoRequest r{post, form.authorization, form.content_type, form.body};
    return reply_of(
        "userinfo", [&] { return endpoints_.userinfo.handle(r); }, peer.tls);
  }
  return std::nullopt;
}

}  // namespace twofold::app
