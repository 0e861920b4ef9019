// [upstream] (R-C4): parsing, validation with clear errors, render() round trip.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace twofold::config {
namespace {

const char* kGood = R"(
[upstream]
enabled = true
display_name = "Example IdP"
issuer = "https://idp.example"
client_id = "twofold"
client_secret_file = "secret.txt"
token_auth_method = "client_secret_post"
scopes = ["openid", "email"]
claim = "email"
regex = "^([a-z]+)@example\\.com$"
required_claim = "groups"
required_value = "staff"
create_users = true
certificate_file = "idp.pem"
algs = ["ES256"]
timeout_seconds = 3
leeway_seconds = 30
metadata_cache_seconds = 600
jwks_cache_seconds = 60
)";

std::string error_of(const std::string& text) {
  try {
    parse(text, "/a");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string with(const std::string& line, const std::string& issuer = "https://idp.example") {
  return "[upstream]\nenabled = true\nissuer = \"" + issuer +
         "\"\nclient_id = \"twofold\"\nclient_secret_file = \"s\"\n" + line + "\n";
}

TEST(UpstreamConfig, DefaultsAreOff) {
  const auto c = parse("", "/a");
  EXPECT_FALSE(c.upstream.enabled);
  EXPECT_FALSE(c.upstream.create_users);
  EXPECT_EQ(c.upstream.claim, "preferred_username");
}

TEST(UpstreamConfig, EveryKeyIsParsedAndRendersBack) {
  const auto c = parse(kGood, "/a");
  const auto& u = c.upstream;
  EXPECT_TRUE(u.enabled);
  EXPECT_EQ(u.display_name, "Example IdP");
  EXPECT_EQ(u.issuer, "https://idp.example");
  EXPECT_EQ(u.token_auth_method, "client_secret_post");
  EXPECT_EQ(u.regex, "^([a-z]+)@example\\.com$");
  EXPECT_EQ(u.required_value, "staff");
  EXPECT_TRUE(u.create_users);
  EXPECT_EQ(u.algs, std::vector<std::string>{"ES256"});
  EXPECT_EQ(u.jwks_cache_seconds, 60u);
  const auto back = parse(render(c), "/a").upstream;
  EXPECT_EQ(back.regex, u.regex);
  EXPECT_EQ(back.scopes, u.scopes);
  EXPECT_EQ(back.certificate_file, u.certificate_file);
  EXPECT_EQ(back.leeway_seconds, u.leeway_seconds);
}

TEST(UpstreamConfig, ValidationNamesTheSetting) {
  EXPECT_EQ(error_of(with("")), "");
  EXPECT_NE(error_of(with("", "http://idp.example")).find("[upstream] issuer"), std::string::npos);
  EXPECT_EQ(error_of(with("", "http://127.0.0.1:9000")), "");
  EXPECT_NE(error_of(with("algs = [\"HS256\"]")).find("algs"), std::string::npos);
  EXPECT_NE(error_of(with("algs = [\"none\"]")).find("algs"), std::string::npos);
  EXPECT_NE(error_of(with("scopes = [\"email\"]")).find("openid"), std::string::npos);
  EXPECT_NE(error_of(with("token_auth_method = \"private_key_jwt\"")).find("token_auth_method"),
            std::string::npos);
  EXPECT_NE(error_of(with("required_claim = \"groups\"")).find("required_value"),
            std::string::npos);
  EXPECT_NE(error_of(with("timeout_seconds = 0")).find("timeout_seconds"), std::string::npos);
  EXPECT_NE(error_of(with("clientid = \"x\"")).find("clientid"), std::string::npos);
  EXPECT_NE(error_of("[upstream]\nenabled = true\n").find("issuer"), std::string::npos);
}

}  // namespace
}  // namespace twofold::config
