#pragma once
// Signing out (OpenID Connect RP-Initiated Logout 1.0, R-O1): GET or POST /oidc/logout with
// `id_token_hint`, `client_id`, `post_logout_redirect_uri`, `state`, `ui_locales`.
//
// Signing out is global: the browser session ends (its row and its cookie, "stay signed in"
// included) and with it every refresh token bound to it, of every client, and the access
// tokens issued with them (their jtis are denied). Other relying parties are not notified
// (no front- or back-channel logout); their tokens simply stop working.
//
// Against logout CSRF (a foreign page signing the user out) the session ends at once only
// when a valid id_token_hint names it (§2: the OP MUST ask otherwise); else a page asks
// first, and its form carries a token derived from the session cookie's secret.
// post_logout_redirect_uri must exactly match one the client registered, and the client must
// be known from the hint or client_id; otherwise nothing redirects anywhere (an error page).
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "login/flow.hpp"
#include "login/params.hpp"
#include "login/session.hpp"
#include "oidc/client.hpp"
#include "oidc/tokens.hpp"

namespace twofold::login {

struct LogoutPorts {
  std::function<std::optional<oidc::Client>(const std::string& client_id)> find_client;
  // Checks the signature of a token we issued (any published key); nullopt when it does not.
  std::function<std::optional<oidc::VerifiedToken>(std::string_view token)> verify_own_token;
  // Ends the refresh tokens bound to browser session `sid` (oidc::RefreshTokens).
  std::function<void(const std::string& sid)> revoke_session;
};

// A logout request that passed validation.
struct LogoutRequest {
  std::optional<oidc::Client> client;  // from the hint's aud or client_id
  std::string redirect_uri;            // registered for `client`; empty: no redirect
  std::string state;
  std::vector<std::string> ui_locales;
  bool hint{false};  // a valid id_token_hint came with it
  std::string hint_subject, hint_sid;
};

// Checks the parameters. The hint's signature and issuer must be right; its exp is not
// checked (§2: an expired ID token is a fine hint). The reason when the request is refused.
std::variant<LogoutRequest, std::string> validate_logout(const Params& params,
                                                         const LogoutPorts& ports,
                                                         std::string_view issuer);

enum class LogoutAction {
  end_current,       // the hint names the browser's session: end it now
  end_hint_session,  // no session cookie came (e.g. a cross-site POST), the hint names one
  confirm,           // ask the user first (no hint, or it names another session or user)
  nothing,           // no session to end
};
LogoutAction decide_logout(const LogoutRequest& request,
                           const std::optional<BrowserSession>& current);

// The confirm form's token: derived from the session cookie's secret, so only a page that
// could read the cookie's value — none but ours — can post it.
std::string logout_csrf(std::string_view session_secret);

class Logout {
 public:
  Logout(std::string issuer, LogoutPorts ports, Sessions& sessions, const Pages& pages)
      : issuer_(std::move(issuer)), ports_(std::move(ports)), sessions_(sessions), pages_(pages) {}

  // GET or POST /oidc/logout (the relying party's request, or our confirm form).
  Result handle(const BrowserRequest& request);
  // The sign-out error page, for requests refused before handle() (not a form, too large,
  // wrong method): `detail` says why.
  Result refused(int status, Language language, std::string_view detail) const {
    return error(status, language, "error_logout_request", detail);
  }

 private:
  Result confirmed(const BrowserRequest& request, const Params& form);
  Result finish(const LogoutRequest& request, Language language, int redirect_status,
                std::string_view text_key = "logged_out_text");
  Result error(int status, Language language, std::string_view message_key,
               std::string_view detail) const;
  void end(const std::string& sid);

  std::string issuer_;
  LogoutPorts ports_;
  Sessions& sessions_;
  const Pages& pages_;
};

}  // namespace twofold::login
