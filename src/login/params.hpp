#pragma once
// The small codecs of the browser flow: query strings and forms (repeated keys kept, so
// RFC 8707 `resource` may appear more than once), URL building, cookies and headers.
// Pure functions, no I/O.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twofold::login {

struct ParamLimits {
  std::size_t fields = 64;
  std::size_t value_bytes = 4096;
  std::size_t total_bytes = 64 * 1024;
};

// Decoded key/value pairs in arrival order.
class Params {
 public:
  using Field = std::pair<std::string, std::string>;
  Params() = default;
  explicit Params(std::vector<Field> fields) : fields_(std::move(fields)) {}

  // The first value of `key`; an empty value counts as missing (OAuth 2.0 §3.1).
  std::optional<std::string_view> get(std::string_view key) const;
  std::string value(std::string_view key) const { return std::string(get(key).value_or("")); }
  std::vector<std::string> all(std::string_view key) const;
  std::size_t count(std::string_view key) const;
  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

// application/x-www-form-urlencoded (also a query string): '+' is a space, %XX decoded;
// nullopt on a bad escape, invalid UTF-8, a control character, or a limit exceeded.
std::optional<Params> parse_params(std::string_view text, const ParamLimits& limits = {});

// RFC 3986 percent-encoding of all but the unreserved characters.
std::string url_encode(std::string_view text);
// `uri` with the pairs appended to its query (RFC 6749 §3.1.2: a registered query is kept).
std::string append_query(std::string_view uri, const std::vector<Params::Field>& pairs);

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or nullopt.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

// Splits on ASCII spaces, dropping empty pieces (scope, prompt, ui_locales, acr_values).
std::vector<std::string> split_spaces(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// scheme://host[:port] of an absolute http(s) URI (lower-cased scheme and host), or empty.
std::string origin_of(std::string_view uri);
// The host of an absolute URI, or empty.
std::string host_of(std::string_view uri);

}  // namespace twofold::login
