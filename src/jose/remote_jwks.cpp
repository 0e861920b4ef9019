#include "jose/remote_jwks.hpp"

#include "outbound/http.hpp"

namespace twofold::jose {

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
  auto answer = outbound::get(uri, {limits_.timeout, limits_.max_bytes});
  if (const auto* e = std::get_if<outbound::Error>(&answer)) {
    switch (e->kind) {  // the JWKS's own words for the refusals a client's admin sees
      case outbound::Error::Kind::url_refused:
        return Result(std::in_place_index<1>, "the JWKS URI must be https (http only on loopback)");
      case outbound::Error::Kind::too_large:
        return Result(std::in_place_index<1>,
                      "the JWKS is larger than " + std::to_string(limits_.max_bytes) + " bytes");
      case outbound::Error::Kind::transport:
        return Result(std::in_place_index<1>, "fetching the JWKS failed: " + e->cause);
      case outbound::Error::Kind::local:
        break;
    }
    return Result(std::in_place_index<1>, e->message);
  }
  auto& response = std::get<outbound::Response>(answer);
  if (response.status != 200)
    return Result(std::in_place_index<1>,
                  "fetching the JWKS answered HTTP " + std::to_string(response.status));
  return Result(std::in_place_index<0>, std::move(response.body));
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
