#include "serviceapi/endpoint.hpp"

#include "serviceapi/error_codes.hpp"
#include "serviceapi/firewall.hpp"
#include "serviceapi/form.hpp"

namespace twofold::serviceapi {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Answer context_error(const authsession::Error& e, std::string_view secsignid) {
  using F = authsession::Failure;
  Error code = Error::internal_error;
  switch (e.failure) {
    case F::unknown_id:
      if (is_priority_code_syntax(secsignid))
        return {error_info(Error::unknown_priority_code).http_status,
                error_answer(Error::unknown_priority_code)};
      return {error_info(Error::unknown_id).http_status,
              error_answer(Error::unknown_id, {secsignid})};
    case F::id_locked:
      code = Error::id_locked;
      break;
    case F::unknown_session:
      code = Error::session_not_pending;
      break;
    case F::wrong_request_id:
      code = Error::request_id_mismatch;
      break;
    case F::not_pending:
      code = Error::session_not_pending;
      break;
    case F::storage:
      code = Error::storage_unavailable;
      break;
  }
  return {error_info(code).http_status, error_answer(code, {secsignid}), e.detail};
}

std::string state_number(authsession::State s) {
  return std::to_string(static_cast<int>(s));
}

// The ID a service should use from now on: the real one once accepted (it may have sent a
// priority code), otherwise what it sent.
std::string reported_id(const authsession::AuthSession& s) {
  return s.state == authsession::State::accepted ? s.secsignid : s.requested_as;
}

}  // namespace

Answer Endpoint::handle(std::string_view body, std::string_view remote_ip) const {
  auto parsed = parse_request(body);
  if (auto* tech = std::get_if<TechnicalError>(&parsed))
    return {tech->http_status, error_answer(tech->code, tech->message)};
  const auto& req = std::get<ServiceRequest>(parsed);
  if (keys_ != nullptr) {
    std::string log;
    Error refusal = Error::service_not_authorized;
    try {
      if (keys_->authenticate(req.apikey)) refusal = Error::internal_error;  // i.e. none
    } catch (const std::exception& e) {
      refusal = Error::storage_unavailable;
      log = std::string("storage: ") + e.what();
    }
    if (refusal != Error::internal_error)
      return {error_info(refusal).http_status, error_answer(refusal), log};
  }

  authsession::Outcome<authsession::AuthSession> outcome;
  switch (req.type) {
    case RequestType::request_auth_session: {
      authsession::NewRequest nr{req.secsignid,       req.servicename, req.serviceaddress,
                                 req.pluginname,      req.apimethod,   std::string(remote_ip),
                                 req.show_access_pass};
      outcome = sessions_.request(nr);
      break;
    }
    case RequestType::get_auth_session_state:
      outcome = sessions_.state(req.secsignid, req.authsessionid, req.requestid);
      break;
    case RequestType::cancel_auth_session:
      outcome = sessions_.cancel(req.secsignid, req.authsessionid, req.requestid);
      break;
    case RequestType::release_auth_session:
      outcome = sessions_.release(req.secsignid, req.authsessionid, req.requestid);
      break;
  }
  if (auto* e = std::get_if<authsession::Error>(&outcome)) return context_error(*e, req.secsignid);
  const auto& s = std::get<authsession::AuthSession>(outcome);

  Fields fields;
  switch (req.type) {
    case RequestType::request_auth_session:
      fields = {{"secsignid", s.requested_as},
                {"authsessionid", s.id},
                {"requestid", s.request_id},
                {"servicename", s.service_name},
                {"serviceaddress", s.service_address},
                {"authsessionstate", state_number(s.state)},
                {"authsessionicondata", symbols_.at(s.symbol).png_base64}};
      break;
    case RequestType::get_auth_session_state:
      fields = {{"secsignid", reported_id(s)},         {"authsessionid", s.id},
                {"requestid", s.request_id},           {"servicename", s.service_name},
                {"serviceaddress", s.service_address}, {"authsessionstate", state_number(s.state)}};
      break;
    case RequestType::cancel_auth_session:
    case RequestType::release_auth_session:
      fields = {{"authsessionid", s.id}, {"authsessionstate", state_number(s.state)}};
      break;
  }
  if (!s.message.empty()) fields.emplace_back("message", s.message);
  return {200, encode_answer(fields)};
}

}  // namespace twofold::serviceapi
