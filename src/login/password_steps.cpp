// The new-password page of the login: an expired database password replaced on the spot
// (R-C1, seed 003 "forcing a change at next login") and the password reset by email link
// (R-C5): "Forgot your password?", the neutral answer, and the page a link opens.
#include <algorithm>

#include "core/encoding.hpp"
#include "login/flow.hpp"

namespace twofold::login {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Result LoginFlow::require_new_password(Transaction tx, const sources::Authenticated& user) {
  // Only the database's own expiry is ours to lift; LDAP/AD decide their users' expiry.
  if (!ports_.set_password || user.source != "database")
    return fail(std::move(tx), "password_expired");
  // Reached only here, right after the old password was verified: the transaction itself
  // is the proof, and it lives minutes, bound to this browser.
  tx.identity_key = user.key;
  tx.reset_token_hash.clear();
  tx.step = Step::new_password;
  tx.notice.clear();
  return again(tx);
}

Result LoginFlow::set_new_password(Transaction tx, const Params& form,
                                   const BrowserRequest& request) {
  const auto password = form.value("new_password");
  if (password.empty() || password != form.value("repeat_password")) {
    tx.notice = "password_mismatch";
    return again(tx);
  }
  if (!tx.reset_token_hash.empty()) {  // R-C5: a reset link
    if (!ports_.reset) return error_page(404, "error_not_found", tx.language);
    auto result = ports_.reset->complete(tx.reset_token_hash, password);
    using Status = recovery::CompleteResult::Status;
    if (result.status == Status::refused)
      return fail(std::move(tx), std::string(recovery::refusal_notice(result.refusal->reason)));
    transactions_.remove(tx.id);
    if (result.status == Status::invalid_token)
      return error_page(400, "reset_invalid", tx.language);
    Result r;
    r.body = pages_.render("password_done", tx.language,
                           {{"title", pages_.text(tx.language, "reset_done_title")},
                            {"sign_in_url", tx.return_to.empty() ? "/account" : tx.return_to},
                            {"script", ""}});
    // This browser's session (if any) ended with all the others.
    r.set_cookies.push_back(Sessions::clear_cookie());
    return r;
  }
  // R-C1: the expired password was verified when this step began.
  if (tx.identity_key.empty() || !ports_.set_password)
    return error_page(400, "error_expired", tx.language);
  if (auto refused = ports_.set_password(tx.identity_key, password))
    return fail(std::move(tx), std::string(recovery::refusal_notice(refused->reason)));
  // On exactly as after a good password.
  tx.step = Step::identify;
  tx.notice.clear();
  if (std::find(tx.amr.begin(), tx.amr.end(), "pwd") == tx.amr.end()) tx.amr.emplace_back("pwd");
  return choose_factors(std::move(tx), false, request);
}

Result LoginFlow::forgot_step(Transaction tx, std::string_view action, const Params& form,
                              const BrowserRequest& request) {
  if (!ports_.reset) return again(tx);
  if (action == "forgot") {
    tx.step = Step::forgot;
    tx.notice.clear();
    return again(tx);
  }
  if (action == "back") {
    tx.step = Step::identify;
    tx.notice.clear();
    return again(tx);
  }
  if (action != "send_reset") return again(tx);
  const auto login = trim(form.value("login")).substr(0, 254);
  tx.login_name = login;
  if (login.empty()) {
    tx.notice = "forgot_instructions";
    return again(tx);
  }
  // Whatever the lookup finds, the answer is the same and comes before any of it is done:
  // the lookup, the limits and the mail run later on another thread.
  auto* reset = ports_.reset;
  auto job = [reset, login, address = request.remote_ip, language = tx.language] {
    try {
      reset->request(login, address, code_of(language));
    } catch (const std::exception&) {
      // request() logs its own failures; nothing may escape a background job
    }
  };
  if (ports_.run_later)
    ports_.run_later(std::move(job));
  else
    job();
  tx.notice = "reset_sent";
  return again(tx);
}

Result LoginFlow::open_reset_link(const BrowserRequest& request) {
  const auto language = language_of(request);
  if (!ports_.reset) return error_page(404, "error_not_found", language);
  const auto params = parse_params(request.params);
  if (!params) return error_page(400, "error_bad_request", language, "malformed parameters");
  auto record = ports_.reset->check(params->value("token"));
  if (!record) return error_page(400, "reset_invalid", language);
  // A transaction of its own holds the token's hash (the token leaves the address bar) and
  // gives the form its CSRF token and browser binding like every other login page.
  Transaction tx;
  tx.language = language;
  tx.step = Step::new_password;
  tx.identity_key = record->identity_key;
  tx.login_name = record->identity_key;
  tx.reset_token_hash = record->token_hash;
  tx.request.client_name = pages_.text(language, "reset_title");
  tx.request.redirect_uri = settings_.issuer + "/account";
  tx.request.skip_consent = true;
  tx.return_to = "/account";
  auto binding_value = cookie_value(request.cookies, kBindingCookie);
  std::string binding =
      binding_value && is_plausible_secret(*binding_value) ? *binding_value : std::string();
  std::string new_binding;
  if (binding.empty()) binding = new_binding = random_.token(32);
  tx.binding_hash = core::sha256_hex(binding);
  auto stored = transactions_.create(std::move(tx));
  if (!stored) return error_page(503, "error_busy", language);
  auto r = redirect(std::string(Paths::kLogin) + "?tx=" + stored->id, 303);
  if (!new_binding.empty())
    r.set_cookies.push_back(std::string(kBindingCookie) + "=" + new_binding +
                            "; Path=/; Secure; HttpOnly; SameSite=Lax");
  return r;
}

Result LoginFlow::render_password_step(const Transaction& tx,
                                       std::vector<std::string> cookies) const {
  const auto lang = tx.language;
  Vars vars{{"tx", tx.id},
            {"csrf", tx.csrf},
            {"client", tx.request.client_name},
            {"notice", tx.notice.empty() ? std::string() : pages_.text(lang, tx.notice)},
            {"login", tx.login_name},
            {"script", ""}};
  std::string page;
  if (tx.step == Step::forgot) {
    page = "forgot";
    vars["title"] = pages_.text(lang, "forgot_title");
  } else {
    page = "password";
    vars["title"] = pages_.text(lang, "new_password_title");
    vars["instructions"] = pages_.text(
        lang, tx.reset_token_hash.empty() ? "new_password_expired" : "new_password_reset");
    vars["rules"] = pages_.text(lang, settings_.password_rules_key);
  }
  Result r;
  r.body = pages_.render(page, lang, std::move(vars));
  r.set_cookies = std::move(cookies);
  return r;
}

}  // namespace twofold::login
