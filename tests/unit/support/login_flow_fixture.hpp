#pragma once
// What the login flow tests (login_flow_test.cpp, login_factors_test.cpp) share: a fake
// credential source and code issuer, a browser (cookie jar and request maker), and a base
// fixture with the real push over in-memory stores and the helpers that drive the flow.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "accesspass/symbol_set.hpp"
#include "login/flow.hpp"
#include "login_fakes.hpp"
#include "memory_ports.hpp"

namespace twofold::fakes {

// The issuer of the login flow tests, and the origin their browser sends.
inline const std::string kIssuer = "https://id.example";

// A credential source where the password is "Secret1": for every ID, or with `only` set, for
// that login alone (exactly as typed). `calls` counts the checks.
class FakeSource final : public sources::CredentialSource {
 public:
  FakeSource() = default;
  explicit FakeSource(std::string only) : only_(std::move(only)) {}
  std::string_view name() const override { return "fake"; }
  sources::Outcome<sources::Authenticated> authenticate(const sources::Credentials& c) override {
    ++calls;
    if (c.password == "Secret1" && (only_.empty() || c.login == only_)) {
      const auto key = identity::key_of(c.login);
      return sources::Authenticated{key, "fake", std::string(c.login)};
    }
    return sources::make_error(sources::Failure::wrong_password, "");
  }
  int calls = 0;

 private:
  std::string only_;
};

// A TOTP factor that accepts the code "123456" only.
class FakeTotp final : public factors::Factor {
 public:
  factors::FactorKind kind() const override { return factors::FactorKind::totp; }
  factors::VerifyResult verify(const std::string&, std::string_view code) override {
    return factors::make_result(
        code == "123456" ? factors::VerifyStatus::ok : factors::VerifyStatus::wrong, "");
  }
};

// Records what it issues codes for; the codes are "code1", "code2", ...
class FakeCodes final : public oidc::CodeIssuer {
 public:
  std::string issue(const oidc::Authorization& a) override {
    issued.push_back(a);
    return "code" + std::to_string(issued.size());
  }
  std::vector<oidc::Authorization> issued;
};

// A browser: a cookie jar and the headers a same-origin form sends.
struct Browser {
  std::map<std::string, std::string> jar;
  std::string origin = kIssuer;
  std::string remote_ip = "192.0.2.1";  // empty: the request carries none
  // True: a cookie cleared with Max-Age=0 leaves the jar (as in a real browser); false: it
  // stays with its empty value.
  bool drops_cleared = true;

  login::BrowserRequest make(bool post, std::string params) const {
    login::BrowserRequest r;
    r.post = post;
    r.params = std::move(params);
    for (const auto& [k, v] : jar) r.cookies += (r.cookies.empty() ? "" : "; ") + k + "=" + v;
    if (post) r.origin = origin;
    r.remote_ip = remote_ip;
    return r;
  }
  login::Result keep(login::Result r) {
    for (const auto& c : r.set_cookies) {
      const auto eq = c.find('=');
      const auto end = c.find(';');
      if (drops_cleared && c.find("Max-Age=0") != std::string::npos)
        jar.erase(c.substr(0, eq));
      else
        jar[c.substr(0, eq)] = c.substr(eq + 1, end - eq - 1);
    }
    return r;
  }
};

// The value of the hidden form field `name` in a page ("" when there is none).
inline std::string field(const std::string& html, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("name=\"" + name + "\" value=\"([^\"]*)\"")))
    return "";
  return m[1];
}

// The base of the login flow fixtures: the real push (auth sessions over memory stores),
// browser sessions and transactions in memory, the client `app`, one browser, and the
// requests it sends. The derived fixture sets up `app` and builds `flow` in its SetUp.
class LoginFlowFixture : public ::testing::Test {
 protected:
  // `seed` for the randomness, `scope` for authorize(), `only_login` for the FakeSource.
  LoginFlowFixture(std::uint64_t seed, std::string scope, std::string only_login = "")
      : random{seed}, source{std::move(only_login)}, scope_{std::move(scope)} {}

  core::ManualClock clock;
  core::SeededRandom random;
  MemoryDirectory directory;
  MemoryStore push_store;
  RecordingListener listener;
  authsession::Service push{{}, clock, random, directory, push_store, listener};
  accesspass::SymbolSet symbols = accesspass::SymbolSet::embedded();
  FakeSource source;
  FakeCodes codes;
  MemorySessions session_store;
  login::Sessions sessions{{}, clock, random, session_store};
  login::Transactions transactions{clock, random, std::chrono::minutes(10)};
  login::Pages pages;
  oidc::Client app;
  std::map<std::string, std::vector<factors::FactorKind>> user_factors;
  std::unique_ptr<login::LoginFlow> flow;
  Browser browser;

  // LoginPorts::find_client: `app` alone.
  auto find_app() {
    return
        [this](const std::string& id) { return id == app.id ? std::optional(app) : std::nullopt; };
  }
  // /authorize of `app` (redirect https://app.example/cb, state st, nonce nn) plus `extra`.
  login::Result authorize(const std::string& extra = "") {
    return browser.keep(flow->authorize(
        browser.make(false,
                     "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code"
                     "&scope=" +
                         scope_ + "&state=st&nonce=nn" + extra)));
  }
  login::Result show(const std::string& tx) {
    return browser.keep(flow->show(browser.make(false, "tx=" + tx)));
  }
  login::Result post(const std::string& form) {
    return browser.keep(flow->submit(browser.make(true, form)));
  }

 private:
  std::string scope_;
};

}  // namespace twofold::fakes
