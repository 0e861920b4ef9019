#pragma once
// Maps HTTP requests to the APIs: `/` and `/api/v1/` → service API, `/device/v1/` → device
// API (with the long-poll wait), OpenID Connect (oidc_routes), the browser login
// (login_routes), the admin API `/admin/api/` (src/admin), `/healthz`. Thin: decode, call,
// encode.
#include "admin/client_api.hpp"
#include "device/api.hpp"
#include "http/server.hpp"
#include "login_routes.hpp"
#include "notify/hub.hpp"
#include "oidc_routes.hpp"
#include "serviceapi/endpoint.hpp"

namespace twofold::app {

class Routes final : public http::Handler {
 public:
  Routes(const config::Config& config, serviceapi::Endpoint& service_api, device::Api& device_api,
         notify::Hub& hub, OidcRoutes& oidc, LoginRoutes& login, admin::ClientApi& admin)
      : config_(config),
        service_api_(service_api),
        device_api_(device_api),
        hub_(hub),
        oidc_(oidc),
        login_(login),
        admin_(admin) {}

  http::asio::awaitable<http::Response> handle(const http::Request& request,
                                               const http::Peer& peer) override;
  http::Response reject(http::bhttp::status status, std::string_view message,
                        std::string_view target) override;
  std::shared_ptr<const http::PreparedAnswer> prepared(std::string_view target,
                                                       const http::Peer& peer) override {
    return oidc_.prepared(target, peer.tls);
  }

 private:
  http::Response service_api(const http::Request& request, const http::Peer& peer);
  http::Response admin_api(const http::Request& request, const http::Peer& peer, std::string path);
  http::asio::awaitable<http::Response> device_api(const http::Request& request,
                                                   const http::Peer& peer, std::string path,
                                                   std::string query);

  const config::Config& config_;
  serviceapi::Endpoint& service_api_;
  device::Api& device_api_;
  notify::Hub& hub_;
  OidcRoutes& oidc_;
  LoginRoutes& login_;
  admin::ClientApi& admin_;
};

}  // namespace twofold::app
