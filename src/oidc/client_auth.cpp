#include "oidc/client_auth.hpp"

#include "core/encoding.hpp"

namespace twofold::oidc {
namespace {

using serviceapi::Form;

// Token requests carry JWT assertions and long codes: more room than the service API.
constexpr serviceapi::FormLimits kTokenFormLimits{32, 64, 8192, 64 * 1024};

struct ClientCredentials {
  std::string id, secret;
  bool via_basic{false};
};

// RFC 6749 §2.3.1: the id and secret are form-urlencoded, then joined by ':' and base64'd.
std::optional<ClientCredentials> parse_basic(std::string_view header) {
  constexpr std::string_view kBasic = "Basic ";
  if (header.size() <= kBasic.size() || header.substr(0, kBasic.size()) != kBasic)
    return std::nullopt;
  auto decoded = core::base64_decode(header.substr(kBasic.size()));
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  // Reuse the form decoder for the percent-decoding: "id=<id>&secret=<secret>" would break
  // on '&' in the raw text, so decode each part on its own.
  auto decode = [](std::string_view raw) -> std::optional<std::string> {
    if (raw.find('&') != std::string_view::npos || raw.find('=') != std::string_view::npos)
      return std::string(raw);  // not encoded by the client; take it as is
    auto form = serviceapi::parse_form("v=" + std::string(raw), kTokenFormLimits);
    if (auto* f = std::get_if<Form>(&form)) return std::string(f->get("v").value_or(""));
    return std::nullopt;
  };
  auto id = decode(std::string_view(*decoded).substr(0, colon));
  auto secret = decode(std::string_view(*decoded).substr(colon + 1));
  if (!id || !secret || id->empty()) return std::nullopt;
  return ClientCredentials{*id, *secret, true};
}

}  // namespace

std::variant<Form, Reply> parse_token_form(const TokenRequest& request) {
  if (request.content_type.substr(0, 33) != "application/x-www-form-urlencoded")
    return oauth_error(400, "invalid_request",
                       "the body must be application/x-www-form-urlencoded");
  auto parsed = serviceapi::parse_form(request.body, kTokenFormLimits);
  if (auto* e = std::get_if<serviceapi::FormError>(&parsed))
    return oauth_error(400, "invalid_request", e->message);
  return std::get<Form>(std::move(parsed));
}

bool names_client_assertion(std::string_view body) {
  // Without '%' a key is spelled as is; these cannot be a client_assertion(_type).
  if (body.find("client_assertion") == std::string_view::npos &&
      body.find('%') == std::string_view::npos)
    return false;
  auto parsed = serviceapi::parse_form(body, kTokenFormLimits);
  const auto* form = std::get_if<Form>(&parsed);
  return form && (form->contains("client_assertion") || form->contains("client_assertion_type"));
}

std::variant<Client, Reply> ClientAuthenticator::authenticate(const TokenRequest& request,
                                                              const Form& form,
                                                              std::string_view endpoint_path) {
  if (form.contains("client_assertion") || form.contains("client_assertion_type")) {
    if (!request.authorization.empty() || form.contains("client_secret"))
      return oauth_error(400, "invalid_request", "use one client authentication method");
    if (form.get("client_assertion_type") != kJwtBearerAssertion)
      return oauth_error(400, "invalid_request",
                         "client_assertion_type must be " + std::string(kJwtBearerAssertion));
    const auto assertion = form.get("client_assertion");
    if (!assertion) return oauth_error(400, "invalid_request", "client_assertion is missing");
    if (!assertions_)
      return oauth_error(401, "invalid_client", "JWT client assertions are not enabled");
    auto result =
        assertions_->authenticate(clients_, *assertion, form.get("client_id"), endpoint_path);
    // The reason helps the client's developer; it names nothing secret.
    if (auto* why = std::get_if<std::string>(&result))
      return oauth_error(401, "invalid_client", "client authentication failed: " + *why);
    return std::get<Client>(std::move(result));
  }
  auto& clients = clients_;
  std::optional<ClientCredentials> creds;
  if (!request.authorization.empty()) {
    creds = parse_basic(request.authorization);
    if (!creds) return oauth_error(401, "invalid_client", "malformed Basic authorization");
    if (form.contains("client_secret"))
      return oauth_error(400, "invalid_request", "use one client authentication method");
  } else if (auto id = form.get("client_id")) {
    creds = ClientCredentials{std::string(*id), std::string(form.get("client_secret").value_or("")),
                              false};
  }
  auto unauthorized = [&] {
    Reply r = oauth_error(401, "invalid_client", "client authentication failed");
    if (creds && creds->via_basic)
      r.headers.push_back({"WWW-Authenticate", "Basic realm=\"twofold\""});
    return r;
  };
  if (!creds) return unauthorized();
  if (auto body_id = form.get("client_id"); body_id && creds->via_basic && *body_id != creds->id)
    return oauth_error(400, "invalid_request", "client_id differs from the authenticated client");
  auto client = clients.find(creds->id);
  if (!client) return unauthorized();
  switch (client->auth_method) {
    case AuthMethod::client_secret_basic:
      if (!creds->via_basic || !clients.secret_matches(*client, creds->secret))
        return unauthorized();
      break;
    case AuthMethod::client_secret_post:
      if (creds->via_basic || !clients.secret_matches(*client, creds->secret))
        return unauthorized();
      break;
    case AuthMethod::none:
      if (creds->via_basic || !creds->secret.empty()) return unauthorized();
      break;
    default:
      return unauthorized();  // JWT methods send client_assertion (see above)
  }
  return std::move(*client);
}

}  // namespace twofold::oidc
