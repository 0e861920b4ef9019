#include "oidc/token_endpoint.hpp"

#include <algorithm>
#include <sstream>

#include "core/encoding.hpp"
#include "serviceapi/form.hpp"

namespace twofold::oidc {
namespace {

using nlohmann::json;
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

std::vector<std::string> split_scope(std::string_view scope) {
  std::vector<std::string> out;
  std::istringstream in{std::string(scope)};
  for (std::string s; in >> s;)
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

// RFC 8707 §2: an absolute URI without a fragment.
bool is_resource_uri(std::string_view uri) {
  const auto colon = uri.find("://");
  return colon != std::string_view::npos && colon > 0 && uri.size() > colon + 3 &&
         uri.find('#') == std::string_view::npos && uri.size() <= 2000;
}

}  // namespace

Reply oauth_error(int status, std::string_view error, std::string_view description) {
  return {status, json{{"error", error}, {"error_description", description}}, {}};
}

Reply TokenEndpoint::handle(const TokenRequest& request) {
  if (request.content_type.substr(0, 33) != "application/x-www-form-urlencoded")
    return oauth_error(400, "invalid_request",
                       "the body must be application/x-www-form-urlencoded");
  auto parsed = serviceapi::parse_form(request.body, kTokenFormLimits);
  if (auto* e = std::get_if<serviceapi::FormError>(&parsed))
    return oauth_error(400, "invalid_request", e->message);
  const Form& form = std::get<Form>(parsed);

  const auto grant = form.get("grant_type");
  if (!grant) return oauth_error(400, "invalid_request", "grant_type is missing");

  // Client authentication (R-O2): exactly one method, the one the client registered.
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
  if (form.contains("client_assertion"))
    return oauth_error(401, "invalid_client",
                       "JWT client assertions are not enabled for any client on this server");
  auto unauthorized = [&] {
    Reply r = oauth_error(401, "invalid_client", "client authentication failed");
    if (creds && creds->via_basic)
      r.headers.push_back({"WWW-Authenticate", "Basic realm=\"twofold\""});
    return r;
  };
  if (!creds) return unauthorized();
  if (auto body_id = form.get("client_id"); body_id && creds->via_basic && *body_id != creds->id)
    return oauth_error(400, "invalid_request", "client_id differs from the authenticated client");
  const auto client = clients_.find(creds->id);
  if (!client) return unauthorized();
  switch (client->auth_method) {
    case AuthMethod::client_secret_basic:
      if (!creds->via_basic || !clients_.secret_matches(*client, creds->secret))
        return unauthorized();
      break;
    case AuthMethod::client_secret_post:
      if (creds->via_basic || !clients_.secret_matches(*client, creds->secret))
        return unauthorized();
      break;
    case AuthMethod::none:
      if (creds->via_basic || !creds->secret.empty()) return unauthorized();
      break;
    default:
      return unauthorized();  // assertion-based methods send client_assertion (see above)
  }

  if (!client->allows_grant(*grant)) {
    if (*grant != "client_credentials" && *grant != "authorization_code" &&
        *grant != "refresh_token")
      return oauth_error(400, "unsupported_grant_type", "unsupported grant_type");
    return oauth_error(400, "unauthorized_client", "this client may not use this grant type");
  }
  if (*grant != "client_credentials")
    return oauth_error(400, "unsupported_grant_type", "unsupported grant_type");

  // client_credentials: scopes are a subset of the client's, minus the user-only ones.
  std::vector<std::string> scopes;
  if (auto scope = form.get("scope")) {
    for (const auto& s : split_scope(*scope)) {
      if (s == "openid" || s == "offline_access" ||
          std::find(client->scopes.begin(), client->scopes.end(), s) == client->scopes.end())
        return oauth_error(400, "invalid_scope", "scope " + s + " is not allowed here");
      scopes.push_back(s);
    }
  }
  std::string audience = client->audience.empty() ? client->id : client->audience;
  if (auto resource = form.get("resource")) {
    if (!is_resource_uri(*resource))
      return oauth_error(400, "invalid_target", "resource must be an absolute URI");
    audience = std::string(*resource);
  }

  const auto now = core::to_millis(clock_.now()) / 1000;
  json claims = {{"iss", settings_.issuer},
                 {"sub", client->id},
                 {"aud", audience},
                 {"client_id", client->id},
                 {"iat", now},
                 {"exp", now + settings_.access_token_life.count()},
                 {"jti", random_.token(16)}};
  if (!scopes.empty()) claims["scope"] = join(scopes);
  json body = {{"access_token", signer_.sign(claims, client->access_token_alg, "at+jwt")},
               {"token_type", "Bearer"},
               {"expires_in", settings_.access_token_life.count()}};
  if (!scopes.empty()) body["scope"] = join(scopes);
  return {200, std::move(body), {}};
}

}  // namespace twofold::oidc
