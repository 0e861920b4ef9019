#include "login/params.hpp"

#include <algorithm>

#include "core/encoding.hpp"

namespace twofold::login {
namespace {

std::optional<std::string> decode(std::string_view raw, std::size_t limit) {
  auto decoded = core::form_decode(raw, limit);
  if (!decoded) return std::nullopt;
  const std::string& out = *decoded;
  for (char ch : out) {
    const auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f) return std::nullopt;
  }
  if (!core::is_valid_utf8(out)) return std::nullopt;
  return decoded;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

std::optional<std::string_view> Params::get(std::string_view key) const {
  for (const auto& [k, v] : fields_)
    if (k == key) return v.empty() ? std::nullopt : std::optional<std::string_view>(v);
  return std::nullopt;
}

std::vector<std::string> Params::all(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields_)
    if (k == key) out.push_back(v);
  return out;
}

std::size_t Params::count(std::string_view key) const {
  return static_cast<std::size_t>(std::count_if(fields_.begin(), fields_.end(),
                                                [&](const Field& f) { return f.first == key; }));
}

std::optional<Params> parse_params(std::string_view text, const ParamLimits& limits) {
  if (text.size() > limits.total_bytes) return std::nullopt;
  std::vector<Params::Field> fields;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('&', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto pair = text.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = decode(pair.substr(0, eq), 64);
    auto value = decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1),
                        limits.value_bytes);
    if (!key || !value || key->empty()) return std::nullopt;
    if (fields.size() == limits.fields) return std::nullopt;
    fields.emplace_back(std::move(*key), std::move(*value));
  }
  return Params(std::move(fields));
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string append_query(std::string_view uri, const std::vector<Params::Field>& pairs) {
  std::string out(uri);
  char sep = out.find('?') == std::string::npos ? '?' : '&';
  if (!out.empty() && (out.back() == '?' || out.back() == '&')) sep = 0;
  for (const auto& [k, v] : pairs) {
    if (sep) out += sep;
    sep = '&';
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    auto item = header.substr(pos, end - pos);
    pos = end + 1;
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    if (item.substr(0, eq) != name) continue;
    auto value = item.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return std::nullopt;
}

std::vector<std::string> split_spaces(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) out.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

std::string origin_of(std::string_view uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const auto scheme = lower(uri.substr(0, scheme_end));
  if (scheme != "https" && scheme != "http") return {};
  auto rest = uri.substr(scheme_end + 3);
  const auto end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return {};
  return scheme + "://" + lower(authority);
}

std::string host_of(std::string_view uri) {
  auto origin = origin_of(uri);
  if (origin.empty()) return {};
  auto authority = origin.substr(origin.find("://") + 3);
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    return close == std::string::npos ? std::string{} : authority.substr(0, close + 1);
  }
  return authority.substr(0, authority.find(':'));
}

}  // namespace twofold::login
