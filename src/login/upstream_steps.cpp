// "Sign in with <provider>" (R-C4): GET /login/upstream?tx=… sends the browser to the upstream
// provider; GET /login/upstream/callback takes its answer, and a mapped, existing (or created)
// local user continues to the second factor exactly as after a password (amr "fed"). Every
// failure is a clear page (4xx) or, when the provider cannot be reached, the identify page
// with a notice so the password still works.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "identity/identity.hpp"
#include "login/flow.hpp"
#include "login/html.hpp"

namespace twofold::login {
namespace {

using sources::upstream::FailureKind;

std::string replace_name(std::string text, const std::string& name) {
  const auto at = text.find("{name}");
  if (at != std::string::npos) text.replace(at, 6, name);
  return text;
}

}  // namespace

void LoginFlow::upstream_button(Vars& vars, const Transaction& tx) const {
  vars["upstream_url"] = "";  // the template's section is left out
  vars["upstream_label"] = "";
  if (!ports_.upstream) return;
  vars["upstream_url"] = std::string(UpstreamPaths::kStart) + "?tx=" + tx.id;
  vars["upstream_label"] = replace_name(pages_.text(tx.language, "upstream_button"),
                                        ports_.upstream->federation.settings().display_name);
}

Result LoginFlow::upstream_start(const BrowserRequest& request) {
  const auto fallback = language_of(request);
  if (!ports_.upstream) return error_page(404, "error_not_found", fallback);
  const auto params = parse_params(request.params);
  if (!params) return error_page(400, "error_bad_request", fallback, "malformed parameters");
  auto tx = load(*params, request);
  if (!tx) return error_page(400, "error_expired", fallback);
  if (tx->step != Step::identify)
    return redirect(std::string(Paths::kLogin) + "?tx=" + tx->id, 303);
  auto started = ports_.upstream->federation.start(tx->id);
  if (auto* failure = std::get_if<sources::upstream::Failure>(&started)) {
    spdlog::warn("upstream sign-in cannot start: {}", failure->message);
    tx->notice = "upstream_unavailable";
    return again(*tx);
  }
  return redirect(std::get<std::string>(started), 303);
}

Result LoginFlow::upstream_callback(const BrowserRequest& request) {
  const auto fallback = language_of(request);
  if (!ports_.upstream) return error_page(404, "error_not_found", fallback);
  auto& up = *ports_.upstream;
  const auto params = parse_params(request.params);
  if (!params) return error_page(400, "error_bad_request", fallback, "malformed parameters");
  const auto state = params->value("state");
  // The state names this browser's pending sign-in; it is single use.
  auto pending = state.empty() || state.size() > 128 ? std::nullopt : up.federation.take(state);
  if (!pending) return error_page(400, "error_upstream_state", fallback, "unknown or used state");
  auto tx = load(Params({{"tx", pending->tx_id}}), request);
  if (!tx) return error_page(400, "error_expired", fallback, "the sign-in is not this browser's");
  const auto lang = tx->language;
  if (tx->step != Step::identify)
    return redirect(std::string(Paths::kLogin) + "?tx=" + tx->id, 303);

  if (params->get("error")) {
    const auto error = params->value("error").substr(0, 64);
    spdlog::info("upstream sign-in: the provider answered error={}", error);
    return error_page(403, "error_upstream_refused", lang, "error=" + error);
  }
  auto outcome = up.federation.finish(*pending, params->value("code"));
  if (auto* failure = std::get_if<sources::upstream::Failure>(&outcome)) {
    spdlog::warn("upstream sign-in refused: {}{}{}", failure->message,
                 failure->refusal ? " — " : "",
                 failure->refusal ? sources::upstream::refusal_name(*failure->refusal) : "");
    switch (failure->kind) {
      case FailureKind::unavailable:
        return error_page(400, "error_upstream_unavailable", lang, failure->message);
      case FailureKind::provider_error:
        return error_page(403, "error_upstream_refused", lang, failure->message);
      case FailureKind::token_refused:
        return error_page(403, "error_upstream_token", lang, failure->message);
      case FailureKind::not_mapped:
        return error_page(403, "error_upstream_unmapped", lang, failure->message);
    }
  }
  const auto& user = std::get<sources::upstream::Upstream>(outcome);
  if (!identity::is_valid_name(user.local_id))
    return error_page(403, "error_upstream_unmapped", lang, "the mapped ID is not a valid ID");
  const auto key = identity::key_of(user.local_id);
  if (!up.exists(key)) {
    if (!up.create_user)
      return error_page(403, "error_upstream_unknown_user", lang, "ID " + user.local_id);
    if (!up.create_user(user.local_id, user) || !up.exists(key))
      return error_page(403, "error_upstream_unknown_user", lang,
                        "ID " + user.local_id + " could not be created");
    spdlog::info("upstream sign-in created the ID {}", user.local_id);
  }
  if (!is_active(key)) return error_page(403, "account_inactive", lang);
  tx->identity_key = key;
  tx->login_name = user.local_id;
  tx->stay_signed_in = false;
  if (std::find(tx->amr.begin(), tx->amr.end(), "fed") == tx->amr.end())
    tx->amr.emplace_back("fed");
  return choose_factors(std::move(*tx), false, request);
}

}  // namespace twofold::login
