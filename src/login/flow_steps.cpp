// The POST /login steps: ID and password, the second factor (push, TOTP, email code), consent.
#include <algorithm>

#include "identity/identity.hpp"
#include "login/flow.hpp"

namespace twofold::login {
namespace {

using factors::FactorKind;

bool has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void add_amr(std::vector<std::string>& amr, std::initializer_list<const char*> values) {
  for (const char* v : values)
    if (!has(amr, v)) amr.emplace_back(v);
}

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Result LoginFlow::again(Transaction& tx) {
  if (!transactions_.update(tx)) return error_page(409, "error_twice", tx.language);
  return redirect(std::string(Paths::kLogin) + "?tx=" + tx.id, 303);
}

Result LoginFlow::fail(Transaction tx, std::string notice) {
  if (++tx.failures >= settings_.max_failures) {
    transactions_.remove(tx.id);
    return error_page(429, "error_too_many", tx.language);
  }
  tx.notice = std::move(notice);
  return again(tx);
}

regulation::Attempt LoginFlow::attempt_of(const BrowserRequest& request,
                                          const std::string& key) const {
  regulation::Attempt a{key, request.remote_ip, {}};
  if (ports_.device_of) a.device = ports_.device_of(request, key);
  return a;
}

bool LoginFlow::held(const regulation::Attempt& attempt) {
  return ports_.throttle && ports_.throttle->check(attempt).has_value();
}

void LoginFlow::failed(const regulation::Attempt& attempt) {
  if (ports_.throttle) ports_.throttle->failed(attempt);
}

Result LoginFlow::submit(const BrowserRequest& request) {
  const auto fallback = language_of(request);
  if (!same_origin_post(request.origin, request.sec_fetch_site, settings_.issuer))
    return error_page(403, "error_forbidden", fallback, "cross-origin form");
  const auto form = parse_params(request.params);
  if (!form) return error_page(400, "error_bad_request", fallback, "malformed form");
  auto tx = load(*form, request);
  if (!tx) return error_page(400, "error_expired", fallback);
  if (!csrf_matches(tx->csrf, form->value("csrf")))
    return error_page(400, "error_csrf", tx->language, "missing or wrong CSRF token");

  const auto action = form->value("action");
  tx->notice.clear();
  if (action == "cancel" && !tx->return_to.empty()) {
    transactions_.remove(tx->id);
    auto r = error_page(200, "sign_in_canceled", tx->language);
    return r;
  }
  if (action == "cancel") {
    transactions_.remove(tx->id);
    return redirect(error_redirect(tx->request, "access_denied", "the user canceled the sign-in",
                                   settings_.issuer)
                        .location,
                    303);
  }
  switch (tx->step) {
    case Step::identify:
      if (action != "identify") break;
      return identify(std::move(*tx), *form, request);
    case Step::consent:
      if (action == "allow") {
        tx->step = Step::consent;
        tx->request.prompt_consent = false;
        tx->request.skip_consent = true;
        return finish(std::move(*tx), request, 303);
      }
      if (action == "deny") {
        transactions_.remove(tx->id);
        return redirect(error_redirect(tx->request, "access_denied", "the user refused consent",
                                       settings_.issuer)
                            .location,
                        303);
      }
      break;
    case Step::second_factor:
      if (action == "factor" || !form->value("factor").empty()) {
        const auto kind = factors::parse_factor_kind(form->value("factor"));
        if (!kind || std::find(tx->factors.begin(), tx->factors.end(), *kind) == tx->factors.end())
          break;
        return start_factor(std::move(*tx), *kind, request);
      }
      if (action == "push" && tx->factor == FactorKind::push)
        return push_continue(std::move(*tx), request);
      if (action == "code" && tx->factor != FactorKind::push)
        return check_code(std::move(*tx), *form, request);
      if (action == "resend" && tx->factor == FactorKind::email_code)
        return start_factor(std::move(*tx), FactorKind::email_code, request);
      break;
  }
  // A stale page (back button, second tab): show where the login really is.
  return redirect(std::string(Paths::kLogin) + "?tx=" + tx->id, 303);
}

Result LoginFlow::identify(Transaction tx, const Params& form, const BrowserRequest& request) {
  const auto login = trim(form.value("login"));
  const auto password = form.value("password");
  tx.login_name = login.substr(0, 255);
  tx.stay_signed_in =
      !form.value("stay").empty() && sessions_.settings().stay_signed_in.count() > 0;
  if (login.empty() || !identity::is_valid_name(login))
    return fail(std::move(tx), "wrong_credentials");
  const auto key = identity::key_of(login);

  bool push_only = false;
  if (password.empty()) {
    // ID alone: only for IDs that have no password (R-O6). Others are asked for it, and so is
    // an unknown ID: the page does not tell which IDs exist.
    if (!ports_.is_push_only(key) || !is_active(key)) {
      tx.notice = "password_required";
      return again(tx);
    }
    push_only = true;
    tx.identity_key = key;
  } else {
    // Throttled tries are refused before the password is looked at, and do not count.
    const auto attempt = attempt_of(request, key);
    if (held(attempt)) {
      tx.notice = "throttled";
      return again(tx);
    }
    auto outcome = ports_.credentials.authenticate({login, password});
    if (auto* error = std::get_if<sources::Error>(&outcome)) {
      if (error->failure == sources::Failure::unavailable) {
        tx.notice = "source_unavailable";
        return again(tx);
      }
      if (error->failure == sources::Failure::expired_password)
        return fail(std::move(tx), "password_expired");
      failed(attempt);
      return fail(std::move(tx), "wrong_credentials");
    }
    auto& user = std::get<sources::Authenticated>(outcome);
    if (user.password_change_required) return fail(std::move(tx), "password_expired");
    if (!is_active(user.key)) return fail(std::move(tx), "account_inactive");
    tx.identity_key = user.key;
    add_amr(tx.amr, {"pwd"});
  }
  return choose_factors(std::move(tx), push_only, request);
}

Result LoginFlow::choose_factors(Transaction tx, bool push_only, const BrowserRequest& request) {
  // The factors this user has, in the policy's order; push-only IDs have the push alone.
  const auto available = ports_.factors_of(tx.identity_key);
  tx.factors.clear();
  for (auto kind : settings_.factor_order) {
    if (std::find(available.begin(), available.end(), kind) == available.end()) continue;
    if (push_only && kind != FactorKind::push) continue;
    if (kind != FactorKind::push && !ports_.code_factors.count(kind)) continue;
    if (kind == FactorKind::email_code && !ports_.send_email_code) continue;
    tx.factors.push_back(kind);
  }
  const bool offers_email =
      std::find(tx.factors.begin(), tx.factors.end(), FactorKind::email_code) != tx.factors.end();
  // An upstream sign-in (amr "fed", R-C4) always ends with one of twofold's own factors: the
  // provider's word stands in for the password only, never for the second factor, so neither
  // a remembered browser nor the "password suffices" policy skips it.
  const bool federated = std::find(tx.amr.begin(), tx.amr.end(), "fed") != tx.amr.end();
  if (offers_email && ports_.remember.verify && !federated) {
    // A remembered browser stands in for the email code, which alone would have been
    // enough here; only the password was presented now, so amr stays ["pwd"] (acr 1fa).
    if (auto cookie = cookie_value(request.cookies, kRememberCookie);
        cookie && ports_.remember.verify(*cookie, tx.identity_key)) {
      tx.auth_time = clock_.now();
      return finish(std::move(tx), request, 303);
    }
  }
  if (tx.factors.empty() && !push_only && !federated && ports_.password_suffices &&
      ports_.password_suffices(tx.identity_key)) {
    tx.auth_time = clock_.now();  // the policy asks for no second factor (seed 003)
    return finish(std::move(tx), request, 303);
  }
  if (available.empty() && !push_only && !tx.return_to.empty()) {
    // The account page for an ID without any second factor: the password alone lets it set
    // up its first one, in a session that single sign-on never uses (kAcrSetupOnly).
    tx.setup_only = true;
    tx.auth_time = clock_.now();
    return finish(std::move(tx), request, 303);
  }
  if (tx.factors.empty()) {
    if (push_only) return fail(std::move(tx), "wrong_credentials");
    tx.notice = "no_factor";
    tx.identity_key.clear();
    tx.amr.clear();
    return again(tx);
  }
  tx.step = Step::second_factor;
  tx.auth_time = clock_.now();
  const auto first = tx.factors.front();
  return start_factor(std::move(tx), first, request);
}

Result LoginFlow::start_factor(Transaction tx, FactorKind kind, const BrowserRequest& request) {
  tx.factor = kind;
  tx.notice.clear();
  // A push still waiting is withdrawn: one live push per login.
  if (!tx.push_id.empty()) {
    ports_.push.cancel(tx.push_secsignid, tx.push_id, tx.push_request_id);
    tx.push_id.clear();
    tx.push_png_base64.clear();
  }
  if (kind == FactorKind::push) {
    authsession::NewRequest r;
    r.secsignid = tx.identity_key;
    r.service_name = tx.request.client_name;
    r.service_address = host_of(tx.request.redirect_uri);
    r.plugin_name = "twofold-login";
    r.api_method = "oidc";
    r.requester_ip = request.remote_ip;
    r.show_access_pass = true;
    auto outcome = ports_.push.request(r);
    if (auto* e = std::get_if<authsession::Error>(&outcome)) {
      tx.notice = e->failure == authsession::Failure::id_locked ? "push_locked" : "push_failed";
      return again(tx);
    }
    const auto& s = std::get<authsession::AuthSession>(outcome);
    tx.push_id = s.id;
    tx.push_request_id = s.request_id;
    tx.push_secsignid = s.secsignid;
    tx.push_png_base64 = ports_.symbols.at(s.symbol).png_base64;
    if (s.state == authsession::State::suspended) tx.notice = "push_suspended";
  } else if (kind == FactorKind::email_code) {
    switch (ports_.send_email_code(tx.identity_key, tx.language)) {
      case EmailSend::sent:
        tx.notice = "email_sent";
        break;
      case EmailSend::too_soon:
        tx.notice = "email_too_soon";
        break;
      case EmailSend::failed:
        tx.notice = "email_failed";
        break;
    }
  }
  return again(tx);
}

Result LoginFlow::push_continue(Transaction tx, const BrowserRequest& request) {
  if (tx.push_id.empty()) return start_factor(std::move(tx), FactorKind::push, request);
  auto outcome = ports_.push.state(tx.push_secsignid, tx.push_id, tx.push_request_id);
  auto state = authsession::State::expired;
  if (auto* s = std::get_if<authsession::AuthSession>(&outcome)) state = s->state;
  switch (state) {
    case authsession::State::accepted:
      ports_.push.release(tx.push_secsignid, tx.push_id, tx.push_request_id);
      tx.push_id.clear();
      add_amr(tx.amr, {"swk", "pin"});  // the device key, unlocked by the user's PIN
      return finish(std::move(tx), request, 303);
    case authsession::State::pending:
    case authsession::State::fetched:
      tx.notice = "push_waiting";
      return again(tx);
    case authsession::State::denied:
      tx.push_id.clear();
      return fail(std::move(tx), "push_denied");
    case authsession::State::suspended:
      tx.notice = "push_suspended";
      return again(tx);
    default:
      tx.push_id.clear();
      tx.notice = "push_expired";
      return again(tx);
  }
}

Result LoginFlow::check_code(Transaction tx, const Params& form, const BrowserRequest& request) {
  auto* factor = ports_.code_factors.count(tx.factor) ? ports_.code_factors.at(tx.factor) : nullptr;
  if (!factor) return fail(std::move(tx), "no_factor");
  const auto attempt = attempt_of(request, tx.identity_key);
  if (held(attempt)) {
    tx.notice = "throttled";
    return again(tx);
  }
  const auto result = factor->verify(tx.identity_key, form.value("code").substr(0, 64));
  switch (result.status) {
    case factors::VerifyStatus::ok: {
      add_amr(tx.amr, {"otp"});
      std::vector<std::string> cookies;
      if (tx.factor == FactorKind::email_code && ports_.remember.issue &&
          !form.value("remember").empty())
        cookies.push_back(
            remember_cookie(ports_.remember.issue(tx.identity_key), ports_.remember.max_age));
      return finish(std::move(tx), request, 303, std::move(cookies));
    }
    case factors::VerifyStatus::expired:
      tx.notice = "code_expired";
      return again(tx);
    case factors::VerifyStatus::replay:
      return fail(std::move(tx), "code_replay");
    case factors::VerifyStatus::locked_out:
      transactions_.remove(tx.id);
      return error_page(429, "error_too_many", tx.language);
    default:
      failed(attempt);
      return fail(std::move(tx), "wrong_code");
  }
}

}  // namespace twofold::login
