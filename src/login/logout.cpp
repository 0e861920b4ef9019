#include "login/logout.hpp"

#include "core/encoding.hpp"
#include "login/transaction.hpp"
#include "oidc/clients.hpp"
#include "oidc/discovery.hpp"

namespace twofold::login {
namespace {

using nlohmann::json;

std::optional<std::string> string_of(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// The client an ID token was issued to: `aud` (we issue one audience), or `azp` among several.
std::optional<std::string> audience_client(const json& claims) {
  const auto aud = claims.find("aud");
  if (aud == claims.end()) return std::nullopt;
  if (aud->is_string()) return aud->get<std::string>();
  if (!aud->is_array() || aud->empty()) return std::nullopt;
  if (aud->size() == 1 && (*aud)[0].is_string()) return (*aud)[0].get<std::string>();
  auto azp = string_of(claims, "azp");
  if (!azp) return std::nullopt;
  for (const auto& a : *aud)
    if (a.is_string() && a.get<std::string>() == *azp) return azp;
  return std::nullopt;
}

}  // namespace

std::variant<LogoutRequest, std::string> validate_logout(const Params& params,
                                                         const LogoutPorts& ports,
                                                         std::string_view issuer) {
  for (const char* key : {"id_token_hint", "client_id", "post_logout_redirect_uri", "state"})
    if (params.count(key) > 1) return std::string(key) + " appears more than once";
  LogoutRequest out;
  std::optional<std::string> client_id;
  if (auto hint = params.get("id_token_hint")) {
    auto verified = ports.verify_own_token(*hint);
    if (!verified) return std::string("the id_token_hint was not issued by this server");
    const json& claims = verified->claims;
    if (string_of(verified->header, "typ") == "at+jwt")
      return std::string("the id_token_hint is an access token");
    if (string_of(claims, "iss") != issuer)
      return std::string("the id_token_hint was issued by someone else");
    auto subject = string_of(claims, "sub");
    client_id = audience_client(claims);
    if (!subject || subject->empty() || !client_id)
      return std::string("the id_token_hint lacks sub or aud");
    out.hint = true;
    out.hint_subject = std::move(*subject);
    out.hint_sid = string_of(claims, "sid").value_or("");
  }
  if (auto id = params.get("client_id")) {
    if (client_id && *client_id != *id)
      return std::string("client_id is not the id_token_hint's audience");
    client_id = std::string(*id);
  }
  if (client_id) out.client = ports.find_client(*client_id);
  if (auto uri = params.get("post_logout_redirect_uri")) {
    if (!out.client)
      return std::string(
          "post_logout_redirect_uri needs a known client (id_token_hint or client_id)");
    if (!oidc::is_registered(out.client->post_logout_redirect_uris, *uri))
      return std::string("post_logout_redirect_uri is not registered for this client");
    out.redirect_uri = std::string(*uri);
    out.state = params.value("state");
  }
  out.ui_locales = split_spaces(params.value("ui_locales"));
  return out;
}

LogoutAction decide_logout(const LogoutRequest& request,
                           const std::optional<BrowserSession>& current) {
  if (!current) {
    // A cross-site POST carries no SameSite=Lax cookie; the signed hint still names the
    // session the relying party wants ended.
    return request.hint && !request.hint_sid.empty() ? LogoutAction::end_hint_session
                                                     : LogoutAction::nothing;
  }
  const bool same_user = request.hint && request.hint_subject == current->identity_key;
  const bool same_session = request.hint_sid.empty() || request.hint_sid == current->sid;
  return same_user && same_session ? LogoutAction::end_current : LogoutAction::confirm;
}

std::string logout_csrf(std::string_view session_secret) {
  return core::sha256_hex("twofold logout form:" + std::string(session_secret));
}

Result Logout::error(int status, Language language, std::string_view message_key,
                     std::string_view detail) const {
  Result r;
  r.status = status;
  r.body = pages_.error_page(language, "logout_error_title", message_key, detail);
  return r;
}

void Logout::end(const std::string& sid) {
  // Tokens first: should deleting the session fail, nothing of it stays usable anyway.
  ports_.revoke_session(sid);
  sessions_.end_sid(sid);
}

Result Logout::finish(const LogoutRequest& request, Language language, int redirect_status,
                      std::string_view text_key) {
  Result r;
  if (!request.redirect_uri.empty()) {
    std::vector<Params::Field> pairs;
    if (!request.state.empty()) pairs.emplace_back("state", request.state);
    r = redirect(append_query(request.redirect_uri, pairs), redirect_status);
  } else {
    const bool signed_out = text_key == "logged_out_text";
    r.body = pages_.render(
        "logged_out", language,
        {{"title", pages_.text(language, signed_out ? "logged_out_title" : "logout_title")},
         {"text", pages_.text(language, text_key)},
         {"script", ""}});
  }
  if (text_key == "logged_out_text") r.set_cookies.push_back(Sessions::clear_cookie());
  return r;
}

Result Logout::handle(const BrowserRequest& request) {
  const auto fallback = choose_language({}, request.accept_language);
  const auto params = parse_params(request.params);
  if (!params) return error(400, fallback, "error_logout_request", "malformed parameters");
  if (request.post && params->get("csrf")) return confirmed(request, *params);
  if (request.post) {
    // A relying party's POST comes cross-site, without the SameSite=Lax session cookie; as a
    // top-level GET it carries it.
    return redirect(append_query(oidc::Endpoints::kLogout, params->fields()), 303);
  }
  auto validated = validate_logout(*params, ports_, issuer_);
  if (auto* why = std::get_if<std::string>(&validated))
    return error(400, fallback, "error_logout_request", *why);
  const auto& req = std::get<LogoutRequest>(validated);
  const auto language = choose_language(req.ui_locales, request.accept_language);

  std::optional<BrowserSession> session;
  std::string secret;  // the one the browser presents next
  std::vector<std::string> cookies;
  if (auto presented = cookie_value(request.cookies, kSessionCookie)) {
    if (auto resumed = sessions_.resume(*presented)) {
      secret = resumed->new_secret.empty() ? *presented : resumed->new_secret;
      if (!resumed->new_secret.empty())
        cookies.push_back(sessions_.cookie(resumed->new_secret, resumed->session));
      session = std::move(resumed->session);
    }
  }
  switch (decide_logout(req, session)) {
    case LogoutAction::end_current:
      end(session->sid);
      return finish(req, language, 302);
    case LogoutAction::end_hint_session:
      end(req.hint_sid);
      return finish(req, language, 302);
    case LogoutAction::nothing:
      return finish(req, language, 302);
    case LogoutAction::confirm:
      break;
  }
  Result r;
  r.body = pages_.render(
      "logout", language,
      {{"title", pages_.text(language, "logout_title")},
       {"csrf", logout_csrf(secret)},
       {"client", req.client ? (req.client->name.empty() ? req.client->id : req.client->name)
                             : std::string()},
       {"client_id", req.client ? req.client->id : std::string()},
       {"post_logout_redirect_uri", req.redirect_uri},
       {"state", req.state},
       {"ui_locales", std::string(code_of(language))},
       {"script", ""}});
  r.set_cookies = std::move(cookies);
  return r;
}

Result Logout::confirmed(const BrowserRequest& request, const Params& form) {
  auto language = choose_language(split_spaces(form.value("ui_locales")), request.accept_language);
  if (!same_origin_post(request.origin, request.sec_fetch_site, issuer_))
    return error(403, language, "error_forbidden", "cross-origin form");
  if (form.get("id_token_hint")) return error(400, language, "error_logout_request", "bad form");
  auto validated = validate_logout(form, ports_, issuer_);
  if (auto* why = std::get_if<std::string>(&validated))
    return error(400, language, "error_logout_request", *why);
  const auto& req = std::get<LogoutRequest>(validated);
  const auto action = form.value("action");
  if (action != "logout" && action != "cancel")
    return error(400, language, "error_logout_request", "unknown action");

  const auto presented = cookie_value(request.cookies, kSessionCookie);
  std::optional<Sessions::Resumed> resumed;
  if (presented) resumed = sessions_.resume(*presented);
  if (!resumed) return finish(req, language, 303);  // signed out already (another tab)
  if (!csrf_matches(logout_csrf(*presented), form.value("csrf")))
    return error(400, language, "error_csrf", "missing or wrong form token");
  if (action == "cancel") {
    auto r = finish(req, language, 303, "still_signed_in_text");
    if (!resumed->new_secret.empty())
      r.set_cookies.push_back(sessions_.cookie(resumed->new_secret, resumed->session));
    return r;
  }
  end(resumed->session.sid);
  return finish(req, language, 303);
}

}  // namespace twofold::login
