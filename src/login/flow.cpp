#include "login/flow.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/encoding.hpp"
#include "identity/identity.hpp"

namespace twofold::login {
namespace {

std::string binding_of(const BrowserRequest& request) {
  auto value = cookie_value(request.cookies, kBindingCookie);
  return value && is_plausible_secret(*value) ? *value : std::string();
}

std::string binding_cookie(std::string_view value) {
  return std::string(kBindingCookie) + "=" + std::string(value) +
         "; Path=/; Secure; HttpOnly; SameSite=Lax";
}

std::string factor_text_key(factors::FactorKind kind) {
  return "method_" + std::string(factors::to_string(kind));
}

Result json_result(int status, const nlohmann::json& body) {
  Result r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump();
  return r;
}

}  // namespace

std::string remember_cookie(std::string_view value, std::chrono::seconds max_age) {
  return std::string(kRememberCookie) + "=" + std::string(value) +
         "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
         "; Secure; HttpOnly; SameSite=Lax";
}

Result redirect(std::string location, int status) {
  Result r;
  r.status = status;
  r.location = std::move(location);
  return r;
}

Language LoginFlow::language_of(const BrowserRequest& request) const {
  return choose_language({}, request.accept_language);
}

Result LoginFlow::error_page(int status, std::string_view message_key, Language language,
                             std::string_view detail) const {
  Result r;
  r.status = status;
  r.body = pages_.error_page(language, "error_title", message_key, detail);
  return r;
}

bool LoginFlow::is_active(const std::string& identity_key) const {
  if (!ports_.users) return true;
  auto claims = ports_.users->claims_of(identity_key);
  return claims && claims->active;
}

bool LoginFlow::still_valid(const BrowserSession& session) {
  if (!ports_.still_valid) return true;
  const auto now = clock_.now();
  {
    std::lock_guard lock(checked_mutex_);
    const auto it = checked_.find(session.sid);
    // The sign-in itself asked the source: the first check is due an interval after it.
    const auto last = it == checked_.end() ? session.auth_time : it->second;
    if (now - last < settings_.validity_check) return true;
  }
  const bool valid = ports_.still_valid(session.identity_key);  // may be slow: not locked
  std::lock_guard lock(checked_mutex_);
  if (!valid) {
    checked_.erase(session.sid);
    return false;
  }
  // Entries older than the interval mean the same as no entry: drop them now and then.
  if (checked_.size() >= 10000)
    std::erase_if(checked_,
                  [&](const auto& e) { return now - e.second >= settings_.validity_check; });
  checked_[session.sid] = now;
  return true;
}

Result LoginFlow::authorize(const BrowserRequest& request) {
  const auto language = language_of(request);
  const auto params = parse_params(request.params);
  if (!params) return error_page(400, "error_bad_request", language, "malformed parameters");
  std::optional<oidc::Client> client;
  if (params->count("client_id") == 1 && params->get("client_id"))
    client = ports_.find_client(params->value("client_id"));
  auto outcome = validate_authorize(*params, client, settings_.issuer);
  if (auto* page = std::get_if<ErrorPage>(&outcome))
    return error_page(page->status, "error_bad_request", language, page->reason);
  if (auto* err = std::get_if<ErrorRedirect>(&outcome)) return redirect(err->location);
  auto& req = std::get<AuthorizeRequest>(outcome);

  // Single sign-on: a live browser session of an active user that is fresh enough.
  std::vector<std::string> cookies;
  std::optional<BrowserSession> session;
  if (auto secret = cookie_value(request.cookies, kSessionCookie)) {
    if (auto resumed = sessions_.resume(*secret)) {
      if (!resumed->new_secret.empty())
        cookies.push_back(sessions_.cookie(resumed->new_secret, resumed->session));
      session = std::move(resumed->session);
    }
  }
  // R-P2: a user locked, disabled or deleted since signing in loses every session at once
  // (this is checked on each use: the identity lookup is local and cheap); whether the user
  // is still in an outside source (LDAP) is asked once per interval.
  if (session && (!is_active(session->identity_key) || !still_valid(*session))) {
    sessions_.end_all(session->identity_key);
    session.reset();
    cookies.clear();
    cookies.push_back(Sessions::clear_cookie());
  }
  const auto now = clock_.now();
  const bool usable =
      session && !req.prompt_login && session->acr != kAcrSetupOnly &&
      (!req.max_age || now - session->auth_time <= std::chrono::seconds(*req.max_age)) &&
      (req.login_hint.empty() || identity::key_of(req.login_hint) == session->identity_key);
  const bool consent = req.prompt_consent || !req.skip_consent;
  if (usable && !consent) return issue_code(req, *session, 302, std::move(cookies));
  if (req.prompt_none) {
    const auto& err =
        usable ? error_redirect(req, "consent_required", "consent is needed", settings_.issuer)
               : error_redirect(req, "login_required", "the user must sign in", settings_.issuer);
    auto r = redirect(err.location);
    r.set_cookies = std::move(cookies);
    return r;
  }

  Transaction tx;
  tx.language = choose_language(req.ui_locales, request.accept_language);
  tx.request = std::move(req);
  if (usable) {  // signed in already: only the consent is missing
    tx.step = Step::consent;
    tx.identity_key = session->identity_key;
    tx.session_sid = session->sid;
  }
  auto binding = binding_of(request);
  std::string new_binding;
  if (binding.empty()) binding = new_binding = random_.token(32);
  tx.binding_hash = core::sha256_hex(binding);
  auto stored = transactions_.create(std::move(tx));
  if (!stored) return error_page(503, "error_busy", language);
  if (!new_binding.empty()) cookies.push_back(binding_cookie(new_binding));
  auto r = redirect(std::string(Paths::kLogin) + "?tx=" + stored->id);
  r.set_cookies = std::move(cookies);
  return r;
}

Result LoginFlow::sign_in_for(const BrowserRequest& request, std::string return_to,
                              std::string_view title_key) {
  Transaction tx;
  tx.language = language_of(request);
  tx.request.client_name = pages_.text(tx.language, title_key);
  tx.request.redirect_uri = settings_.issuer + return_to;
  tx.request.skip_consent = true;
  tx.return_to = std::move(return_to);
  auto binding = binding_of(request);
  std::string new_binding;
  if (binding.empty()) binding = new_binding = random_.token(32);
  tx.binding_hash = core::sha256_hex(binding);
  auto stored = transactions_.create(std::move(tx));
  if (!stored) return error_page(503, "error_busy", language_of(request));
  auto r = redirect(std::string(Paths::kLogin) + "?tx=" + stored->id, 303);
  if (!new_binding.empty()) r.set_cookies.push_back(binding_cookie(new_binding));
  return r;
}

std::optional<Transaction> LoginFlow::load(const Params& params,
                                           const BrowserRequest& request) const {
  const auto binding = binding_of(request);
  const auto id = params.value("tx");
  if (binding.empty() || id.empty() || id.size() > 64) return std::nullopt;
  return transactions_.find(id, core::sha256_hex(binding));
}

Result LoginFlow::show(const BrowserRequest& request) {
  const auto params = parse_params(request.params);
  if (!params) return error_page(400, "error_bad_request", language_of(request));
  auto tx = load(*params, request);
  if (!tx) return error_page(400, "error_expired", language_of(request));
  return render(*tx);
}

Result LoginFlow::render(const Transaction& tx, std::vector<std::string> cookies) const {
  const auto lang = tx.language;
  Vars vars{{"tx", tx.id},
            {"csrf", tx.csrf},
            {"client", tx.request.client_name},
            {"notice", tx.notice.empty() ? std::string() : pages_.text(lang, tx.notice)},
            {"script", ""}};
  if (tx.step == Step::new_password || tx.step == Step::forgot)
    return render_password_step(tx, std::move(cookies));
  std::string page;
  if (tx.step == Step::identify) {
    page = "identify";
    vars["forgot"] = ports_.reset ? "1" : "";
    vars["title"] = pages_.text(lang, "title_sign_in");
    vars["login"] = tx.login_name.empty() ? tx.request.login_hint : tx.login_name;
    vars["stay"] = sessions_.settings().stay_signed_in.count() > 0 ? "1" : "";
    upstream_button(vars, tx);
  } else if (tx.step == Step::consent) {
    page = "consent";
    vars["title"] = pages_.text(lang, "consent_title");
    vars["scopes"] = join(tx.request.scopes, ", ");
  } else {
    std::string others;
    for (auto kind : tx.factors) {
      if (kind == tx.factor) continue;
      others += "<button type=\"submit\" name=\"factor\" value=\"" +
                std::string(factors::to_string(kind)) + "\" class=\"link\">" +
                html_escape(pages_.text(lang, factor_text_key(kind))) + "</button> ";
    }
    vars["others"] = others;
    vars["login"] = tx.login_name;
    if (tx.factor == factors::FactorKind::push) {
      page = "push";
      vars["title"] = pages_.text(lang, "push_title");
      vars["png"] = tx.push_png_base64;
      vars["retry"] = tx.push_id.empty() ? "1" : "";
      vars["script"] = "/static/login.js";
      vars["status_url"] = std::string(Paths::kStatus) + "?tx=" + tx.id;
    } else {
      page = "code";
      const bool totp = tx.factor == factors::FactorKind::totp;
      vars["title"] = pages_.text(lang, totp ? "totp_title" : "email_title");
      vars["instructions"] = pages_.text(lang, totp ? "totp_instructions" : "email_instructions");
      vars["resend"] = totp ? "" : "1";
      vars["remember"] = !totp && ports_.remember.issue ? "1" : "";
    }
  }
  Result r;
  r.body = pages_.render(page, lang, std::move(vars));
  r.set_cookies = std::move(cookies);
  return r;
}

Result LoginFlow::status(const BrowserRequest& request) {
  const auto params = parse_params(request.params);
  std::optional<Transaction> tx;
  if (params) tx = load(*params, request);
  if (!tx) return json_result(404, {{"state", "gone"}});
  if (tx->step != Step::second_factor || tx->factor != factors::FactorKind::push ||
      tx->push_id.empty())
    return json_result(200, {{"state", "none"}});
  auto answer = ports_.push.state(tx->push_secsignid, tx->push_id, tx->push_request_id);
  if (std::holds_alternative<authsession::Error>(answer))
    return json_result(200, {{"state", "gone"}});
  auto state = std::get<authsession::AuthSession>(answer).state;
  std::string name(authsession::state_name(state));
  std::transform(name.begin(), name.end(), name.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  if (state == authsession::State::fetched) name = "pending";
  return json_result(200, {{"state", name}});
}

Result LoginFlow::finish(Transaction tx, const BrowserRequest& request, int redirect_status,
                         std::vector<std::string> extra_cookies) {
  if (tx.step != Step::consent && (tx.request.prompt_consent || !tx.request.skip_consent)) {
    tx.step = Step::consent;
    tx.notice.clear();
    if (tx.session_sid.empty()) tx.auth_time = clock_.now();
    auto r = again(tx);
    r.set_cookies = std::move(extra_cookies);
    return r;
  }
  auto taken = transactions_.take(tx.id, tx.version);
  if (!taken) return error_page(400, "error_expired", tx.language);
  std::vector<std::string> cookies = std::move(extra_cookies);
  std::optional<BrowserSession> session;
  if (!tx.session_sid.empty()) {
    // The consent for an existing session: the session must still be there.
    if (auto secret = cookie_value(request.cookies, kSessionCookie)) {
      if (auto resumed = sessions_.resume(*secret);
          resumed && resumed->session.sid == tx.session_sid)
        session = std::move(resumed->session);
    }
    if (!session) return error_page(400, "error_expired", tx.language);
  } else {
    // R-P1: at most so many new sign-ins per user and minute (counted across instances).
    if (ports_.session_rate && !ports_.session_rate->admit(tx.identity_key))
      return error_page(429, "error_too_often", tx.language);
    // The whole sign-in succeeded: the user's (or this browser's) failures are forgotten.
    if (ports_.throttle) ports_.throttle->succeeded(attempt_of(request, tx.identity_key));
    if (ports_.device_cookie) cookies.push_back(ports_.device_cookie(tx.identity_key));
    // A new sign-in always gets a new session (no fixation); the old one ends.
    if (auto old = cookie_value(request.cookies, kSessionCookie)) sessions_.end(*old);
    auto amr = tx.amr;
    const bool mfa = amr.size() >= 2;
    if (mfa) amr.push_back("mfa");
    const auto acr = tx.setup_only ? kAcrSetupOnly : mfa ? kAcrTwoFactor : kAcrOneFactor;
    NewSession ns{tx.identity_key, tx.auth_time == core::TimePoint{} ? clock_.now() : tx.auth_time,
                  amr, std::string(acr), tx.stay_signed_in && !tx.setup_only};
    auto issued = sessions_.create(ns);
    cookies.push_back(sessions_.cookie(issued.secret, issued.session));
    session = std::move(issued.session);
  }
  if (!tx.return_to.empty()) {  // twofold's own page: back there, signed in
    auto r = redirect(tx.return_to, 303);
    r.set_cookies = std::move(cookies);
    return r;
  }
  return issue_code(tx.request, *session, redirect_status, std::move(cookies));
}

Result LoginFlow::issue_code(const AuthorizeRequest& request, const BrowserSession& session,
                             int redirect_status, std::vector<std::string> cookies) {
  oidc::Authorization a;
  a.client_id = request.client_id;
  a.redirect_uri = request.redirect_uri;
  a.scopes = request.scopes;
  a.nonce = request.nonce;
  a.code_challenge = request.code_challenge;
  a.code_challenge_method = request.code_challenge_method;
  a.resources = request.resources;
  a.subject = session.identity_key;
  a.sid = session.sid;
  a.auth_time = session.auth_time;
  a.acr = session.acr;
  a.amr = session.amr;
  auto r =
      redirect(code_redirect(request, ports_.codes.issue(a), settings_.issuer), redirect_status);
  r.set_cookies = std::move(cookies);
  return r;
}

}  // namespace twofold::login
