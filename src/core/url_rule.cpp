#include "core/url_rule.hpp"

namespace twofold::core {

bool is_https_or_loopback(std::string_view url) {
  if (url.starts_with("https://") && url.size() > 8) return true;
  for (std::string_view loopback : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    if (!url.starts_with(loopback)) continue;
    std::string_view rest = url.substr(loopback.size());
    if (rest.starts_with(':')) {
      // A port is digits only: in "http://localhost:1@evil.com" the host is evil.com.
      rest.remove_prefix(1);
      while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
      return rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#';
    }
    return rest.empty() || rest.front() == '/';
  }
  return false;
}

bool is_fetchable_url(std::string_view url) {
  if (url.size() > 2000) return false;
  for (const char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return false;
  return is_https_or_loopback(url);
}

}  // namespace twofold::core
