#pragma once
// The two HTTP calls federation makes to the provider — GET (discovery) and a form POST (the
// token endpoint) — behind a port, so the domain code is tested without sockets. The libcurl
// implementation allows https, or http only to a loopback host, follows no redirects, and
// bounds time and size; it never throws.
#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace twofold::sources::upstream {

struct HttpAnswer {
  long status{0};
  std::string body;
};

struct HttpLimits {
  std::chrono::milliseconds timeout{5000};
  std::size_t max_bytes{256 * 1024};
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // The answer (any status), or why there is none.
  virtual std::variant<HttpAnswer, std::string> get(const std::string& url) = 0;
  virtual std::variant<HttpAnswer, std::string> post_form(
      const std::string& url, const std::string& body, const std::vector<std::string>& headers) = 0;
};

// https, or http to 127.0.0.1/localhost/[::1] only.
bool allowed_url(std::string_view url);

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpLimits limits = {}) : limits_(limits) {}
  std::variant<HttpAnswer, std::string> get(const std::string& url) override;
  std::variant<HttpAnswer, std::string> post_form(const std::string& url, const std::string& body,
                                                  const std::vector<std::string>& headers) override;

 private:
  std::variant<HttpAnswer, std::string> perform(const std::string& url, const std::string* body,
                                                const std::vector<std::string>& headers);
  HttpLimits limits_;
};

}  // namespace twofold::sources::upstream
