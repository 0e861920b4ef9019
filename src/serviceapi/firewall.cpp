#include "serviceapi/firewall.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>

#include "core/encoding.hpp"

namespace twofold::serviceapi {
namespace {

struct RequestSpec {
  RequestType type;
  std::string_view name;
  std::span<const std::string_view> required;
  std::span<const std::string_view> optional;
};

constexpr std::array<std::string_view, 4> kRequestAuthRequired = {"request", "secsignid",
                                                                  "servicename", "serviceaddress"};
// `timezone`: the JS client sends it when its caller passes one; accepted and ignored.
// `apikey`: R-S8, checked by the endpoint when the admin requires service API keys.
constexpr std::array<std::string_view, 6> kRequestAuthOptional = {
    "pluginname", "apimethod", "showaccesspass", "scriptversion", "timezone", "apikey"};
constexpr std::array<std::string_view, 4> kSessionRequired = {"request", "secsignid",
                                                              "authsessionid", "requestid"};
constexpr std::array<std::string_view, 4> kSessionOptional = {"apimethod", "pluginname",
                                                              "scriptversion", "apikey"};

constexpr std::array<RequestSpec, 4> kSpecs = {
    RequestSpec{RequestType::request_auth_session, "ReqRequestAuthSession", kRequestAuthRequired,
                kRequestAuthOptional},
    RequestSpec{RequestType::get_auth_session_state, "ReqGetAuthSessionState", kSessionRequired,
                kSessionOptional},
    RequestSpec{RequestType::cancel_auth_session, "ReqCancelAuthSession", kSessionRequired,
                kSessionOptional},
    RequestSpec{RequestType::release_auth_session, "ReqReleaseAuthSession", kSessionRequired,
                kSessionOptional},
};

const RequestSpec& spec_of(RequestType type) {
  return kSpecs[static_cast<std::size_t>(type)];
}

bool contains(std::span<const std::string_view> names, std::string_view key) {
  return std::find(names.begin(), names.end(), key) != names.end();
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// PHP's http_build_query sends a boolean true as "1"; false is never sent.
std::optional<bool> parse_bool(std::string_view s) {
  if (iequals(s, "true") || s == "1") return true;
  if (iequals(s, "false") || s == "0") return false;
  return std::nullopt;
}

std::string upper_hex(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

TechnicalError invalid(std::string_view param, std::string_view reason) {
  return technical_error(Error::invalid_parameter, {param, reason});
}

// Why `text` is not a valid servicename/serviceaddress, or empty if it is.
std::string_view echoed_text_problem(std::string_view text) {
  if (text.empty()) return "it is empty";
  if (text.size() > kMaxEchoedBytes) return "it is longer than 255 bytes";
  if (!core::is_valid_utf8(text)) return "it is not valid UTF-8";
  if (text.find('&') != std::string_view::npos) return "it must not contain an ampersand";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return "it contains a control character";
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (c == 0xC2 && next >= 0x80 && next <= 0x9F) return "it contains a control character";
    if ((c == 0xE2) && i + 2 < text.size()) {
      const auto last = static_cast<unsigned char>(text[i + 2]);
      // U+2028..U+202E (line/paragraph separators, bidi embeddings and overrides) and
      // U+2066..U+2069 (bidi isolates) could make the device show something else.
      if ((next == 0x80 && last >= 0xA8 && last <= 0xAE) ||
          (next == 0x81 && last >= 0xA6 && last <= 0xA9))
        return "it contains a line separator or bidi formatting character";
    }
  }
  return {};
}

}  // namespace

std::string_view request_name(RequestType type) {
  return spec_of(type).name;
}

std::optional<RequestType> request_type_from_name(std::string_view name) {
  for (const auto& spec : kSpecs)
    if (spec.name == name) return spec.type;
  return std::nullopt;
}

bool is_valid_secsignid(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '@' || c == '-';
  });
}

bool is_priority_code_syntax(std::string_view id) {
  return id.size() == 8 && all_digits(id);
}

bool is_valid_authsessionid(std::string_view id) {
  return id.size() == kAuthSessionIdDigits && all_digits(id);
}

bool is_valid_requestid(std::string_view id) {
  return id.size() == kRequestIdHexDigits && std::all_of(id.begin(), id.end(), is_hex);
}

bool is_valid_echoed_text(std::string_view text) {
  return echoed_text_problem(text).empty();
}

std::variant<ServiceRequest, TechnicalError> check_request(const Form& form) {
  const auto request = form.get("request");
  if (!request) return technical_error(Error::missing_parameter, {"request"});
  const auto type = request_type_from_name(*request);
  if (!type) return technical_error(Error::unknown_request);
  const RequestSpec& spec = spec_of(*type);

  // Extra parameters first: a client sending something we do not understand should hear
  // about that rather than about a consequence of it.
  for (std::size_t i = 0; i < form.fields().size(); ++i) {
    const auto& [key, value] = form.fields()[i];
    if (value.empty() || contains(spec.required, key) || contains(spec.optional, key)) continue;
    const std::string name =
        is_echoable_name(key) ? std::string(key) : "number " + std::to_string(i + 1);
    return technical_error(Error::unexpected_parameter, {name});
  }
  for (const auto name : spec.required)
    if (!form.get(name)) return technical_error(Error::missing_parameter, {name});

  ServiceRequest out{};
  out.type = *type;

  const auto secsignid = *form.get("secsignid");
  if (!is_valid_secsignid(secsignid))
    return invalid("secsignid", "it must be 1 to 255 characters of A-Z a-z 0-9 . _ @ -");
  out.secsignid = std::string(secsignid);

  for (const auto name : spec.optional) {
    const auto value = form.get(name);
    if (value && value->size() > kMaxClientInfoBytes)
      return invalid(name, "it is longer than 255 bytes");
  }
  out.pluginname = std::string(form.get("pluginname").value_or(""));
  out.apikey = std::string(form.get("apikey").value_or(""));
  out.apimethod = std::string(form.get("apimethod").value_or(""));

  if (*type == RequestType::request_auth_session) {
    for (const auto name : {std::string_view("servicename"), std::string_view("serviceaddress")}) {
      const auto problem = echoed_text_problem(*form.get(name));
      if (!problem.empty()) return invalid(name, problem);
    }
    out.servicename = std::string(*form.get("servicename"));
    out.serviceaddress = std::string(*form.get("serviceaddress"));
    if (const auto show = form.get("showaccesspass")) {
      const auto parsed = parse_bool(*show);
      if (!parsed) return invalid("showaccesspass", "it must be true or false");
      out.show_access_pass = *parsed;
    }
    return out;
  }

  const auto authsessionid = *form.get("authsessionid");
  if (!is_valid_authsessionid(authsessionid))
    return invalid("authsessionid", "it must be 19 digits");
  out.authsessionid = std::string(authsessionid);

  const auto requestid = *form.get("requestid");
  if (!is_valid_requestid(requestid))
    return invalid("requestid", "it must be 64 hexadecimal digits");
  out.requestid = upper_hex(requestid);
  return out;
}

std::variant<ServiceRequest, TechnicalError> parse_request(std::string_view body) {
  if (body.size() > kMaxBodyBytes) return technical_error(Error::body_too_large);
  auto parsed = parse_form(body);
  if (auto* error = std::get_if<FormError>(&parsed))
    return technical_error(Error::malformed_body, {error->message});
  return check_request(std::get<Form>(parsed));
}

}  // namespace twofold::serviceapi
