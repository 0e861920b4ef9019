// libFuzzer target: the form codec. Any byte string either parses into a Form that keeps
// every documented rule, or is refused with a message; percent-encoding the parsed form
// again parses back to the same fields; answers and error answers stay splittable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/encoding.hpp"
#include "serviceapi/error_codes.hpp"
#include "serviceapi/form.hpp"

namespace sa = twofold::serviceapi;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool has_control(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Encodes like PHP's http_build_query: unreserved bytes as is, space as '+', the rest %XX.
std::string encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// How clients read an answer: split on '&', then on the first '=', no decoding.
std::vector<std::pair<std::string, std::string>> client_split(std::string_view answer) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos <= answer.size()) {
    auto amp = answer.find('&', pos);
    if (amp == std::string_view::npos) amp = answer.size();
    const auto pair = answer.substr(pos, amp - pos);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos)
      out.emplace_back(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
    pos = amp + 1;
  }
  return out;
}

void check_form(const sa::Form& form, std::string_view body) {
  check(form.size() <= sa::kMaxFields);
  check(form.size() <= body.size());
  std::set<std::string> keys;
  for (const auto& [key, value] : form.fields()) {
    check(!key.empty() && key.size() <= sa::kMaxKeyBytes && value.size() <= sa::kMaxValueBytes);
    check(twofold::core::is_valid_utf8(key) && twofold::core::is_valid_utf8(value));
    check(!has_control(key) && !has_control(value));
    check(keys.insert(key).second);  // unique
    check(form.contains(key));
    const auto got = form.get(key);
    check(value.empty() ? !got.has_value() : got.has_value() && *got == value);
  }

  // Decoding inverts encoding.
  std::string again;
  for (const auto& [key, value] : form.fields()) again += encode(key) + "=" + encode(value) + "&";
  auto reparsed = sa::parse_form(again);
  check(std::holds_alternative<sa::Form>(reparsed));
  check(std::get<sa::Form>(reparsed).fields() == form.fields());

  // Echoing the values raw: refused exactly when a client could not split it back.
  bool splittable = true;
  for (const auto& [key, value] : form.fields())
    if (key.find_first_of("&=") != std::string::npos || value.find('&') != std::string::npos)
      splittable = false;
  try {
    const std::string answer = sa::encode_answer(form.fields());
    check(splittable);
    check(answer.empty() || answer.back() != '\n');
    check(client_split(answer) == form.fields());
  } catch (const std::invalid_argument&) {
    check(!splittable);
  }
}

void check_error_answer(std::string_view text) {
  const std::string answer = sa::error_answer(400, text);
  const auto pairs = client_split(answer);
  check(pairs.size() == 2 && pairs[0].first == "error" && pairs[0].second == "400");
  check(pairs[1].first == "errormsg" && pairs[1].second.size() <= 512);
  check(twofold::core::is_valid_utf8(pairs[1].second) && !has_control(pairs[1].second));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto result = sa::parse_form(body);
  if (const auto* form = std::get_if<sa::Form>(&result)) {
    check_form(*form, body);
  } else {
    const auto& message = std::get<sa::FormError>(result).message;
    check(!message.empty());
    check(twofold::core::is_valid_utf8(message) && !has_control(message));
  }
  check_error_answer(body);
  return 0;
}
