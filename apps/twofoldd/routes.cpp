#include "routes.hpp"

#include <spdlog/spdlog.h>

#include "serviceapi/error_codes.hpp"

namespace twofold::app {
namespace {

namespace bhttp = http::bhttp;
using http::Response;

bool is_service_api_path(std::string_view path) {
  return path == "/" || path == "/api/v1/" || path == "/api/v1";
}

Response make(bhttp::status status, std::string content_type, std::string body, bool tls) {
  Response res{status, 11};
  // insert, not set: the fields are new, and set() first searches for one to replace.
  res.insert(bhttp::field::content_type, content_type);
  res.insert(bhttp::field::cache_control, "no-store");
  res.insert("X-Content-Type-Options", "nosniff");
  if (tls) res.insert(bhttp::field::strict_transport_security, "max-age=31536000");
  res.body() = std::move(body);
  return res;
}

Response service_answer(int status, std::string body, bool tls) {
  return make(static_cast<bhttp::status>(status), "text/plain; charset=utf-8", std::move(body),
              tls);
}

Response json_answer(int status, const nlohmann::json& body, bool tls) {
  return make(static_cast<bhttp::status>(status), "application/json", body.dump(), tls);
}

constexpr const char* kLandingPage = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>twofold</title></head>
<body><h1>twofold is running</h1>
<p>Services send their requests to this address (POST, see docs/service-api.md).
Enrol an ID with <code>twofold-auth enrol --server URL --ca ca.crt --id NAME</code>.</p>
<h1 lang="de">twofold läuft</h1>
<p lang="de">Dienste senden ihre Anfragen an diese Adresse (POST, siehe docs/service-api.md).
Eine ID wird mit <code>twofold-auth enrol --server URL --ca ca.crt --id NAME</code> eingerichtet.</p>
</body></html>
)HTML";

}  // namespace

http::asio::awaitable<Response> Routes::handle(const http::Request& request,
                                               const http::Peer& peer) {
  const std::string target(request.target());
  const auto q = target.find('?');
  std::string path = target.substr(0, q);
  std::string query = q == std::string::npos ? "" : target.substr(q + 1);
  // HEAD is answered like GET; the HTTP layer sends only the head (Content-Length included).
  const bool get = request.method() == bhttp::verb::get || request.method() == bhttp::verb::head;

  if (is_service_api_path(path)) {
    if (get && path == "/")
      co_return make(bhttp::status::ok, "text/html; charset=utf-8", kLandingPage, peer.tls);
    co_return service_api(request, peer);
  }
  if (path.rfind("/device/v1/", 0) == 0)
    co_return co_await device_api(request, peer, std::move(path), std::move(query));
  if (LoginRoutes::owns(path))
    co_return co_await login_.handle(request, peer, std::move(path), std::move(query));
  if (OidcRoutes::needs_worker(request, path))
    co_return co_await oidc_.handle_on_worker(request, peer, path);
  if (auto answer = oidc_.handle(request, peer, path)) co_return std::move(*answer);
  if (admin::ClientApi::owns(path)) co_return admin_api(request, peer, std::move(path));
  if (path == "/healthz" && get) co_return make(bhttp::status::ok, "text/plain", "ok", peer.tls);
  co_return json_answer(404, {{"error", "not_found"}, {"message", "No such endpoint."}}, peer.tls);
}

Response Routes::service_api(const http::Request& request, const http::Peer& peer) {
  using serviceapi::Error;
  auto refuse = [&](Error e) {
    const auto& info = serviceapi::error_info(e);
    return service_answer(info.http_status, serviceapi::error_answer(e), peer.tls);
  };
  if (request.method() != bhttp::verb::post) return refuse(Error::method_not_allowed);
  // Clients send application/x-www-form-urlencoded (some with a charset); none sends another
  // type, so anything else is a mistake worth reporting.
  auto type = request[bhttp::field::content_type];
  if (!type.empty() && type.substr(0, 33) != "application/x-www-form-urlencoded")
    return refuse(Error::unsupported_media_type);
  auto answer = service_api_.handle(request.body(), peer.ip);
  if (!answer.log.empty()) spdlog::error("service API request from {}: {}", peer.ip, answer.log);
  // log level "usage": every request's outcome (never the body: it may carry an apikey)
  spdlog::debug("service API answered {} to {}{}", answer.http_status, peer.ip,
                answer.body.rfind("error=", 0) == 0 ? ": " + answer.body : std::string());
  return service_answer(answer.http_status, std::move(answer.body), peer.tls);
}

Response Routes::admin_api(const http::Request& request, const http::Peer& peer, std::string path) {
  admin::Request r{std::string(request.method_string()), std::move(path),
                   std::string(request[bhttp::field::authorization]),
                   std::string(request[bhttp::field::content_type]), request.body()};
  admin::Outcome outcome;
  try {
    outcome = admin_.handle(r);
  } catch (const std::exception& e) {  // storage failed: not the caller's fault
    spdlog::error("admin API {} {}: {}", r.method, r.path, e.what());
    outcome.reply = oidc::oauth_error(500, "server_error", "the request could not be completed");
  }
  if (!outcome.action.empty()) spdlog::info("admin API: {} (from {})", outcome.action, peer.ip);
  spdlog::debug("admin API answered {} to {} {} from {}", outcome.reply.status, r.method, r.path,
                peer.ip);
  const auto& reply = outcome.reply;
  Response res = reply.status == 204
                     ? make(bhttp::status::no_content, "application/json", "", peer.tls)
                     : json_answer(reply.status, reply.body, peer.tls);
  if (reply.status == 204) res.erase(bhttp::field::content_type);
  for (const auto& [name, value] : reply.headers) res.set(name, value);
  return res;
}

http::asio::awaitable<Response> Routes::device_api(const http::Request& request,
                                                   const http::Peer& peer, std::string path,
                                                   std::string query) {
  device::ApiRequest r;
  r.method = std::string(request.method_string());
  r.path = std::move(path);
  r.query = std::move(query);
  r.body = request.body();
  r.remote_ip = peer.ip;
  auto auth = request[bhttp::field::authorization];
  if (auth.size() > 7 && auth.substr(0, 7) == "Bearer ")
    r.bearer_token = std::string(auth.substr(7));

  auto reply = device_api_.handle(r);
  if (reply.wait_for_sessions) {
    // Subscribe first, then look again: a session created in between still wakes us.
    auto ticket = hub_.subscribe(reply.identity_key, co_await http::asio::this_coro::executor);
    reply = device_api_.handle(r);
    if (reply.wait_for_sessions) {
      co_await ticket->wait(std::chrono::duration_cast<std::chrono::milliseconds>(reply.wait));
      reply = device_api_.handle(r, /*waited=*/true);
    }
  }
  co_return json_answer(reply.status, reply.body, peer.tls);
}

Response Routes::reject(bhttp::status status, std::string_view message, std::string_view target) {
  const std::string path(target.substr(0, target.find('?')));
  // Browser endpoints: their HTML error page; OAuth endpoints: their JSON error.
  if (LoginRoutes::owns(path)) return login_.reject(status, message);
  if (auto answer = oidc_.reject(status, message, path)) return std::move(*answer);
  if (admin::ClientApi::owns(path))  // RFC 6749-style JSON error, like the API's own
    return json_answer(static_cast<int>(status),
                       {{"error", status == bhttp::status::payload_too_large ? "payload_too_large"
                                                                             : "invalid_request"},
                        {"error_description", message}},
                       true);
  if (path.rfind("/device/v1/", 0) == 0 || path == "/healthz")
    return json_answer(static_cast<int>(status), {{"error", "bad_request"}, {"message", message}},
                       true);
  // Unknown or service-API targets get the service API's format: its clients read only it.
  using serviceapi::Error;
  if (status == bhttp::status::payload_too_large)
    return service_answer(413, serviceapi::error_answer(Error::body_too_large), true);
  return service_answer(
      static_cast<int>(status),
      serviceapi::error_answer(serviceapi::error_info(Error::malformed_body).code, message), true);
}

}  // namespace twofold::app
