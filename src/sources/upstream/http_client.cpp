#include "sources/upstream/http_client.hpp"

#include <curl/curl.h>

#include <memory>

namespace twofold::sources::upstream {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

struct Body {
  std::string text;
  std::size_t limit;
  bool too_big{false};
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t n = size * count;
  if (body->text.size() + n > body->limit) {
    body->too_big = true;
    return 0;
  }
  body->text.append(data, n);
  return n;
}

struct CurlRelease {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListRelease {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

bool allowed_url(std::string_view url) {
  if (url.size() > 2000) return false;
  for (const char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return false;
  if (starts_with(url, "https://") && url.size() > 8) return true;
  for (std::string_view loopback : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
    if (starts_with(url, loopback) && (url.size() == loopback.size() ||
                                       url[loopback.size()] == ':' || url[loopback.size()] == '/'))
      return true;
  return false;
}

std::variant<HttpAnswer, std::string> CurlHttpClient::get(const std::string& url) {
  return perform(url, nullptr, {});
}

std::variant<HttpAnswer, std::string> CurlHttpClient::post_form(
    const std::string& url, const std::string& body, const std::vector<std::string>& headers) {
  return perform(url, &body, headers);
}

std::variant<HttpAnswer, std::string> CurlHttpClient::perform(
    const std::string& url, const std::string* post, const std::vector<std::string>& headers) {
  using Result = std::variant<HttpAnswer, std::string>;
  if (!allowed_url(url))
    return Result(std::in_place_index<1>, "the URL must be https (http only on loopback)");
  std::unique_ptr<CURL, CurlRelease> curl(curl_easy_init());
  if (!curl) return Result(std::in_place_index<1>, "libcurl could not start");
  CURL* c = curl.get();
  Body body{{}, limits_.max_bytes};
  char error[CURL_ERROR_SIZE] = {0};
  std::unique_ptr<curl_slist, ListRelease> list;
  for (const auto& h : headers) {
    curl_slist* next = curl_slist_append(list.get(), h.c_str());
    if (!next) return Result(std::in_place_index<1>, "out of memory");
    list.release();
    list.reset(next);
  }
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(limits_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits_.max_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "twofold");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (list) curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  if (post) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post->size()));
  }
  const CURLcode rc = curl_easy_perform(c);
  if (body.too_big || rc == CURLE_FILESIZE_EXCEEDED)
    return Result(std::in_place_index<1>,
                  "the answer is larger than " + std::to_string(limits_.max_bytes) + " bytes");
  if (rc != CURLE_OK)
    return Result(std::in_place_index<1>, std::string("the request failed: ") +
                                              (error[0] ? error : curl_easy_strerror(rc)));
  HttpAnswer answer;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  answer.body = std::move(body.text);
  return answer;
}

}  // namespace twofold::sources::upstream
