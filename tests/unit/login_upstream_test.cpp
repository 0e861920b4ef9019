// "Sign in with <provider>" through the login flow (R-C4) as pure domain code: the button,
// the redirect to the provider, the callback with a scripted token endpoint, the push as the
// second factor with amr "fed", and every refusal as a clear 4xx page.
#include <gtest/gtest.h>

#include <regex>

#include "core/encoding.hpp"
#include "jose/signing_key.hpp"
#include "login/flow.hpp"
#include "support/login_flow_fixture.hpp"

namespace twofold::login {
namespace {

using nlohmann::json;
namespace up = sources::upstream;

using fakes::Browser;
using fakes::field;
using fakes::kIssuer;

const std::string kIdp = "https://idp.example";

const jose::SigningKey& idp_key() {
  static const auto k = jose::SigningKey::generate(jose::Alg::ES256, "idp-1");
  return k;
}

// The provider's discovery and token endpoints; the token carries `username` and the nonce
// of the authorization request it saw last, and is issued at the time of `clock`.
struct Provider : up::HttpClient {
  explicit Provider(const core::Clock& c) : clock(c) {}
  const core::Clock& clock;
  std::string username{"pushy"};
  std::string nonce;
  json extra = json::object();
  std::variant<up::HttpAnswer, std::string> get(const std::string& url) override {
    EXPECT_EQ(url, kIdp + "/.well-known/openid-configuration");
    return up::HttpAnswer{200, json{{"issuer", kIdp},
                                    {"authorization_endpoint", kIdp + "/auth"},
                                    {"token_endpoint", kIdp + "/token"},
                                    {"jwks_uri", kIdp + "/jwks"}}
                                   .dump()};
  }
  std::variant<up::HttpAnswer, std::string> post_form(const std::string&, const std::string& body,
                                                      const std::vector<std::string>&) override {
    if (body.find("code=good") == std::string::npos)
      return up::HttpAnswer{400, R"({"error":"invalid_grant"})"};
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
    json c{{"iss", kIdp},
           {"sub", "s-1"},
           {"aud", "twofold"},
           {"iat", now},
           {"exp", now + 300},
           {"nonce", nonce},
           {"preferred_username", username},
           {"email", username + "@example.com"}};
    c.update(extra);
    return up::HttpAnswer{200, json{{"id_token", idp_key().sign(c)}}.dump()};
  }
};

std::string query_param(const std::string& url, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(url, m, std::regex("[?&]" + name + "=([^&]*)"))) return "";
  return m[1];
}

// No test here signs in with a password: the fixture's source is never asked.
class LoginUpstreamTest : public fakes::LoginFlowFixture {
 protected:
  LoginUpstreamTest() : LoginFlowFixture(5, "openid") {
    // As before the shared browser: a cleared cookie stays in the jar with its empty value.
    browser.drops_cleared = false;
  }
  Provider provider{clock};  // the ID token's exp/iat are checked against the same clock
  std::unique_ptr<up::Federation> federation;
  std::vector<std::string> created;
  bool create_users{false};
  bool without_factors{false};  // factors_of answers none, and the policy says a password suffices
  std::unique_ptr<UpstreamLogin> upstream;

  void SetUp() override {
    directory.add("pushy");
    app.id = "app";
    app.name = "Shop";
    app.redirect_uris = {"https://app.example/cb"};
    up::FederationSettings s;
    s.display_name = "Example IdP";
    s.issuer = kIdp;
    s.client_id = "twofold";
    s.client_secret = "secret";
    s.redirect_uri = kIssuer + UpstreamPaths::kCallback;
    federation = std::make_unique<up::Federation>(
        s, up::ClaimMapping({"preferred_username", "^([a-z.]+)$", "", ""}), provider,
        [](const std::string&, bool) -> std::variant<std::vector<json>, std::string> {
          return std::vector<json>{idp_key().public_jwk()};
        },
        clock, random);
    rebuild();
  }

  void rebuild() {
    upstream = std::make_unique<UpstreamLogin>(
        UpstreamLogin{*federation,
                      [this](const std::string& key) { return directory.find(key).has_value(); },
                      {}});
    if (create_users)
      upstream->create_user = [this](const std::string& name, const up::Upstream&) {
        created.push_back(name);
        directory.add(name);
        return true;
      };
    LoginPorts ports{find_app(),
                     source,
                     [](const std::string&) { return false; },
                     [this](const std::string&) {
                       return without_factors
                                  ? std::vector<factors::FactorKind>{}
                                  : std::vector<factors::FactorKind>{factors::FactorKind::push};
                     },
                     push,
                     symbols,
                     {},
                     {},
                     codes};
    ports.upstream = upstream.get();
    if (without_factors) ports.password_suffices = [](const std::string&) { return true; };
    flow = std::make_unique<LoginFlow>(FlowSettings{kIssuer}, clock, random, std::move(ports),
                                       transactions, sessions, pages);
  }

  // authorize → identify page; returns the button's URL.
  std::string identify_page() {
    auto r = authorize();
    EXPECT_EQ(r.status, 302);
    auto page = show(query_param(r.location, "tx"));
    std::smatch m;
    EXPECT_TRUE(std::regex_search(page.body, m,
                                  std::regex("href=\"(/login/upstream\\?tx=[^\"]+)\">Sign in with "
                                             "Example IdP</a>")))
        << page.body;
    return m[1];
  }

  // The button, then the provider's authorization URL.
  std::string to_provider() {
    const auto button = identify_page();
    auto r = flow->upstream_start(browser.make(false, button.substr(button.find('?') + 1)));
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_EQ(r.location.rfind(kIdp + "/auth?", 0), 0u) << r.location;
    provider.nonce = query_param(r.location, "nonce");
    return r.location;
  }

  Result callback(const std::string& params) {
    return browser.keep(flow->upstream_callback(browser.make(false, params)));
  }
};

TEST_F(LoginUpstreamTest, SignsInThroughTheProviderThenThePush) {
  const auto auth = to_provider();
  auto r = callback("code=good&state=" + query_param(auth, "state"));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.location.rfind("/login?tx=", 0), 0u);
  auto page = flow->show(browser.make(false, r.location.substr(r.location.find('?') + 1)));
  EXPECT_NE(page.body.find("data:image/png;base64,"), std::string::npos) << page.body;
  auto fetched = std::get<std::vector<authsession::AuthSession>>(push.fetch("pushy"));
  ASSERT_EQ(fetched.size(), 1u);
  const auto& s = fetched.front();
  push.answer("pushy", s.id, authsession::Decision::accept, s.symbol, s.nonce, "dev");
  const auto tx = query_param(r.location, "tx");
  r = flow->submit(
      browser.make(true, "tx=" + tx + "&csrf=" + field(page.body, "csrf") + "&action=push"));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.location.rfind("https://app.example/cb?code=code1", 0), 0u);
  ASSERT_EQ(codes.issued.size(), 1u);
  EXPECT_EQ(codes.issued[0].subject, "pushy");
  const auto& amr = codes.issued[0].amr;
  EXPECT_NE(std::find(amr.begin(), amr.end(), "fed"), amr.end());
  EXPECT_EQ(std::find(amr.begin(), amr.end(), "pwd"), amr.end());
  // The state was single use.
  EXPECT_EQ(callback("code=good&state=" + query_param(auth, "state")).status, 400);
}

// The provider's word replaces the password, never twofold's second factor: a policy under
// which a password alone would do still asks a federated user for a factor.
TEST_F(LoginUpstreamTest, AFederatedSignInAlwaysNeedsASecondFactor) {
  without_factors = true;
  rebuild();
  const auto auth = to_provider();
  auto r = callback("code=good&state=" + query_param(auth, "state"));
  EXPECT_TRUE(codes.issued.empty());
  EXPECT_EQ(r.location.find("app.example"), std::string::npos) << r.location;
  if (r.status == 303)
    r = flow->show(browser.make(false, r.location.substr(r.location.find('?') + 1)));
  EXPECT_NE(r.body.find(pages.text(Language::en, "no_factor")), std::string::npos) << r.body;
  EXPECT_TRUE(codes.issued.empty());
}

TEST_F(LoginUpstreamTest, RefusalsAreClearPages) {
  struct Case {
    std::string params_suffix;
    json extra;
    int status;
    std::string text;
  };
  const std::vector<Case> cases{
      {"&error=access_denied", json::object(), 403, "did not sign you in"},
      {"&code=bad", json::object(), 403, "did not sign you in"},
      {"&code=good", {{"aud", "other"}}, 403, "could not be verified"},
      {"&code=good", {{"iss", "https://evil.example"}}, 403, "could not be verified"},
      {"&code=good", {{"exp", 1000}}, 403, "could not be verified"},
      {"&code=good", {{"nonce", "replayed"}}, 403, "could not be verified"},
      {"&code=good", {{"preferred_username", "Not Mapped!"}}, 403, "cannot be used here"},
      {"&code=good", {{"preferred_username", "stranger"}}, 403, "There is no user here"},
  };
  for (const auto& c : cases) {
    provider.extra = c.extra;
    const auto auth = to_provider();
    auto r = callback("state=" + query_param(auth, "state") + c.params_suffix);
    EXPECT_EQ(r.status, c.status) << c.params_suffix << " " << c.extra.dump();
    EXPECT_NE(r.body.find(c.text), std::string::npos) << c.extra.dump() << r.body;
  }
  EXPECT_EQ(callback("code=good&state=invented").status, 400);
  EXPECT_EQ(callback("code=good").status, 400);
  EXPECT_EQ(callback("%zz").status, 400);
}

TEST_F(LoginUpstreamTest, AnotherBrowserCannotUseTheCallback) {
  const auto auth = to_provider();
  Browser other;
  auto r =
      flow->upstream_callback(other.make(false, "code=good&state=" + query_param(auth, "state")));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("expired or is unknown"), std::string::npos);
}

TEST_F(LoginUpstreamTest, CreatesUnknownUsersOnlyWhenConfigured) {
  provider.username = "newbie";
  auto auth = to_provider();
  EXPECT_EQ(callback("code=good&state=" + query_param(auth, "state")).status, 403);
  EXPECT_TRUE(created.empty());
  create_users = true;
  rebuild();
  auth = to_provider();
  auto r = callback("code=good&state=" + query_param(auth, "state"));
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(created, std::vector<std::string>{"newbie"});
}

TEST_F(LoginUpstreamTest, NoButtonWithoutUpstream) {
  LoginPorts ports{find_app(),
                   source,
                   [](const std::string&) { return false; },
                   [](const std::string&) { return std::vector<factors::FactorKind>{}; },
                   push,
                   symbols,
                   {},
                   {},
                   codes};
  LoginFlow plain(FlowSettings{kIssuer}, clock, random, std::move(ports), transactions, sessions,
                  pages);
  auto r =
      browser.keep(plain.authorize(browser.make(false,
                                                "client_id=app&redirect_uri=https%3A%2F%2Fapp."
                                                "example%2Fcb&response_type=code&scope=openid")));
  auto page = plain.show(browser.make(false, r.location.substr(r.location.find('?') + 1)));
  EXPECT_EQ(page.body.find("/login/upstream"), std::string::npos);
  EXPECT_EQ(plain.upstream_start(browser.make(false, "tx=x")).status, 404);
  EXPECT_EQ(plain.upstream_callback(browser.make(false, "state=x")).status, 404);
}

}  // namespace
}  // namespace twofold::login
