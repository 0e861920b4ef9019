#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <memory>
#include <type_traits>

namespace twofold::http {
namespace {

using tcp = asio::ip::tcp;
using asio::use_awaitable;

asio::ssl::context make_tls_context(const config::Config& config) {
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  // Forward-secret AEAD suites only for TLS 1.2; TLS 1.3 suites are OpenSSL's defaults.
  SSL_CTX_set_cipher_list(ctx.native_handle(),
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  const auto cert = config.resolve(config.server.tls_certificate).string();
  const auto key = config.resolve(config.server.tls_private_key).string();
  try {
    ctx.use_certificate_chain_file(cert);
    ctx.use_private_key_file(key, asio::ssl::context::pem);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load TLS certificate " + cert + " / key " + key + ": " +
                             e.what() + " (run `twofold setup --quick` to create them)");
  }
  return ctx;
}

std::unique_ptr<tcp::acceptor> bind(asio::io_context& io, const std::string& address,
                                    std::uint16_t port) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("invalid listen_address " + address);
  tcp::endpoint ep(addr, port);
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  acceptor->open(ep.protocol());
  acceptor->set_option(asio::socket_base::reuse_address(true));
  acceptor->bind(ep, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                             ec.message());
  acceptor->listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

// The target is known once the start line is parsed, before the header is done: a body refused
// by its Content-Length alone still gets the answer format of its API. A header too large is
// never parsed; then the target is read off the raw start line ("METHOD SP target SP …"), so
// that refusal too comes in the format of the endpoint asked for.
std::string target_of(const bhttp::request_parser<bhttp::string_body>& parser,
                      const beast::flat_buffer& raw) {
  if (!parser.get().target().empty()) return std::string(parser.get().target());
  const std::string_view text(static_cast<const char*>(raw.data().data()), raw.size());
  const auto line = text.substr(0, text.find_first_of("\r\n"));
  const auto start = line.find(' ');
  if (start == std::string_view::npos) return {};
  const auto target = line.substr(start + 1);
  return std::string(target.substr(0, target.find(' ')));
}

// Reads one request into Beast's parser as bhttp::async_read does (the same parser, the
// same errors, end_of_stream before the first byte) but as one plain loop of read_some:
// Beast's composed read operations cost a third of a cached GET's instructions (callgrind).
template <class Stream>
asio::awaitable<void> read_request(Stream& stream, beast::flat_buffer& buffer,
                                   bhttp::request_parser<bhttp::string_body>& parser,
                                   boost::system::error_code& ec) {
  for (;;) {
    if (buffer.size() > 0) {
      const auto used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec && ec != bhttp::error::need_more) co_return;  // a parse error or a limit
      if (!ec && parser.is_done()) co_return;
      // The header alone ends a put(); its body may already be buffered.
      if (!ec && used > 0) continue;
      ec = {};
    }
    const auto room = buffer.max_size() - buffer.size();
    if (room == 0) {
      ec = bhttp::error::buffer_overflow;
      co_return;
    }
    const auto n =
        co_await stream.async_read_some(buffer.prepare(std::min<std::size_t>(room, 64 * 1024)),
                                        asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::eof) {
      if (!parser.got_some()) {
        ec = bhttp::error::end_of_stream;
        co_return;
      }
      ec = {};
      parser.put_eof(ec);  // a body delimited by the connection's end, or partial_message
      co_return;
    }
    if (ec) co_return;
    buffer.commit(n);
  }
}

// The response head exactly as Beast's serializer writes it (status line, the fields in
// their order, blank line), built into one string: Beast's generic buffer-sequence writer
// cost more instructions than the rest of a cached GET. The body follows as is; the
// handlers' bodies are complete strings and prepare_payload() has set Content-Length.
std::string head_of(const Response& response) {
  std::string head;
  head.reserve(256);
  const unsigned version = response.version();
  const unsigned code = response.result_int();
  const char line[] = {'H',
                       'T',
                       'T',
                       'P',
                       '/',
                       static_cast<char>('0' + version / 10),
                       '.',
                       static_cast<char>('0' + version % 10),
                       ' ',
                       static_cast<char>('0' + code / 100),
                       static_cast<char>('0' + (code / 10) % 10),
                       static_cast<char>('0' + code % 10),
                       ' '};
  head.append(line, sizeof line);
  const auto reason = response.reason();
  head.append(reason.data(), reason.size());
  head.append("\r\n");
  for (const auto& field : response) {
    const auto name = field.name_string();
    const auto value = field.value();
    head.append(name.data(), name.size());
    head.append(": ");
    head.append(value.data(), value.size());
    head.append("\r\n");
  }
  head.append("\r\n");
  return head;
}

// Resumes after the other requests this turn of the event loop already has: the answers of
// one turn then leave back to back, and a client holding several connections is woken once
// for them rather than once per answer (measured: +7 % RS256 grants/s with the load generator
// on the same cores; with a single ready connection it costs one queue hop).
asio::awaitable<void> after_ready_requests() {
  co_await asio::post(co_await asio::this_coro::executor, use_awaitable);
}

// The handler's prepared answer, for a kept-alive HTTP/1.1 GET or HEAD only.
std::shared_ptr<const PreparedAnswer> prepared_for(Handler& handler, const Request& head,
                                                   const Peer& peer) {
  const bool get_or_head = head.method() == bhttp::verb::get || head.method() == bhttp::verb::head;
  if (!get_or_head || head.version() != 11 || !head.keep_alive()) return nullptr;
  return handler.prepared({head.target().data(), head.target().size()}, peer);
}

// Closes a connection whose current phase (reading a request, writing an answer, waiting for
// the next request) outlives its limit, as Beast's tcp_stream expiry did; but tcp_stream arms
// and cancels timers on every read and write, a large share of a cached GET. Here moving the
// deadline is an assignment: the one timer is armed at most `step` (the shortest limit)
// ahead, so no later deadline can be earlier than it and it never needs re-arming early.
// Runs on the connection's single-threaded context, like the connection itself.
struct Watchdog {
  using Clock = asio::steady_timer::clock_type;
  Watchdog(const asio::any_io_executor& ex, tcp::socket& s, Clock::duration step_)
      : timer(ex), socket(&s), step(step_) {}
  void expires_after(Clock::duration d) { deadline = Clock::now() + d; }
  void expires_never() { deadline = Clock::time_point::max(); }

  asio::steady_timer timer;
  tcp::socket* socket;  // null once the connection is done with it
  Clock::duration step;
  Clock::time_point deadline{Clock::time_point::max()};
};

asio::awaitable<void> watch(std::shared_ptr<Watchdog> dog) {
  for (;;) {
    if (!dog->socket) co_return;
    const auto now = Watchdog::Clock::now();
    if (now >= dog->deadline) {
      boost::system::error_code ec;
      dog->socket->close(ec);  // the pending read or write ends with operation_aborted
      co_return;
    }
    dog->timer.expires_at(std::min(dog->deadline, now + dog->step));
    boost::system::error_code ec;
    co_await dog->timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

// Stops the watchdog when the connection's coroutine ends (or is destroyed).
struct WatchdogStop {
  Watchdog& dog;
  ~WatchdogStop() {
    dog.socket = nullptr;
    dog.timer.cancel();
  }
};

// Counts open connections for the max_connections limit.
struct ConnectionSlot {
  std::atomic<std::size_t>& count;
  explicit ConnectionSlot(std::atomic<std::size_t>& c) : count(c) { ++count; }
  ~ConnectionSlot() { --count; }
};

}  // namespace

PreparedAnswer prepare(Response response) {
  response.keep_alive(true);
  response.prepare_payload();
  PreparedAnswer answer;
  answer.bytes = head_of(response);
  answer.head_size = answer.bytes.size();
  answer.bytes += response.body();
  return answer;
}

Server::Server(IoPool& pool, const config::Config& config, Handler& handler)
    : pool_(pool), config_(config), handler_(handler), tls_(make_tls_context(config)) {}

void Server::start() {
  auto& io = pool_.main();
  https_ = bind(io, config_.server.listen_address, config_.server.https_port);
  asio::co_spawn(io, accept_loop(*https_, true), asio::detached);
  if (config_.server.http_port != 0) {
    http_ = bind(io, config_.server.listen_address, config_.server.http_port);
    asio::co_spawn(io, accept_loop(*http_, false), asio::detached);
  }
}

void Server::stop() {
  boost::system::error_code ec;
  if (https_) https_->close(ec);
  if (http_) http_->close(ec);
}

asio::awaitable<void> Server::accept_loop(tcp::acceptor& acceptor, bool tls) {
  for (;;) {
    boost::system::error_code ec;
    // Each connection lives on one single-threaded context: its coroutine and timers never
    // run concurrently, without a strand.
    asio::any_io_executor strand = pool_.next().get_executor();
    tcp::socket socket =
        co_await acceptor.async_accept(strand, asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(pool_.main(), std::chrono::milliseconds(50));
      co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    if (connections_.load() >= config_.server.max_connections) {
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (tls)
      asio::co_spawn(strand, serve_tls(std::move(socket)), asio::detached);
    else
      asio::co_spawn(strand, serve_plain(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Server::serve_plain(tcp::socket socket) {
  ConnectionSlot slot(connections_);
  Peer peer;
  boost::system::error_code ec;
  peer.ip = socket.remote_endpoint(ec).address().to_string();
  co_await serve(socket, socket, peer);  // plain: no stream layer between Beast and the socket
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> Server::serve_tls(tcp::socket socket) {
  ConnectionSlot slot(connections_);
  Peer peer;
  peer.tls = true;
  boost::system::error_code ec;
  peer.ip = socket.remote_endpoint(ec).address().to_string();
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls_);
  beast::get_lowest_layer(stream).expires_after(
      std::chrono::seconds(config_.server.request_timeout_seconds));
  co_await stream.async_handshake(asio::ssl::stream_base::server,
                                  asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;  // TLS garbage, wrong protocol, or too slow: just close
  beast::get_lowest_layer(stream).expires_never();  // the watchdog keeps the limits from here on
  co_await serve(stream, beast::get_lowest_layer(stream).socket(), peer);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(asio::redirect_error(use_awaitable, ec));
}

template <class Stream>
asio::awaitable<void> Server::serve(Stream& stream, tcp::socket& socket, Peer peer) {
  const auto request_timeout = std::chrono::seconds(config_.server.request_timeout_seconds);
  const auto idle_timeout = std::chrono::seconds(config_.server.idle_timeout_seconds);
  auto dog = std::make_shared<Watchdog>(co_await asio::this_coro::executor, socket,
                                        std::min(request_timeout, idle_timeout));
  WatchdogStop stop_dog{*dog};
  asio::co_spawn(dog->timer.get_executor(), watch(dog), asio::detached);
  beast::flat_buffer buffer(16 * 1024);
  for (;;) {
    boost::system::error_code ec;
    // Wait for the first byte of the next request with the (longer) keep-alive limit...
    if (buffer.size() == 0) {
      dog->expires_after(idle_timeout);
      auto n = co_await stream.async_read_some(buffer.prepare(4096),
                                               asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      buffer.commit(n);
    }
    // ...then the whole request must arrive within request_timeout (slow-client defence).
    dog->expires_after(request_timeout);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(config_.server.max_body_bytes);
    co_await read_request(stream, buffer, parser, ec);

    if (const auto answer = ec ? nullptr : prepared_for(handler_, parser.get(), peer)) {
      const bool head_only = parser.get().method() == bhttp::verb::head;
      dog->expires_after(request_timeout);
      co_await after_ready_requests();
      const auto size = head_only ? answer->head_size : answer->bytes.size();
      co_await asio::async_write(stream, asio::buffer(answer->bytes.data(), size),
                                 asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      continue;
    }
    Response response;
    bool close_after = false;
    bool head_only = false;  // HEAD: the GET answer's head, Content-Length included, no body
    if (ec == bhttp::error::body_limit) {
      response = handler_.reject(bhttp::status::payload_too_large, "The request body is too large.",
                                 target_of(parser, buffer));
      close_after = true;
    } else if (ec == bhttp::error::header_limit) {
      response = handler_.reject(bhttp::status::request_header_fields_too_large,
                                 "The request headers are too large.", target_of(parser, buffer));
      close_after = true;
    } else if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
               ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      response = handler_.reject(bhttp::status::bad_request, "The request is not valid HTTP/1.1.",
                                 target_of(parser, buffer));
      close_after = true;
    } else if (ec) {
      co_return;  // closed, timed out, or reset: nothing to answer
    } else {
      Request request = parser.release();
      head_only = request.method() == bhttp::verb::head;
      dog->expires_never();  // handlers may wait (device API long poll); no I/O meanwhile
      try {
        response = co_await handler_.handle(request, peer);
      } catch (const std::exception& e) {
        spdlog::error("handler failed for {} {}: {}", std::string(request.method_string()),
                      std::string(request.target()), e.what());
        response = handler_.reject(bhttp::status::bad_request, "The request could not be handled.",
                                   std::string(request.target()));
      }
      response.keep_alive(request.keep_alive());
      close_after = !request.keep_alive();
    }
    if (close_after) response.keep_alive(false);
    response.prepare_payload();
    dog->expires_after(request_timeout);
    co_await after_ready_requests();
    if (head_only) {  // what the routes answered (most treat HEAD as GET), without the body
      const std::string head = head_of(response);
      co_await asio::async_write(stream, asio::buffer(head),
                                 asio::redirect_error(use_awaitable, ec));
    } else if constexpr (std::is_same_v<Stream, tcp::socket>) {
      const std::string head = head_of(response);
      const std::array<asio::const_buffer, 2> message{asio::buffer(head),
                                                      asio::buffer(response.body())};
      co_await asio::async_write(stream, message, asio::redirect_error(use_awaitable, ec));
    } else {  // TLS: Beast's serializer, whose records the TLS tests have always seen
      co_await bhttp::async_write(stream, response, asio::redirect_error(use_awaitable, ec));
    }
    if (ec || close_after) co_return;
  }
}

}  // namespace twofold::http
