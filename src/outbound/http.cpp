#include "outbound/http.hpp"

#include <curl/curl.h>

#include <memory>

#include "core/url_rule.hpp"

namespace twofold::outbound {
namespace {

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
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  body->text.append(data, n);
  return n;
}

struct CurlRelease {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

Error error(Error::Kind kind, std::string message, std::string cause = {}) {
  return Error{kind, std::move(message), std::move(cause)};
}

Result perform(const std::string& url, const std::string* post,
               const std::vector<std::string>& headers, const Limits& limits) {
  if (!core::is_fetchable_url(url))
    return error(Error::Kind::url_refused, "the URL must be https (http only on loopback)");
  std::unique_ptr<CURL, CurlRelease> curl(curl_easy_init());
  if (!curl) return error(Error::Kind::local, "libcurl could not start");
  CURL* c = curl.get();
  std::unique_ptr<curl_slist, CurlRelease> list;
  for (const auto& h : headers) {
    curl_slist* next = curl_slist_append(list.get(), h.c_str());
    if (!next) return error(Error::Kind::local, "out of memory");
    list.release();  // curl_slist_append returned the same list, now longer
    list.reset(next);
  }
  Body body{{}, limits.max_bytes};
  char message[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.timeout.count()));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "twofold");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (list) curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  if (post) {  // POSTFIELDS implies Content-Type: application/x-www-form-urlencoded
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post->size()));
  }
  const CURLcode rc = curl_easy_perform(c);
  // The write callback's refusal or curl's own check of Content-Length.
  if (body.too_big || rc == CURLE_FILESIZE_EXCEEDED)
    return error(Error::Kind::too_large,
                 "the answer is larger than " + std::to_string(limits.max_bytes) + " bytes");
  if (rc != CURLE_OK) {
    std::string cause = message[0] ? message : curl_easy_strerror(rc);
    return error(Error::Kind::transport, "the request failed: " + cause, cause);
  }
  Response response;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(body.text);
  return response;
}

}  // namespace

Result get(const std::string& url, const Limits& limits) {
  return perform(url, nullptr, {}, limits);
}

Result post_form(const std::string& url, const std::string& body,
                 const std::vector<std::string>& headers, const Limits& limits) {
  return perform(url, &body, headers, limits);
}

}  // namespace twofold::outbound
