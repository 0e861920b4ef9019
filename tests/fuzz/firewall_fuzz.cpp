// libFuzzer target: the parameter firewall. Whatever the body, either a ServiceRequest
// comes out whose fields have their documented formats and survive being echoed in a raw
// answer that clients split without decoding, or a TechnicalError from the error table
// whose answer is `error=<code>&errormsg=<text>` and nothing else.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/encoding.hpp"
#include "serviceapi/error_codes.hpp"
#include "serviceapi/firewall.hpp"
#include "serviceapi/form.hpp"

namespace sa = twofold::serviceapi;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

void check(bool ok) {
  if (!ok) std::abort();
}

bool digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool upper_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); });
}

// How clients read an answer: split on '&', then on the first '=', no decoding.
Fields client_split(std::string_view answer) {
  Fields out;
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

void check_request(const sa::ServiceRequest& r) {
  check(sa::is_valid_secsignid(r.secsignid));
  check(r.pluginname.size() <= sa::kMaxClientInfoBytes);
  check(r.apimethod.size() <= sa::kMaxClientInfoBytes);
  check(sa::request_type_from_name(sa::request_name(r.type)) == r.type);

  Fields answer;
  if (r.type == sa::RequestType::request_auth_session) {
    check(sa::is_valid_echoed_text(r.servicename) && sa::is_valid_echoed_text(r.serviceaddress));
    check(r.servicename.size() <= 255 && r.serviceaddress.size() <= 255);
    check(r.servicename.find('&') == std::string::npos);
    check(r.serviceaddress.find('&') == std::string::npos);
    check(r.authsessionid.empty() && r.requestid.empty());
    // The answer a handler builds: echoed fields plus base64 with literal "+/=".
    answer = {{"secsignid", r.secsignid},
              {"authsessionid", "1234567890123456789"},
              {"servicename", r.servicename},
              {"serviceaddress", r.serviceaddress},
              {"authsessionicondata", twofold::core::base64_encode(r.servicename)},
              {"requestid", std::string(64, 'F')}};
  } else {
    check(r.authsessionid.size() == 19 && digits(r.authsessionid));
    check(r.requestid.size() == 64 && upper_hex(r.requestid));
    check(r.servicename.empty() && r.serviceaddress.empty() && r.show_access_pass);
    answer = {{"secsignid", r.secsignid},
              {"authsessionid", r.authsessionid},
              {"requestid", r.requestid},
              {"authsessionstate", "1"}};
  }
  const std::string body = sa::encode_answer(answer);  // must not throw
  check(body.find('\n') == std::string::npos);
  check(client_split(body) == answer);
}

void check_error(const sa::TechnicalError& e) {
  const auto table = sa::error_table();
  check(std::any_of(table.begin(), table.end(), [&](const sa::ErrorInfo& info) {
    return info.code == e.code && info.http_status == e.http_status;
  }));
  check(!e.message.empty());
  const std::string body = sa::error_answer(e.code, e.message);
  const auto pairs = client_split(body);
  check(pairs.size() == 2);
  check(pairs[0] == (std::pair<std::string, std::string>{"error", std::to_string(e.code)}));
  check(pairs[1].first == "errormsg" && !pairs[1].second.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto result = sa::parse_request(body);
  if (const auto* request = std::get_if<sa::ServiceRequest>(&result))
    check_request(*request);
  else
    check_error(std::get<sa::TechnicalError>(result));

  // parse_request is exactly parse_form followed by check_request.
  const auto form = sa::parse_form(body);
  bool refused_as_form = false;
  if (const auto* e = std::get_if<sa::TechnicalError>(&result))
    refused_as_form = e->code == 413 || e->message.starts_with("The request body is not a valid");
  check(std::holds_alternative<sa::Form>(form) != refused_as_form);
  if (const auto* f = std::get_if<sa::Form>(&form)) {
    const auto again = sa::check_request(*f);
    check(again.index() == result.index());
    if (const auto* r = std::get_if<sa::ServiceRequest>(&again)) {
      const auto& first = std::get<sa::ServiceRequest>(result);
      check(r->secsignid == first.secsignid && r->requestid == first.requestid &&
            r->servicename == first.servicename && r->show_access_pass == first.show_access_pass);
    }
  }
  return 0;
}
