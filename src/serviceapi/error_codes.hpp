#pragma once
// Every error the service API answers, in one table (documented in docs/service-api.md).
//
// On the wire an error is always `error=<integer>&errormsg=<text>`. Clients look only for
// the `error` key and ignore the HTTP status, so `code` is what they act on; `http_status`
// is for proxies, logs and monitoring. Codes follow the SecSign ID service: an unknown ID
// is 500 ("... does not exist."), a session that is gone or no longer pending is 400.
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace twofold::serviceapi {

enum class Error {
  // Technical: the request itself is wrong (the parameter firewall and the HTTP layer).
  malformed_body,          // not application/x-www-form-urlencoded as we accept it
  missing_parameter,       // a required parameter is absent or empty
  unexpected_parameter,    // a parameter this request does not take
  invalid_parameter,       // a parameter with a malformed value
  unknown_request,         // `request` names none of the four requests
  body_too_large,          // body over kMaxBodyBytes
  method_not_allowed,      // anything but POST
  unsupported_media_type,  // Content-Type is not application/x-www-form-urlencoded
  unknown_path,            // not `/` or `/api/v1/`
  // Context: the request is well-formed but the server's state refuses it (handlers).
  unknown_id,              // the ID is not enrolled
  unknown_priority_code,   // 8-digit code sent in place of an ID, unknown or used up
  session_not_pending,     // unknown, expired, canceled or released auth session
  request_id_mismatch,     // authsessionid exists but requestid is not its request id
  id_locked,               // the user (or an admin) locked the ID
  id_suspended,            // concurrent requests suspended the ID (R-S7)
  priority_code_required,  // suspensions recurred: only a priority code is accepted
  service_not_authorized,  // R-S8 is on and `apikey` is missing or unknown
  storage_unavailable,     // the database refused the write; retrying may succeed
  internal_error,          // anything unexpected; details go to the log only
};

struct ErrorInfo {
  Error error;
  std::string_view name;  // stable snake_case name, for logs and the doc
  int code;               // the `error=` integer
  int http_status;
  // English message. Each `{}` is replaced by the next argument of error_message(), in
  // order; templates avoid '&', '+' and '%' because clients may not URL-decode.
  std::string_view message;
};

// The whole table, in enum order.
std::span<const ErrorInfo> error_table();
const ErrorInfo& error_info(Error e);

// The message of `e` with its `{}` placeholders filled in order (missing arguments leave
// the placeholder empty, extra arguments are ignored).
std::string error_message(Error e, std::initializer_list<std::string_view> args = {});

// `error=<code>&errormsg=<message>`, no trailing newline. The message is made safe for
// clients that split on '&' without decoding: '&' becomes "and", control characters become
// spaces, invalid UTF-8 bytes become '?', and it is cut to 512 bytes.
std::string error_answer(int code, std::string_view message);
std::string error_answer(Error e, std::initializer_list<std::string_view> args = {});

// What the firewall (and parse_request) reject with; see firewall.hpp.
struct TechnicalError {
  int code;
  std::string message;
  int http_status = 400;
};
TechnicalError technical_error(Error e, std::initializer_list<std::string_view> args = {});

}  // namespace twofold::serviceapi
