#include "serviceapi/form.hpp"

#include <stdexcept>

#include "core/encoding.hpp"

namespace twofold::serviceapi {
namespace {

bool has_control(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// "parameter secsignid", or "parameter 3" when the name is not safe to echo.
std::string describe(std::string_view key, std::size_t index) {
  if (is_echoable_name(key)) return "parameter " + std::string(key);
  return "parameter " + std::to_string(index + 1);
}

}  // namespace

// Befriended by Form so that only validated fields get in.
class FormParser {
 public:
  static std::variant<Form, FormError> parse(std::string_view body, const FormLimits& limits);
};

std::optional<std::string_view> Form::get(std::string_view key) const {
  for (const auto& [k, v] : fields_)
    if (k == key) return v.empty() ? std::nullopt : std::optional<std::string_view>(v);
  return std::nullopt;
}

bool Form::contains(std::string_view key) const {
  for (const auto& field : fields_)
    if (field.first == key) return true;
  return false;
}

std::variant<Form, FormError> FormParser::parse(std::string_view body, const FormLimits& limits) {
  if (body.size() > limits.body_bytes) return FormError{"the body is too large"};
  Form form;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    const std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;  // "a=1&&b=2", trailing '&' (JS client)

    const std::size_t index = form.fields_.size();
    if (index == limits.fields)
      return FormError{"more than " + std::to_string(limits.fields) + " parameters"};

    const std::size_t eq = pair.find('=');
    const std::string_view raw_key = pair.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);

    bool too_long = false;
    auto key = core::form_decode(raw_key, limits.key_bytes, &too_long);
    if (!key) {
      if (too_long)
        return FormError{"the name of parameter " + std::to_string(index + 1) + " is longer than " +
                         std::to_string(limits.key_bytes) + " bytes"};
      return FormError{"bad percent escape in the name of parameter " + std::to_string(index + 1)};
    }
    if (key->empty()) return FormError{"parameter " + std::to_string(index + 1) + " has no name"};
    if (!core::is_valid_utf8(*key) || has_control(*key))
      return FormError{"the name of parameter " + std::to_string(index + 1) +
                       " is not valid UTF-8 text"};
    const std::string what = describe(*key, index);

    auto value = core::form_decode(raw_value, limits.value_bytes, &too_long);
    if (!value) {
      if (too_long)
        return FormError{"the value of " + what + " is longer than " +
                         std::to_string(limits.value_bytes) + " bytes"};
      return FormError{"bad percent escape in the value of " + what};
    }
    if (!core::is_valid_utf8(*value))
      return FormError{"the value of " + what + " is not valid UTF-8"};
    if (has_control(*value))
      return FormError{"the value of " + what + " contains a control character"};

    if (form.contains(*key)) return FormError{what + " appears twice"};
    form.fields_.emplace_back(std::move(*key), std::move(*value));
  }
  return form;
}

std::variant<Form, FormError> parse_form(std::string_view body, const FormLimits& limits) {
  return FormParser::parse(body, limits);
}

std::string encode_answer(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (key.empty()) throw std::invalid_argument("answer key is empty");
    if (key.find_first_of("&=") != std::string::npos)
      throw std::invalid_argument("answer key contains '&' or '='");
    if (value.find('&') != std::string::npos)
      throw std::invalid_argument("answer value of " + key + " contains '&'");
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

bool is_echoable_name(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace twofold::serviceapi
