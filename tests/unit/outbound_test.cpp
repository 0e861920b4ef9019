// outbound::get / post_form against a one-shot HTTP server on 127.0.0.1 (a thread in the test):
// the URL rule, no redirects, the size limit, the time limit, and what a POST sends.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "outbound/http.hpp"

namespace twofold::outbound {
namespace {

// Accepts one connection, reads the request (head and Content-Length body), sends `answer`
// (after `delay`) and closes.
class OneShotServer {
 public:
  explicit OneShotServer(std::string answer,
                         std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 1) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, answer = std::move(answer), delay] { serve(answer, delay); });
  }
  ~OneShotServer() {
    ::shutdown(fd_, SHUT_RDWR);  // unblocks accept() when no request came
    thread_.join();
    ::close(fd_);
  }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  const std::string& request() const { return request_; }  // after the call returned

 private:
  void serve(const std::string& answer, std::chrono::milliseconds delay) {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    char buffer[4096];
    std::size_t want = std::string::npos;
    while (request_.size() < want) {
      const ssize_t n = ::recv(c, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      request_.append(buffer, static_cast<std::size_t>(n));
      const auto head_end = request_.find("\r\n\r\n");
      if (head_end != std::string::npos && want == std::string::npos) {
        const auto cl = request_.find("Content-Length: ");
        want = head_end + 4 + (cl < head_end ? std::stoul(request_.substr(cl + 16)) : 0);
      }
    }
    std::this_thread::sleep_for(delay);
    ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
    ::close(c);
  }

  int fd_{-1};
  int port_{0};
  std::string request_;
  std::thread thread_;
};

std::string http_answer(const std::string& status_line, const std::string& body,
                        const std::string& extra = "") {
  return "HTTP/1.1 " + status_line + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + extra + "\r\n" + body;
}

const Limits kQuick{std::chrono::milliseconds(2000), 1024};

TEST(Outbound, RefusesUrlsOutsideTheRuleWithoutConnecting) {
  for (const char* url : {"http://example.com/", "http://127.0.0.1.evil.com/", "ftp://127.0.0.1/",
                          "file:///etc/passwd", "https://", "https://a/#frag", "https://a/ b"}) {
    const auto got = get(url, kQuick);
    ASSERT_EQ(got.index(), 1u) << url;
    EXPECT_EQ(std::get<Error>(got).kind, Error::Kind::url_refused) << url;
    EXPECT_EQ(std::get<Error>(got).message, "the URL must be https (http only on loopback)");
  }
}

TEST(Outbound, GetReturnsStatusAndBodyOfAnyAnswer) {
  OneShotServer server(http_answer("404 Not Found", "nope"));
  const auto got = get(server.url("/jwks"), kQuick);
  ASSERT_EQ(got.index(), 0u) << std::get<Error>(got).message;
  EXPECT_EQ(std::get<Response>(got).status, 404);
  EXPECT_EQ(std::get<Response>(got).body, "nope");
  EXPECT_EQ(server.request().rfind("GET /jwks HTTP/1.1\r\n", 0), 0u) << server.request();
  EXPECT_NE(server.request().find("User-Agent: twofold\r\n"), std::string::npos);
}

TEST(Outbound, PostFormSendsTheBodyAndHeaders) {
  OneShotServer server(http_answer("200 OK", R"({"id_token":"x"})"));
  const auto got = post_form(server.url("/token"), "grant_type=authorization_code&code=c",
                             {"Authorization: Basic YTpi", "Accept: application/json"}, kQuick);
  ASSERT_EQ(got.index(), 0u) << std::get<Error>(got).message;
  EXPECT_EQ(std::get<Response>(got).body, R"({"id_token":"x"})");
  const auto& r = server.request();
  EXPECT_EQ(r.rfind("POST /token HTTP/1.1\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Type: application/x-www-form-urlencoded\r\n"), std::string::npos);
  EXPECT_NE(r.find("Authorization: Basic YTpi\r\n"), std::string::npos);
  EXPECT_NE(r.find("Accept: application/json\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - 36), "grant_type=authorization_code&code=c");
}

TEST(Outbound, DoesNotFollowRedirects) {
  OneShotServer server(http_answer("302 Found", "", "Location: http://example.com/\r\n"));
  const auto got = get(server.url(), kQuick);
  ASSERT_EQ(got.index(), 0u) << std::get<Error>(got).message;
  EXPECT_EQ(std::get<Response>(got).status, 302);
}

TEST(Outbound, AnswersOverTheSizeLimitAreErrors) {
  OneShotServer declared(http_answer("200 OK", std::string(2000, 'x')));
  auto got = get(declared.url(), kQuick);
  ASSERT_EQ(got.index(), 1u);
  EXPECT_EQ(std::get<Error>(got).kind, Error::Kind::too_large);
  EXPECT_EQ(std::get<Error>(got).message, "the answer is larger than 1024 bytes");

  // No Content-Length: the write callback stops it.
  OneShotServer streamed("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(5000, 'x'));
  got = get(streamed.url(), kQuick);
  ASSERT_EQ(got.index(), 1u);
  EXPECT_EQ(std::get<Error>(got).kind, Error::Kind::too_large);
}

TEST(Outbound, TransportFailuresAndTimeOutsAreErrorsNotExceptions) {
  auto got = get("http://127.0.0.1:1/", kQuick);  // nothing listens on port 1
  ASSERT_EQ(got.index(), 1u);
  const auto& e = std::get<Error>(got);
  EXPECT_EQ(e.kind, Error::Kind::transport);
  EXPECT_FALSE(e.cause.empty());
  EXPECT_EQ(e.message, "the request failed: " + e.cause);

  OneShotServer slow(http_answer("200 OK", "late"), std::chrono::milliseconds(1500));
  const auto start = std::chrono::steady_clock::now();
  got = get(slow.url(), {std::chrono::milliseconds(300), 1024});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
  ASSERT_EQ(got.index(), 1u);
  EXPECT_EQ(std::get<Error>(got).kind, Error::Kind::transport);
}

}  // namespace
}  // namespace twofold::outbound
