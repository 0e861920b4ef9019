#include "serviceapi/error_codes.hpp"

#include <array>
#include <cstddef>

#include "core/encoding.hpp"

namespace twofold::serviceapi {
namespace {

constexpr std::size_t kMaxMessageBytes = 512;

constexpr std::array kTable = {
    ErrorInfo{Error::malformed_body, "malformed_body", 400, 400,
              "The request body is not a valid form: {}."},
    ErrorInfo{Error::missing_parameter, "missing_parameter", 400, 400,
              "The parameter {} is missing or empty."},
    ErrorInfo{Error::unexpected_parameter, "unexpected_parameter", 400, 400,
              "The parameter {} is not allowed in this request."},
    ErrorInfo{Error::invalid_parameter, "invalid_parameter", 400, 400,
              "The parameter {} is not valid: {}."},
    ErrorInfo{Error::unknown_request, "unknown_request", 400, 400,
              "The parameter request must be ReqRequestAuthSession, ReqGetAuthSessionState, "
              "ReqCancelAuthSession or ReqReleaseAuthSession."},
    ErrorInfo{Error::body_too_large, "body_too_large", 413, 413, "The request body is too large."},
    ErrorInfo{Error::method_not_allowed, "method_not_allowed", 405, 405,
              "The service API only accepts POST."},
    ErrorInfo{Error::unsupported_media_type, "unsupported_media_type", 415, 415,
              "The content type must be application/x-www-form-urlencoded."},
    ErrorInfo{Error::unknown_path, "unknown_path", 404, 404,
              "There is no service API at this path."},
    ErrorInfo{Error::unknown_id, "unknown_id", 500, 404, "The SecSign ID {} does not exist."},
    ErrorInfo{Error::unknown_priority_code, "unknown_priority_code", 500, 404,
              "The priority code does not exist or has expired."},
    ErrorInfo{Error::session_not_pending, "session_not_pending", 400, 404,
              "The auth session does not exist or is no longer pending."},
    ErrorInfo{Error::request_id_mismatch, "request_id_mismatch", 403, 403,
              "The request id does not match the auth session."},
    ErrorInfo{Error::id_locked, "id_locked", 423, 423, "The ID is locked."},
    ErrorInfo{Error::id_suspended, "id_suspended", 409, 409,
              "The ID is suspended because of concurrent login requests. The user can resume "
              "it on the device."},
    ErrorInfo{Error::priority_code_required, "priority_code_required", 409, 409,
              "The ID needs a priority code. The user can get one on the device."},
    ErrorInfo{Error::service_not_authorized, "service_not_authorized", 401, 401,
              "This server only answers registered services: send the apikey the admin issued "
              "with twofold service-key add."},
    ErrorInfo{Error::storage_unavailable, "storage_unavailable", 503, 503,
              "The server cannot store the request right now; try again."},
    // Not 500: some clients read error=500 as "the ID does not exist".
    ErrorInfo{Error::internal_error, "internal_error", 503, 500,
              "The server could not answer the request; try again later."},
};

// The table is indexed by the enum; keep both in the same order.
constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<std::size_t>(kTable[i].error) != i) return false;
  return true;
}
static_assert(table_in_enum_order());
static_assert(kTable.size() == static_cast<std::size_t>(Error::internal_error) + 1);

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

}  // namespace

std::span<const ErrorInfo> error_table() {
  return kTable;
}

const ErrorInfo& error_info(Error e) {
  return kTable[static_cast<std::size_t>(e)];
}

std::string error_message(Error e, std::initializer_list<std::string_view> args) {
  const std::string_view tmpl = error_info(e).message;
  std::string out;
  out.reserve(tmpl.size() + 32);
  auto next = args.begin();
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
      if (next != args.end()) out += *next++;
      ++i;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

std::string error_answer(int code, std::string_view message) {
  std::string safe;
  safe.reserve(message.size());
  for (char ch : message) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '&')
      safe += "and";
    else if (c < 0x20 || c == 0x7f)
      safe += ' ';
    else
      safe += ch;
  }
  if (safe.size() > kMaxMessageBytes) {
    std::size_t cut = kMaxMessageBytes;
    // Do not split a UTF-8 sequence.
    while (cut > 0 && is_continuation(static_cast<unsigned char>(safe[cut]))) --cut;
    safe.resize(cut);
  }
  if (!core::is_valid_utf8(safe))
    for (auto& ch : safe)
      if (static_cast<unsigned char>(ch) >= 0x80) ch = '?';
  return "error=" + std::to_string(code) + "&errormsg=" + safe;
}

std::string error_answer(Error e, std::initializer_list<std::string_view> args) {
  return error_answer(error_info(e).code, error_message(e, args));
}

TechnicalError technical_error(Error e, std::initializer_list<std::string_view> args) {
  const auto& info = error_info(e);
  return TechnicalError{info.code, error_message(e, args), info.http_status};
}

}  // namespace twofold::serviceapi
