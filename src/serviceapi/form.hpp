#pragma once
// The service API's wire format: application/x-www-form-urlencoded requests in, raw
// `key=value&...` answers out. Pure functions, no I/O (unit-tested and fuzzed).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace twofold::serviceapi {

// Limits, checked on the decoded form. The body limit leaves room for 32 fully
// percent-encoded maximal fields; the HTTP layer should refuse larger bodies (413) early.
inline constexpr std::size_t kMaxFields = 32;
inline constexpr std::size_t kMaxKeyBytes = 64;
inline constexpr std::size_t kMaxValueBytes = 1024;
inline constexpr std::size_t kMaxBodyBytes = 128 * 1024;

// Other form APIs (the OpenID Connect endpoints) carry longer values, e.g. JWT assertions.
struct FormLimits {
  std::size_t fields = kMaxFields;
  std::size_t key_bytes = kMaxKeyBytes;
  std::size_t value_bytes = kMaxValueBytes;
  std::size_t body_bytes = kMaxBodyBytes;
};

// Decoded form fields in arrival order. Only parse_form() builds one, so every Form
// satisfies its rules (unique keys, limits, UTF-8 without control characters).
class Form {
 public:
  using Field = std::pair<std::string, std::string>;

  Form() = default;

  // The value of `key`; an empty value counts as missing (clients send `key=` for unset).
  std::optional<std::string_view> get(std::string_view key) const;
  // True if `key` was sent, even with an empty value.
  bool contains(std::string_view key) const;
  const std::vector<Field>& fields() const { return fields_; }
  std::size_t size() const { return fields_.size(); }

 private:
  friend class FormParser;
  std::vector<Field> fields_;
};

struct FormError {
  std::string message;  // plain English, names the parameter when it is safe to echo
};

// application/x-www-form-urlencoded: split on '&', empty pairs skipped (trailing '&' ok),
// first '=' splits key/value ("key" alone = empty value), '+' → space, %XX decoded (bad
// escapes are errors), decoded keys and values must be valid UTF-8 without control
// characters (< 0x20, 0x7f), keys non-empty, duplicate keys are errors, at most kMaxFields
// fields, keys ≤ kMaxKeyBytes, values ≤ kMaxValueBytes, body ≤ kMaxBodyBytes.
std::variant<Form, FormError> parse_form(std::string_view body, const FormLimits& limits = {});

// "k=v&k2=v2" with raw (not percent-encoded) values and no trailing newline: clients split
// on '&' and the first '=' and some never decode, so base64 keeps its literal "+/=".
// Throws std::invalid_argument if a key is empty or contains '&' or '=', or a value
// contains '&' (the firewall must have refused such input before it could be echoed).
std::string encode_answer(const std::vector<std::pair<std::string, std::string>>& fields);

// A parameter name that may be echoed in an error message: 1–64 of A–Z a–z 0–9 _ . -
bool is_echoable_name(std::string_view key);

}  // namespace twofold::serviceapi
