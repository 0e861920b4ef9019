#pragma once
// The parameter firewall: every service API request passes here before any handler runs,
// so handlers only ever see the four known requests with well-formed, normalised values.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "serviceapi/error_codes.hpp"
#include "serviceapi/form.hpp"

namespace twofold::serviceapi {

inline constexpr std::size_t kMaxIdBytes = 255;          // secsignid
inline constexpr std::size_t kMaxEchoedBytes = 255;      // servicename, serviceaddress
inline constexpr std::size_t kMaxClientInfoBytes = 255;  // pluginname, apimethod, ...
inline constexpr std::size_t kAuthSessionIdDigits = 19;
inline constexpr std::size_t kRequestIdHexDigits = 64;

enum class RequestType {
  request_auth_session,    // ReqRequestAuthSession
  get_auth_session_state,  // ReqGetAuthSessionState
  cancel_auth_session,     // ReqCancelAuthSession
  release_auth_session,    // ReqReleaseAuthSession
};

// The wire name ("ReqRequestAuthSession", ...).
std::string_view request_name(RequestType type);
std::optional<RequestType> request_type_from_name(std::string_view name);

// What a handler receives: validated, normalised.
struct ServiceRequest {
  RequestType type;
  std::string secsignid;  // as received (case preserved; handlers match case-insensitively)
  // request_auth_session only; servicename/serviceaddress are echoed back byte for byte.
  std::string servicename, serviceaddress;
  std::string pluginname, apimethod;  // may be empty (optional, informational)
  std::string apikey;                 // may be empty; R-S8 (checked by the endpoint)
  bool show_access_pass = true;
  std::string authsessionid;  // 19 digits (other three requests)
  std::string requestid;      // 64 upper-case hex (other three requests)
};

// Missing/extra/empty-required parameters, an unknown `request`, bad formats
// (showaccesspass=maybe, 18-digit authsessionid, '&' in an echoed field, oversize) are
// TechnicalErrors with a message naming the parameter. Empty optional or unknown
// parameters count as absent ("an empty field counts as missing").
std::variant<ServiceRequest, TechnicalError> check_request(const Form& form);

// parse_form + check_request; a body over kMaxBodyBytes is error 413.
std::variant<ServiceRequest, TechnicalError> parse_request(std::string_view body);

// Formats the firewall enforces, exposed for handlers, tests and the fuzzers.
bool is_valid_secsignid(std::string_view id);       // 1–255 of A–Z a–z 0–9 . _ @ -
bool is_priority_code_syntax(std::string_view id);  // exactly 8 digits (also a valid ID)
bool is_valid_authsessionid(std::string_view id);   // exactly 19 digits
bool is_valid_requestid(std::string_view id);       // exactly 64 hex digits, either case
// servicename/serviceaddress: 1–255 bytes of valid UTF-8 without '&', control characters
// (C0, DEL, C1), line/paragraph separators or bidi embedding/override/isolate characters,
// because the device shows them to the user and clients read them back undecoded.
bool is_valid_echoed_text(std::string_view text);

}  // namespace twofold::serviceapi
