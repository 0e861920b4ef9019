#include "core/url_rule.hpp"

namespace twofold::core {

bool is_https_or_loopback(std::string_view url) {
  if (url.starts_with("https://") && url.size() > 8) return true;
  for (std::string_view loopback : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
    if (url.starts_with(loopback) && (url.size() == loopback.size() ||
                                      url[loopback.size()] == ':' || url[loopback.size()] == '/'))
      return true;
  return false;
}

bool is_fetchable_url(std::string_view url) {
  if (url.size() > 2000) return false;
  for (const char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return false;
  return is_https_or_loopback(url);
}

}  // namespace twofold::core
