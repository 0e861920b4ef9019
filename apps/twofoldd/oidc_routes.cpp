#include "oidc_routes.hpp"

#include <spdlog/spdlog.h>

#include "login_routes.hpp"
#include "offload.hpp"
#include "oidc/discovery.hpp"

namespace twofold::app {
namespace {

namespace bhttp = http::bhttp;

http::Response json_response(int status, std::string body, bool tls, bool cacheable = false) {
  http::Response res{static_cast<bhttp::status>(status), 11};
  // insert, not set: the fields are new, and set() first searches for one to replace.
  res.insert(bhttp::field::content_type, "application/json");
  // Metadata and keys may be cached briefly; token answers never (RFC 6749 §5.1).
  res.insert(bhttp::field::cache_control, cacheable ? "public, max-age=300" : "no-store");
  res.insert("X-Content-Type-Options", "nosniff");
  if (tls) res.insert(bhttp::field::strict_transport_security, "max-age=31536000");
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
                       OidcEndpoints endpoints, unsigned blocking_threads)
    : keys_(keys),
      endpoints_(endpoints),
      discovery_(oidc::discovery_document(issuer).dump()),
      pool_(blocking_threads) {
  for (const bool tls : {false, true})
    prepared_discovery_[tls] = std::make_shared<const http::PreparedAnswer>(
        http::prepare(json_response(200, discovery_, tls, true)));
}

std::shared_ptr<const http::PreparedAnswer> OidcRoutes::prepared(std::string_view target,
                                                                 bool tls) const {
  if (target == oidc::Endpoints::kDiscovery) return prepared_discovery_[tls];
  if (target != oidc::Endpoints::kJwks) return nullptr;
  auto text = keys_.jwks_text();
  std::lock_guard lock(prepared_jwks_mutex_);
  if (!prepared_jwks_ || prepared_jwks_->text != text) {
    auto next = std::make_shared<PreparedJwks>();
    for (const bool t : {false, true})
      next->answer[t] = std::make_shared<const http::PreparedAnswer>(
          http::prepare(json_response(200, *text, t, true)));
    next->text = std::move(text);
    prepared_jwks_ = std::move(next);
  }
  return prepared_jwks_->answer[tls];
}

bool OidcRoutes::needs_worker(const http::Request& request, const std::string& path) {
  return request.method() == bhttp::verb::post &&
         (path == oidc::Endpoints::kToken || path == oidc::Endpoints::kIntrospect ||
          path == oidc::Endpoints::kRevoke) &&
         oidc::names_client_assertion(request.body());
}

http::asio::awaitable<http::Response> OidcRoutes::handle_on_worker(const http::Request& request,
                                                                   const http::Peer& peer,
                                                                   const std::string& path) {
  co_return co_await offload<http::Response>(pool_, [&] { return *handle(request, peer, path); });
}

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
  if (path == oidc::Endpoints::kLogout) {
    // A browser endpoint: even refusals are the sign-out error page, never JSON.
    const auto lang = login::choose_language(
        {}, std::string(request[bhttp::field::accept_language].substr(0, 256)));
    if (!get && !post) {
      auto res = to_response(endpoints_.logout.refused(405, lang, "method not allowed"), peer.tls,
                             request.version());
      res.set(bhttp::field::allow, "GET, POST");
      return res;
    }
    if (post &&
        request[bhttp::field::content_type].substr(0, 33) != "application/x-www-form-urlencoded")
      return to_response(endpoints_.logout.refused(400, lang, "the body must be a form"), peer.tls,
                         request.version());
    const std::string target(request.target());
    const auto q = target.find('?');
    login::BrowserRequest browser;
    browser.post = post;
    if (post)
      browser.params = request.body();
    else if (q != std::string::npos)
      browser.params = target.substr(q + 1);
    browser.cookies = std::string(request[bhttp::field::cookie]);
    browser.accept_language = std::string(request[bhttp::field::accept_language].substr(0, 256));
    browser.origin = std::string(request[bhttp::field::origin]);
    browser.sec_fetch_site = std::string(request["Sec-Fetch-Site"]);
    browser.remote_ip = peer.ip;
    login::Result result;
    try {
      result = endpoints_.logout.handle(browser);
    } catch (const std::exception& e) {
      spdlog::error("logout: {}", e.what());
      result.status = 500;
      result.content_type = "text/plain; charset=utf-8";
      result.body = "Something went wrong on the server. Please try again later.";
    }
    return to_response(std::move(result), peer.tls, request.version());
  }
  if (path == oidc::Endpoints::kUserinfo) {
    if (!get && !post) return method_not_allowed("GET, POST", peer.tls);
    const oidc::UserinfoRequest r{post, form.authorization, form.content_type, form.body};
    return reply_of(
        "userinfo", [&] { return endpoints_.userinfo.handle(r); }, peer.tls);
  }
  return std::nullopt;
}

std::optional<http::Response> OidcRoutes::reject(bhttp::status status, std::string_view message,
                                                 const std::string& path) const {
  const auto code = static_cast<int>(status);
  if (path == oidc::Endpoints::kLogout)
    return to_response(endpoints_.logout.refused(code, login::Language::en, message), true, 11);
  if (path.rfind("/oidc/", 0) != 0 && path != oidc::Endpoints::kDiscovery &&
      path != oidc::Endpoints::kJwks)
    return std::nullopt;
  // RFC 6749 §5.2's format, as the endpoint itself answers.
  return json_response(code, oidc::oauth_error(code, "invalid_request", message).body.dump(), true);
}

}  // namespace twofold::app
