#pragma once
// The account page (/account, R-F3): a signed-in user sets up an authenticator app (TOTP:
// QR code and typed secret, confirmed by the first code) or removes it, proving the removal
// with a current code or the password. It rides on the browser session of the login; a
// browser without one signs in first (LoginFlow::sign_in_for) and comes back. Forms carry
// a CSRF token derived from the session's secret hash and pass the same-origin check.
// Wrong codes or passwords are counted per session: the fifth ends the session, so a stolen
// session cookie cannot be used to guess the password or a code.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "factors/totp/totp.hpp"
#include "login/flow.hpp"

namespace twofold::login {

struct AccountPorts {
  // The ID's name as the user types it (for the app's label and the password check).
  std::function<std::string(const std::string& identity_key)> login_name;
  sources::CredentialSource& credentials;
  factors::totp::TotpFactor* totp{nullptr};  // null: TOTP is switched off
  oidc::UserDirectory* users{nullptr};       // null: every known ID counts as active
};

class AccountPage {
 public:
  static constexpr const char* kPath = "/account";
  static constexpr int kMaxFailures = 5;

  AccountPage(std::string issuer, AccountPorts ports, Sessions& sessions, LoginFlow& flow,
              const Pages& pages)
      : issuer_(std::move(issuer)),
        ports_(std::move(ports)),
        sessions_(sessions),
        flow_(flow),
        pages_(pages) {}

  Result show(const BrowserRequest& request);    // GET /account
  Result submit(const BrowserRequest& request);  // POST /account (action=begin|confirm|remove)

 private:
  struct Visitor {
    BrowserSession session;
    std::vector<std::string> cookies;  // a rotated session secret
  };
  std::optional<Visitor> visitor(const BrowserRequest& request);
  Result render(const Visitor& v, Language language, std::string_view notice, int status = 200);
  bool proves_owner(const Visitor& v, const std::string& proof);
  // Counts a wrong code or password; true when it was the last one allowed (session ended).
  bool count_failure(const Visitor& v);

  std::string issuer_;
  AccountPorts ports_;
  Sessions& sessions_;
  LoginFlow& flow_;
  const Pages& pages_;
  std::mutex mutex_;
  std::map<std::string, int> failures_;  // by session sid; dropped with the session
};

// The account forms' CSRF token for a session: not guessable without the session cookie.
std::string account_csrf(const BrowserSession& session);

}  // namespace twofold::login
