#include "sources/upstream/http_client.hpp"

#include "core/url_rule.hpp"
#include "outbound/http.hpp"

namespace twofold::sources::upstream {
namespace {

std::variant<HttpAnswer, std::string> answer_of(outbound::Result result) {
  if (auto* e = std::get_if<outbound::Error>(&result))
    return std::variant<HttpAnswer, std::string>(std::in_place_index<1>, std::move(e->message));
  auto& r = std::get<outbound::Response>(result);
  return HttpAnswer{r.status, std::move(r.body)};
}

}  // namespace

bool allowed_url(std::string_view url) {
  return core::is_fetchable_url(url);
}

std::variant<HttpAnswer, std::string> CurlHttpClient::get(const std::string& url) {
  return answer_of(outbound::get(url, {limits_.timeout, limits_.max_bytes}));
}

std::variant<HttpAnswer, std::string> CurlHttpClient::post_form(
    const std::string& url, const std::string& body, const std::vector<std::string>& headers) {
  return answer_of(outbound::post_form(url, body, headers, {limits_.timeout, limits_.max_bytes}));
}

}  // namespace twofold::sources::upstream
