#pragma once
// The HTTP/1.1 edge: HTTPS (TLS 1.2+) and an optional plain-HTTP listener, keep-alive,
// size and time limits. Handlers are given complete requests; everything protocol-level
// (parse errors, oversized bodies, slow clients, TLS garbage) is answered or cut off here.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "http/asio.hpp"
#include "http/io_pool.hpp"

namespace twofold::http {

struct Peer {
  std::string ip;
  bool tls{false};
};

// An answer rendered once and sent as is: status line, headers (Content-Length included) and
// body. For GETs whose answer is the same for every request (discovery, JWKS), building a
// Response per request was a fifth of their instructions.
struct PreparedAnswer {
  std::string bytes;
  std::size_t head_size{0};  // a HEAD sends bytes[0, head_size)
};
// Renders `response` (keep-alive, Content-Length set here).
PreparedAnswer prepare(Response response);

class Handler {
 public:
  virtual ~Handler() = default;
  // The prepared answer to a keep-alive HTTP/1.1 GET or HEAD of `target`, or nullptr: then
  // handle() answers it.
  virtual std::shared_ptr<const PreparedAnswer> prepared(std::string_view /*target*/,
                                                         const Peer& /*peer*/) {
    return nullptr;
  }
  virtual asio::awaitable<Response> handle(const Request& request, const Peer& peer) = 0;
  // The answer to a request that could not be read (too large, malformed), in the format
  // of the API at `target` (may be empty when the target is unknown).
  virtual Response reject(bhttp::status status, std::string_view message,
                          std::string_view target) = 0;
};

class Server {
 public:
  // Listeners run on pool.main(); each connection on the pool's next context.
  Server(IoPool& pool, const config::Config& config, Handler& handler);
  // Binds the listeners (throws with a clear message if a port is taken).
  void start();
  // Stops accepting; open connections finish their current request.
  void stop();
  std::size_t connections() const { return connections_.load(); }

 private:
  asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, bool tls);
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, asio::ip::tcp::socket& socket, Peer peer);
  asio::awaitable<void> serve_plain(asio::ip::tcp::socket socket);
  asio::awaitable<void> serve_tls(asio::ip::tcp::socket socket);

  IoPool& pool_;
  const config::Config& config_;
  Handler& handler_;
  asio::ssl::context tls_;
  std::unique_ptr<asio::ip::tcp::acceptor> https_;
  std::unique_ptr<asio::ip::tcp::acceptor> http_;
  std::atomic<std::size_t> connections_{0};
};

}  // namespace twofold::http
