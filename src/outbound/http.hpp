#pragma once
// Outbound HTTP: the server's own requests to other servers (a client's or a provider's JWKS,
// an upstream provider's discovery and token endpoints), one libcurl easy handle a call.
// Only URLs that pass core::is_fetchable_url (https, or http to loopback); redirects are not
// followed (one could leave https or loopback); time and answer size are bounded. Never
// throws; blocks the calling thread for at most `timeout`.
#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace twofold::outbound {

struct Limits {
  std::chrono::milliseconds timeout{5000};  // the whole request, connect included
  std::size_t max_bytes{256 * 1024};        // of the answer's body
};

struct Response {
  long status{0};  // any status: what counts as success is the caller's business
  std::string body;
};

struct Error {
  enum class Kind {
    url_refused,  // not https, nor http to loopback, or not fit to fetch
    too_large,    // the body passed Limits::max_bytes
    transport,    // DNS, connect, TLS, time-out…: `cause` holds libcurl's words
    local,        // libcurl or memory gave out on this side
  };
  Kind kind;
  std::string message;  // a whole sentence for logs, e.g. "the request failed: <cause>"
  std::string cause;    // transport: libcurl's message; otherwise empty
};

using Result = std::variant<Response, Error>;

Result get(const std::string& url, const Limits& limits);

// POST of an application/x-www-form-urlencoded `body` (already encoded), with extra header
// lines such as "Authorization: Basic …".
Result post_form(const std::string& url, const std::string& body,
                 const std::vector<std::string>& headers, const Limits& limits);

}  // namespace twofold::outbound
