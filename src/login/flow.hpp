#pragma once
// The browser login (R-O6): /oidc/authorize → login pages (ID and password, then the second
// factor the user has and the policy allows) → a code for the client, or straight to the code
// when the browser already has a session (single sign-on). Pure domain code: the HTTP edge
// (apps/twofoldd/login_routes) hands in the request's parts and sends back the Result.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "accesspass/symbol_set.hpp"
#include "authsession/service.hpp"
#include "core/clock.hpp"
#include "factors/factor.hpp"
#include "login/pages.hpp"
#include "login/session.hpp"
#include "login/transaction.hpp"
#include "login/upstream.hpp"
#include "oidc/grant.hpp"
#include "regulation/session_rate.hpp"
#include "regulation/throttle.hpp"
#include "sources/source.hpp"

namespace twofold::login {

struct Paths {
  static constexpr const char* kAuthorize = "/oidc/authorize";
  static constexpr const char* kLogin = "/login";
  static constexpr const char* kStatus = "/login/status";
  static constexpr const char* kStatic = "/static/";
};

// The parts of an HTTP request the login looks at.
struct BrowserRequest {
  bool post{false};
  std::string params;  // the query (GET) or the form body (POST)
  std::string cookies;
  std::string accept_language;
  std::string origin;
  std::string sec_fetch_site;
  std::string remote_ip;
};

struct Result {
  int status{200};
  std::string content_type{"text/html; charset=utf-8"};
  std::string body;
  std::string location;  // for 302/303
  std::vector<std::string> set_cookies;
};

// How sending an email code went (the page says so; a failure is a notice, never a 5xx).
enum class EmailSend { sent, too_soon, failed };

// "Remember this browser" after a good email code (R-F2): a signed cookie per user that
// stands in for the email code until it expires. Empty functions: not offered.
struct RememberPort {
  std::function<std::string(const std::string& identity_key)> issue;  // the cookie value
  std::function<bool(std::string_view value, const std::string& identity_key)> verify;
  std::chrono::seconds max_age{0};
};

inline constexpr std::string_view kRememberCookie = "__Host-twofold_remember";

// What the login needs from the rest of twofold.
struct LoginPorts {
  std::function<std::optional<oidc::Client>(const std::string& client_id)> find_client;
  sources::CredentialSource& credentials;
  // True when the ID exists and signs in without a password (push only).
  std::function<bool(const std::string& identity_key)> is_push_only;
  // The second factors the ID has set up (push: an enrolled device, totp: a confirmed secret…).
  std::function<std::vector<factors::FactorKind>(const std::string& identity_key)> factors_of;
  authsession::Service& push;
  const accesspass::SymbolSet& symbols;
  // Factors proven by a typed code (TOTP, email code); absent kinds are not offered.
  std::map<factors::FactorKind, factors::Factor*> code_factors;
  // The email code's challenge (sends the mail); empty: the email code is not offered.
  std::function<EmailSend(const std::string& identity_key, Language language)> send_email_code;
  oidc::CodeIssuer& codes;
  oidc::UserDirectory* users{nullptr};  // null: every known ID counts as active
  // Regulation (R-P1, R-P5); null: not enforced.
  regulation::Throttle* throttle{nullptr};
  regulation::SessionRate* session_rate{nullptr};
  // The browser's device cookie (regulation/throttle.hpp): its id when it is valid for this
  // ID, else empty; and the Set-Cookie value of a new one after a sign-in. Both optional.
  std::function<std::string(const BrowserRequest&, const std::string& identity_key)> device_of;
  std::function<std::string(const std::string& identity_key)> device_cookie;
  UpstreamLogin* upstream{nullptr};  // "Sign in with <provider>" (R-C4); null: not offered
  RememberPort remember{};
  // True when the policy does not require a second factor of this ID (seed 003's scope
  // "admins" and skip list): with no factor set up, the password alone signs it in.
  std::function<bool(const std::string& identity_key)> password_suffices{};
  // R-P2: false only when the ID's credential source says for sure that the user is gone
  // (e.g. the LDAP entry was deleted); a source that cannot be asked answers true. Asked
  // at single sign-on once per FlowSettings::validity_check and session. Empty: not asked.
  std::function<bool(const std::string& identity_key)> still_valid{};
};

struct FlowSettings {
  std::string issuer;  // https://host[:port], no trailing slash
  std::vector<factors::FactorKind> factor_order{
      factors::FactorKind::push, factors::FactorKind::totp, factors::FactorKind::email_code};
  int max_failures{5};                      // wrong passwords or codes per transaction
  std::chrono::minutes validity_check{20};  // R-P2: how often LoginPorts::still_valid is asked
};

inline constexpr std::string_view kAcrTwoFactor = "urn:twofold:acr:2fa";
inline constexpr std::string_view kAcrOneFactor = "urn:twofold:acr:1fa";
// A session from the password alone of an ID without any second factor, made only so that
// the user can set one up on /account: never used for single sign-on into applications.
inline constexpr std::string_view kAcrSetupOnly = "urn:twofold:acr:setup";

class LoginFlow {
 public:
  LoginFlow(FlowSettings settings, const core::Clock& clock, core::Random& random, LoginPorts ports,
            Transactions& transactions, Sessions& sessions, const Pages& pages)
      : settings_(std::move(settings)),
        clock_(clock),
        random_(random),
        ports_(std::move(ports)),
        transactions_(transactions),
        sessions_(sessions),
        pages_(pages) {}

  Result authorize(const BrowserRequest& request);  // GET or POST /oidc/authorize
  Result show(const BrowserRequest& request);       // GET /login?tx=…
  Result submit(const BrowserRequest& request);     // POST /login
  Result status(const BrowserRequest& request);     // GET /login/status?tx=… (JSON)
  // A sign-in for twofold's own pages (e.g. /account): no client, no code; the browser
  // returns to `return_to` (a local path) with a new session. `title` names the target.
  Result sign_in_for(const BrowserRequest& request, std::string return_to,
                     std::string_view title_key);
  Result error_page(int status, std::string_view message_key, Language language,
                    std::string_view detail = {}) const;
  Language language_of(const BrowserRequest& request) const;

  // "Sign in with <provider>" (R-C4, upstream_steps.cpp): GET /login/upstream?tx=… and
  // GET /login/upstream/callback.
  Result upstream_start(const BrowserRequest& request);
  Result upstream_callback(const BrowserRequest& request);

 private:
  // flow.cpp
  Result render(const Transaction& tx, std::vector<std::string> cookies = {}) const;
  Result finish(Transaction tx, const BrowserRequest& request, int redirect_status,
                std::vector<std::string> extra_cookies = {});
  Result issue_code(const AuthorizeRequest& request, const BrowserSession& session,
                    int redirect_status, std::vector<std::string> cookies);
  std::optional<Transaction> load(const Params& params, const BrowserRequest& request) const;
  bool is_active(const std::string& identity_key) const;
  bool still_valid(const BrowserSession& session);  // R-P2, at most once per interval
  // flow_steps.cpp
  Result identify(Transaction tx, const Params& form, const BrowserRequest& request);
  Result start_factor(Transaction tx, factors::FactorKind kind, const BrowserRequest& request);
  Result push_continue(Transaction tx, const BrowserRequest& request);
  Result check_code(Transaction tx, const Params& form, const BrowserRequest& request);
  Result fail(Transaction tx, std::string notice);
  // After the first factor (password, or an upstream provider): on to the second factor.
  Result choose_factors(Transaction tx, bool push_only, const BrowserRequest& request);
  // upstream_steps.cpp
  void upstream_button(Vars& vars, const Transaction& tx) const;
  regulation::Attempt attempt_of(const BrowserRequest& request, const std::string& key) const;
  bool held(const regulation::Attempt& attempt);  // throttled (R-P5)
  void failed(const regulation::Attempt& attempt);
  Result again(Transaction& tx);  // stores tx, 303 back to its page

  FlowSettings settings_;
  const core::Clock& clock_;
  core::Random& random_;
  LoginPorts ports_;
  Transactions& transactions_;
  Sessions& sessions_;
  const Pages& pages_;
  // When each session's user was last found valid (R-P2), by sid. In memory: after a restart
  // (or on another instance) a session is checked again at its next use.
  std::mutex checked_mutex_;
  std::unordered_map<std::string, core::TimePoint> checked_;
};

// Set-Cookie of "remember this browser": __Host- prefix, Secure, HttpOnly, SameSite=Lax.
std::string remember_cookie(std::string_view value, std::chrono::seconds max_age);

Result redirect(std::string location, int status = 302);

}  // namespace twofold::login
