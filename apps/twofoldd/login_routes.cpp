#include "login_routes.hpp"

#include <spdlog/spdlog.h>

#include <cstring>

#include "offload.hpp"

namespace twofold::app {
namespace {

namespace bhttp = http::bhttp;
namespace asio = http::asio;

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

login::BrowserRequest browser_request(const http::Request& request, const http::Peer& peer,
                                      std::string query) {
  login::BrowserRequest r;
  r.post = request.method() == bhttp::verb::post;
  r.params = r.post ? request.body() : std::move(query);
  r.cookies = std::string(request[bhttp::field::cookie]);
  r.accept_language = std::string(request[bhttp::field::accept_language].substr(0, 256));
  r.origin = std::string(request[bhttp::field::origin]);
  r.sec_fetch_site = std::string(request["Sec-Fetch-Site"]);
  r.remote_ip = peer.ip;
  return r;
}

bool is_form(const http::Request& request) {
  auto type = request[bhttp::field::content_type];
  return type.substr(0, 33) == "application/x-www-form-urlencoded";
}

}  // namespace

void set_page_headers(http::Response& res, bool tls) {
  res.set(bhttp::field::cache_control, "no-store");
  res.set(bhttp::field::pragma, "no-cache");
  res.set("Content-Security-Policy", kCsp);
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  if (tls) res.set(bhttp::field::strict_transport_security, "max-age=31536000");
}

http::Response to_response(login::Result result, bool tls, unsigned version) {
  http::Response res{static_cast<bhttp::status>(result.status), version};
  res.set(bhttp::field::content_type, result.content_type);
  set_page_headers(res, tls);
  if (!result.location.empty()) res.set(bhttp::field::location, result.location);
  for (const auto& cookie : result.set_cookies) res.insert(bhttp::field::set_cookie, cookie);
  res.body() = std::move(result.body);
  return res;
}

bool LoginRoutes::owns(std::string_view path) {
  return path == login::Paths::kAuthorize || path == login::Paths::kLogin ||
         path == login::AccountPage::kPath || path.rfind("/login/", 0) == 0 ||
         path.rfind(login::Paths::kStatic, 0) == 0;
}

template <class F>
asio::awaitable<login::Result> LoginRoutes::offload(F work) {
  return app::offload<login::Result>(pool_, std::move(work));
}

asio::awaitable<http::Response> LoginRoutes::handle(const http::Request& request,
                                                    const http::Peer& peer, std::string path,
                                                    std::string query) {
  const auto method = request.method();
  const bool get = method == bhttp::verb::get || method == bhttp::verb::head;
  const bool post = method == bhttp::verb::post;
  const auto version = request.version();
  const auto lang = login::choose_language({}, std::string(request[bhttp::field::accept_language]));
  auto page = [&](login::Result r) { return to_response(std::move(r), peer.tls, version); };

  if (path.rfind(login::Paths::kStatic, 0) == 0) {
    auto file = login::Pages::static_file(path.substr(std::strlen(login::Paths::kStatic)));
    if (!get || !file) co_return page(flow_.error_page(404, "error_not_found", lang));
    http::Response res{bhttp::status::ok, version};
    const bool js = path.size() > 3 && path.substr(path.size() - 3) == ".js";
    res.set(bhttp::field::content_type,
            js ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
    set_page_headers(res, peer.tls);
    res.set(bhttp::field::cache_control, "public, max-age=3600");
    res.erase(bhttp::field::pragma);
    res.body() = std::string(*file);
    co_return res;
  }

  auto browser = browser_request(request, peer, std::move(query));
  if (post && !is_form(request))
    co_return page(flow_.error_page(415, "error_bad_request", lang, "expected a form"));
  try {
    if (path == login::Paths::kAuthorize && (get || post))
      co_return page(co_await offload([&] { return flow_.authorize(browser); }));
    if (path == login::Paths::kLogin && get) co_return page(flow_.show(browser));
    if (path == login::Paths::kLogin && post)
      co_return page(co_await offload([&] { return flow_.submit(browser); }));
    if (path == login::Paths::kStatus && get) co_return page(flow_.status(browser));
    if (path == login::Paths::kReset && get)  // R-C5: the link from the mail
      co_return page(co_await offload([&] { return flow_.open_reset_link(browser); }));
    // R-C4: both call the provider (discovery, token endpoint, keys), so off the I/O thread.
    if (path == login::UpstreamPaths::kStart && get)
      co_return page(co_await offload([&] { return flow_.upstream_start(browser); }));
    if (path == login::UpstreamPaths::kCallback && get)
      co_return page(co_await offload([&] { return flow_.upstream_callback(browser); }));
    // The account page: TOTP secrets, QR codes and password checks, so off the I/O thread.
    if (path == login::AccountPage::kPath && get)
      co_return page(co_await offload([&] { return account_.show(browser); }));
    if (path == login::AccountPage::kPath && post)
      co_return page(co_await offload([&] { return account_.submit(browser); }));
  } catch (const std::exception& e) {
    spdlog::error("login {}: {}", path, e.what());
    co_return page(flow_.error_page(500, "error_server", lang));
  }
  if (path == login::Paths::kAuthorize || path == login::Paths::kLogin ||
      path == login::Paths::kStatus || path == login::AccountPage::kPath) {
    auto res = page(flow_.error_page(405, "error_bad_request", lang, "method not allowed"));
    res.set(bhttp::field::allow, path == login::Paths::kStatus ? "GET" : "GET, POST");
    co_return res;
  }
  co_return page(flow_.error_page(404, "error_not_found", lang));
}

http::Response LoginRoutes::reject(bhttp::status status, std::string_view message) const {
  return to_response(
      flow_.error_page(static_cast<int>(status), "error_bad_request", login::Language::en, message),
      true, 11);
}

asio::awaitable<void> LoginRoutes::sweep() {
  co_await offload([this] {
    transactions_.sweep();
    try {
      sessions_.sweep();
    } catch (const std::exception& e) {
      spdlog::warn("browser sessions: {}", e.what());
    }
    return login::Result{};
  });
}

}  // namespace twofold::app
