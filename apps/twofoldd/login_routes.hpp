#pragma once
// The browser login on the HTTP edge: /oidc/authorize, /login, /login/status, /static/,
// and the account page /account.
// Thin: the domain is src/login. Blocking work (password hashes, database writes, code
// issuing) runs on a small pool of its own, so the I/O threads never wait for Argon2id.
#include <optional>

#include "http/server.hpp"
#include "login/account.hpp"
#include "login/flow.hpp"

namespace twofold::app {

class LoginRoutes {
 public:
  LoginRoutes(login::LoginFlow& flow, login::AccountPage& account,
              login::Transactions& transactions, login::Sessions& sessions,
              unsigned blocking_threads = 2)
      : flow_(flow),
        account_(account),
        transactions_(transactions),
        sessions_(sessions),
        pool_(blocking_threads) {}
  ~LoginRoutes() { pool_.join(); }

  static bool owns(std::string_view path);
  http::asio::awaitable<http::Response> handle(const http::Request& request, const http::Peer& peer,
                                               std::string path, std::string query);
  // The error page for a request the HTTP layer could not read (too large, not HTTP).
  http::Response reject(http::bhttp::status status, std::string_view message) const;
  // Drops expired transactions and stale browser sessions (call every minute or so).
  http::asio::awaitable<void> sweep();
  void stop() { pool_.stop(); }
  void join() { pool_.join(); }

 private:
  template <class F>
  http::asio::awaitable<login::Result> offload(F work);

  login::LoginFlow& flow_;
  login::AccountPage& account_;
  login::Transactions& transactions_;
  login::Sessions& sessions_;
  http::asio::thread_pool pool_;
};

// Content-Security-Policy and the other headers every login page carries.
void set_page_headers(http::Response& response, bool tls);
// A login or logout page (or redirect) as HTTP, with those headers and its cookies.
http::Response to_response(login::Result result, bool tls, unsigned version);

}  // namespace twofold::app
