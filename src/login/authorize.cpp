#include "login/authorize.hpp"

#include <algorithm>
#include <array>

#include "oidc/clients.hpp"

namespace twofold::login {
namespace {

constexpr std::size_t kMaxState = 2048;
constexpr std::size_t kMaxNonce = 512;
constexpr std::size_t kMaxHint = 255;

// Parameters that may appear at most once (RFC 6749 §3.1); `resource` may repeat (RFC 8707).
constexpr std::array kSingle = {"client_id",     "redirect_uri",   "response_type",
                                "response_mode", "scope",          "state",
                                "nonce",         "code_challenge", "code_challenge_method",
                                "prompt",        "max_age",        "acr_values",
                                "login_hint",    "ui_locales",     "display",
                                "id_token_hint"};

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool is_absolute_uri_without_fragment(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = uri[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  return uri.find('#') == std::string_view::npos && uri.find(' ') == std::string_view::npos;
}

}  // namespace

bool is_scope_token(std::string_view token) {
  if (token.empty()) return false;
  for (char ch : token) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e) return false;
  }
  return true;
}

bool is_s256_challenge(std::string_view challenge) {
  if (challenge.size() != 43) return false;
  return std::all_of(challenge.begin(), challenge.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

ErrorRedirect error_redirect(const AuthorizeRequest& request, std::string_view error,
                             std::string_view description, std::string_view issuer) {
  std::vector<Params::Field> pairs{{"error", std::string(error)}};
  if (!description.empty()) pairs.emplace_back("error_description", std::string(description));
  if (!request.state.empty()) pairs.emplace_back("state", request.state);
  pairs.emplace_back("iss", std::string(issuer));
  return {append_query(request.redirect_uri, pairs), std::string(error), std::string(description)};
}

std::string code_redirect(const AuthorizeRequest& request, std::string_view code,
                          std::string_view issuer) {
  std::vector<Params::Field> pairs{{"code", std::string(code)}};
  if (!request.state.empty()) pairs.emplace_back("state", request.state);
  pairs.emplace_back("iss", std::string(issuer));
  return append_query(request.redirect_uri, pairs);
}

AuthorizeOutcome validate_authorize(const Params& params, const std::optional<oidc::Client>& client,
                                    std::string_view issuer) {
  // 1. Who is asking, and where would the answer go? Until both are certain, nothing is
  //    sent to any URI (RFC 6749 §4.1.2.1, RFC 9700 §4.1.1: no open redirector).
  if (params.count("client_id") != 1 || !params.get("client_id"))
    return ErrorPage{400, "The request does not name the application (client_id)."};
  if (!client || client->id != params.value("client_id"))
    return ErrorPage{400, "The application (client_id) is not registered here."};
  if (params.count("redirect_uri") != 1 || !params.get("redirect_uri"))
    return ErrorPage{400, "The request has no single redirect_uri."};
  const auto redirect_uri = params.value("redirect_uri");
  if (!oidc::is_registered(client->redirect_uris, redirect_uri))
    return ErrorPage{400, "The redirect_uri is not registered for this application."};

  AuthorizeRequest r;
  r.client_id = client->id;
  r.client_name = client->name.empty() ? client->id : client->name;
  r.public_client = client->is_public();
  r.skip_consent = client->skip_consent;
  r.default_acr = client->default_acr;
  r.redirect_uri = redirect_uri;
  if (params.count("state") == 1 && params.value("state").size() <= kMaxState)
    r.state = params.value("state");
  auto fail = [&](std::string_view error, std::string_view description) -> AuthorizeOutcome {
    return error_redirect(r, error, description, issuer);
  };
  if (params.count("state") > 1) return fail("invalid_request", "state is repeated");
  if (params.value("state").size() > kMaxState) return fail("invalid_request", "state is too long");

  // 2. Now errors go back to the client.
  if (!client->allows_grant("authorization_code"))
    return fail("unauthorized_client", "the client may not use the authorization code flow");
  for (const char* name : kSingle)
    if (params.count(name) > 1) return fail("invalid_request", std::string(name) + " is repeated");
  if (params.count("request"))
    return fail("request_not_supported", "request objects are not supported");
  if (params.count("request_uri"))
    return fail("request_uri_not_supported", "request_uri is not supported");
  if (params.count("registration"))
    return fail("registration_not_supported", "registration is not supported");

  const auto response_type = params.value("response_type");
  if (response_type.empty()) return fail("invalid_request", "response_type is missing");
  if (response_type != "code")
    return fail("unsupported_response_type", "only the code flow (response_type=code) is offered");
  if (auto mode = params.get("response_mode"); mode && *mode != "query")
    return fail("invalid_request", "only response_mode=query is supported");

  const auto requested = split_spaces(params.value("scope"));
  for (const auto& s : requested)
    if (!is_scope_token(s)) return fail("invalid_scope", "malformed scope");
  if (!contains(requested, "openid")) return fail("invalid_scope", "the openid scope is required");
  if (!contains(client->scopes, "openid"))
    return fail("invalid_scope", "the client may not request the openid scope");
  r.scopes.push_back("openid");
  for (const auto& s : requested)
    if (s != "openid" && contains(client->scopes, s) && !contains(r.scopes, s))
      r.scopes.push_back(s);

  // PKCE (RFC 7636, RFC 9700 §2.1.1): S256 only, required of public clients.
  const auto challenge = params.value("code_challenge");
  const auto method = params.value("code_challenge_method");
  if (challenge.empty()) {
    if (!method.empty())
      return fail("invalid_request", "code_challenge_method without code_challenge");
    if (r.public_client)
      return fail("invalid_request", "PKCE with code_challenge_method=S256 is required");
  } else {
    if (method != "S256")
      return fail("invalid_request", "code_challenge_method must be S256 (plain is not allowed)");
    if (!is_s256_challenge(challenge)) return fail("invalid_request", "malformed code_challenge");
    r.code_challenge = challenge;
    r.code_challenge_method = "S256";
  }

  r.nonce = params.value("nonce");
  if (r.nonce.size() > kMaxNonce) return fail("invalid_request", "nonce is too long");

  const auto prompts = split_spaces(params.value("prompt"));
  for (const auto& p : prompts) {
    if (p == "none")
      r.prompt_none = true;
    else if (p == "login")
      r.prompt_login = true;
    else if (p == "consent")
      r.prompt_consent = true;
    else if (p != "select_account")
      return fail("invalid_request", "unknown prompt value");
  }
  if (r.prompt_none && prompts.size() > 1)
    return fail("invalid_request", "prompt=none cannot be combined with other values");

  if (auto max_age = params.get("max_age")) {
    if (max_age->size() > 10 ||
        !std::all_of(max_age->begin(), max_age->end(), [](char c) { return c >= '0' && c <= '9'; }))
      return fail("invalid_request", "max_age must be a number of seconds");
    r.max_age = std::stoll(std::string(*max_age));
  }
  r.acr_values = split_spaces(params.value("acr_values"));
  r.ui_locales = split_spaces(params.value("ui_locales"));
  r.login_hint = params.value("login_hint");
  if (r.login_hint.size() > kMaxHint) r.login_hint.clear();  // a hint only: ignore nonsense

  for (const auto& resource : params.all("resource")) {
    if (!is_absolute_uri_without_fragment(resource))
      return fail("invalid_target", "resource must be an absolute URI without a fragment");
    if (!contains(r.resources, resource)) r.resources.push_back(resource);
  }
  return r;
}

}  // namespace twofold::login
