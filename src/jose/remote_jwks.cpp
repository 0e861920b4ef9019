#include "jose/remote_jwks.hpp"

#include <curl/curl.h>

#include <memory>

namespace twofold::jose {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// https://…, or http:// to a loopback host (the host part must end right after it).
bool allowed_uri(std::string_view uri) {
  if (uri.size() > 2000) return false;
  for (const char c : uri)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return false;
  if (starts_with(uri, "https://") && uri.size() > 8) return true;
  for (std::string_view loopback : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
    if (starts_with(uri, loopback) && (uri.size() == loopback.size() ||
                                       uri[loopback.size()] == ':' || uri[loopback.size()] == '/'))
      return true;
  return false;
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
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  body->text.append(data, n);
  return n;
}

struct CurlRelease {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

}  // namespace

std::variant<std::vector<nlohmann::json>, std::string> parse_jwks(std::string_view text) {
  const auto set = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!set.is_object()) return std::string("the JWKS is not a JSON object");
  const auto keys = set.find("keys");
  if (keys == set.end() || !keys->is_array()) return std::string("the JWKS has no \"keys\" array");
  std::vector<nlohmann::json> out;
  for (const auto& key : *keys)
    if (key.is_object()) out.push_back(key);
  if (out.empty()) return std::string("the JWKS holds no keys");
  return out;
}

std::variant<std::string, std::string> CurlJwksFetcher::get(const std::string& uri) {
  using Result = std::variant<std::string, std::string>;
  if (!allowed_uri(uri))
    return Result(std::in_place_index<1>, "the JWKS URI must be https (http only on loopback)");
  std::unique_ptr<CURL, CurlRelease> curl(curl_easy_init());
  if (!curl) return Result(std::in_place_index<1>, "libcurl could not start");
  CURL* c = curl.get();
  Body body{{}, limits_.max_bytes};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, uri.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could leave loopback/https
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
  const CURLcode rc = curl_easy_perform(c);
  if (body.too_big || rc == CURLE_FILESIZE_EXCEEDED)
    return Result(std::in_place_index<1>,
                  "the JWKS is larger than " + std::to_string(limits_.max_bytes) + " bytes");
  if (rc != CURLE_OK)
    return Result(std::in_place_index<1>, std::string("fetching the JWKS failed: ") +
                                              (error[0] ? error : curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    return Result(std::in_place_index<1>,
                  "fetching the JWKS answered HTTP " + std::to_string(status));
  return Result(std::in_place_index<0>, std::move(body.text));
}

RemoteJwks::RemoteJwks(JwksFetcher& fetcher, const core::Clock& clock, std::chrono::seconds ttl,
                       std::chrono::seconds retry_after)
    : fetcher_(fetcher), clock_(clock), ttl_(ttl), retry_after_(retry_after) {}

std::variant<std::vector<nlohmann::json>, std::string> RemoteJwks::keys(const std::string& uri,
                                                                        bool refresh) {
  const auto now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(uri);
    if (it != cache_.end()) {
      const auto age = now - it->second.fetched;
      const auto& e = it->second;
      if (!e.error.empty() && age < retry_after_) return e.error;
      if (e.error.empty() && ((age < ttl_ && !refresh) || age < retry_after_)) return e.keys;
    }
  }
  Entry entry;
  entry.fetched = now;
  auto got = fetcher_.get(uri);
  if (got.index() == 1) {
    entry.error = std::get<1>(got);
  } else {
    auto parsed = parse_jwks(std::get<0>(got));
    if (auto* why = std::get_if<std::string>(&parsed))
      entry.error = *why;
    else
      entry.keys = std::move(std::get<std::vector<nlohmann::json>>(parsed));
  }
  std::lock_guard lock(mutex_);
  if (cache_.size() > 1000) cache_.clear();  // bounded; one entry per registered jwks_uri
  auto& stored = cache_[uri] = std::move(entry);
  if (!stored.error.empty()) return stored.error;
  return stored.keys;
}

}  // namespace twofold::jose
