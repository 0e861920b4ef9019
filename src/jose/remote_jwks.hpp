#pragma once
// Key sets published by someone else at a URL (a client's jwks_uri for private_key_jwt; later
// an upstream provider's jwks_uri), fetched over HTTPS — or plain HTTP on loopback — with
// size and time limits, and cached for a short time. A failed fetch is an error the caller
// turns into a refusal; it never throws and never waits longer than the fetch timeout.
//
// Thread-safety: keys() may be called from any thread; fetches run outside the lock (two
// threads may fetch the same URL at once; the later answer wins).
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.hpp"

namespace twofold::jose {

// One GET. The body, or why not.
class JwksFetcher {
 public:
  virtual ~JwksFetcher() = default;
  virtual std::variant<std::string, std::string> get(const std::string& uri) = 0;  // body | error
};

struct FetchLimits {
  std::chrono::milliseconds timeout{3000};  // the whole request, connect included
  std::size_t max_bytes{64 * 1024};
};

// outbound::get (libcurl): https, or http only to 127.0.0.1/localhost/[::1]; no redirects;
// answers other than 200 and bodies over max_bytes are errors.
class CurlJwksFetcher final : public JwksFetcher {
 public:
  explicit CurlJwksFetcher(FetchLimits limits = {}) : limits_(limits) {}
  std::variant<std::string, std::string> get(const std::string& uri) override;

 private:
  FetchLimits limits_;
};

class RemoteJwks {
 public:
  // `ttl`: how long a fetched set is used; `retry_after`: how long a failure is remembered
  // and the shortest gap between forced refetches (a client cannot make us fetch per request).
  RemoteJwks(JwksFetcher& fetcher, const core::Clock& clock,
             std::chrono::seconds ttl = std::chrono::seconds(60),
             std::chrono::seconds retry_after = std::chrono::seconds(10));

  // The "keys" of the set at `uri`, or why not. `refresh`: the cached set lacked the key a
  // token named (the client rotated keys): fetch again unless that was done very recently.
  std::variant<std::vector<nlohmann::json>, std::string> keys(const std::string& uri,
                                                              bool refresh = false);

 private:
  struct Entry {
    std::vector<nlohmann::json> keys;
    std::string error;  // non-empty: the last fetch failed
    core::TimePoint fetched{};
  };

  JwksFetcher& fetcher_;
  const core::Clock& clock_;
  std::chrono::seconds ttl_, retry_after_;
  std::mutex mutex_;
  std::map<std::string, Entry> cache_;
};

// The "keys" array of a JWKS document, or why it is not one.
std::variant<std::vector<nlohmann::json>, std::string> parse_jwks(std::string_view text);

}  // namespace twofold::jose
