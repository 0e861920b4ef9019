#include "login/account.hpp"

#include "core/encoding.hpp"

namespace twofold::login {

std::string account_csrf(const BrowserSession& session) {
  return core::sha256_hex("twofold-account-csrf:" + session.secret_hash);
}

std::optional<AccountPage::Visitor> AccountPage::visitor(const BrowserRequest& request) {
  auto secret = cookie_value(request.cookies, kSessionCookie);
  if (!secret || !is_plausible_secret(*secret)) return std::nullopt;
  auto resumed = sessions_.resume(*secret);
  if (!resumed) return std::nullopt;
  if (ports_.users) {
    auto claims = ports_.users->claims_of(resumed->session.identity_key);
    if (!claims || !claims->active) return std::nullopt;
  }
  Visitor v{std::move(resumed->session), {}};
  if (!resumed->new_secret.empty())
    v.cookies.push_back(sessions_.cookie(resumed->new_secret, v.session));
  return v;
}

Result AccountPage::render(const Visitor& v, Language lang, std::string_view notice, int status) {
  const auto& key = v.session.identity_key;
  const auto name = ports_.login_name(key);
  Vars vars{{"title", pages_.text(lang, "account_title")},
            {"csrf", account_csrf(v.session)},
            {"login", name},
            {"notice", notice.empty() ? std::string() : pages_.text(lang, notice)},
            {"script", ""},
            {"enrolled", ""},
            {"pending", ""},
            {"none", ""},
            {"png", ""},
            {"secret", ""},
            {"digits", ""}};
  if (!ports_.totp) {
    vars["unavailable"] = "1";
  } else {
    vars["unavailable"] = "";
    vars["digits"] = std::to_string(ports_.totp->options().params.digits);
    if (ports_.totp->is_enrolled(key)) {
      vars["enrolled"] = "1";
    } else if (auto pending = ports_.totp->pending_enrolment(key, name)) {
      vars["pending"] = "1";
      vars["png"] = core::base64_encode(pending->qr_png);
      // Groups of four, as apps show them and people type them.
      std::string grouped;
      for (std::size_t i = 0; i < pending->secret_base32.size(); ++i) {
        if (i && i % 4 == 0) grouped.push_back(' ');
        grouped.push_back(pending->secret_base32[i]);
      }
      vars["secret"] = grouped;
    } else {
      vars["none"] = "1";
    }
  }
  Result r;
  r.status = status;
  r.body = pages_.render("account", lang, std::move(vars));
  r.set_cookies = v.cookies;
  return r;
}

Result AccountPage::show(const BrowserRequest& request) {
  auto v = visitor(request);
  if (!v) return flow_.sign_in_for(request, kPath, "account_client");
  return render(*v, flow_.language_of(request), {});
}

bool AccountPage::proves_owner(const Visitor& v, const std::string& proof) {
  const auto& key = v.session.identity_key;
  if (proof.empty()) return false;
  // A current code from the app, else the password (for a lost phone).
  if (ports_.totp && factors::totp::normalize_code(proof, ports_.totp->options().params.digits)) {
    if (ports_.totp->verify(key, proof).ok()) return true;
  }
  auto outcome = ports_.credentials.authenticate({ports_.login_name(key), proof});
  auto* user = std::get_if<sources::Authenticated>(&outcome);
  return user && user->key == key;
}

bool AccountPage::count_failure(const Visitor& v) {
  {
    std::lock_guard lock(mutex_);
    if (failures_.size() > 100'000) failures_.clear();  // bounded; the limit restarts
    if (++failures_[v.session.sid] < kMaxFailures) return false;
    failures_.erase(v.session.sid);
  }
  sessions_.end_sid(v.session.sid);
  return true;
}

Result AccountPage::submit(const BrowserRequest& request) {
  const auto lang = flow_.language_of(request);
  if (!same_origin_post(request.origin, request.sec_fetch_site, issuer_))
    return flow_.error_page(403, "error_forbidden", lang, "cross-origin form");
  const auto form = parse_params(request.params);
  if (!form) return flow_.error_page(400, "error_bad_request", lang, "malformed form");
  auto v = visitor(request);
  if (!v) return redirect(kPath, 303);  // signed out meanwhile: sign in again
  if (!csrf_matches(account_csrf(v->session), form->value("csrf")))
    return flow_.error_page(400, "error_csrf", lang, "missing or wrong CSRF token");
  if (!ports_.totp) return render(*v, lang, {}, 404);
  auto& totp = *ports_.totp;
  const auto& key = v->session.identity_key;
  const auto action = form->value("action");
  if (action == "begin") {
    try {
      totp.begin_enrolment(key, ports_.login_name(key));
    } catch (const factors::totp::TotpError&) {
      return render(*v, lang, "totp_already", 409);
    }
    return render(*v, lang, "totp_scan");
  }
  if (action == "confirm") {
    const auto result = totp.confirm_enrolment(key, form->value("code").substr(0, 64));
    if (result.ok()) return render(*v, lang, "totp_added");
    if (result.status == factors::VerifyStatus::expired)
      return render(*v, lang, "totp_enrolment_expired", 400);
    if (count_failure(*v)) return flow_.error_page(429, "error_too_many_account", lang);
    return render(*v, lang, "wrong_code", 400);
  }
  if (action == "remove") {
    if (!totp.is_enrolled(key)) return render(*v, lang, {});
    if (!proves_owner(*v, form->value("proof").substr(0, 1024))) {
      if (count_failure(*v)) return flow_.error_page(429, "error_too_many_account", lang);
      return render(*v, lang, "totp_remove_refused", 403);
    }
    totp.remove(key);
    return render(*v, lang, "totp_removed");
  }
  return render(*v, lang, {}, 400);
}

}  // namespace twofold::login
