// [upstream] (R-C4, seed 002): signing in through an upstream OpenID provider. Parsing,
// validation with errors that name the setting, and the commented block `twofold setup` writes.
#include <sstream>

#include "config/table_reader.hpp"

namespace twofold::config::detail {
namespace {

void check(bool ok, const std::string& message) {
  require(ok, "setting [upstream] " + message);
}

bool starts_with(const std::string& s, std::string_view p) {
  return s.rfind(p, 0) == 0;
}

// https://…, or http:// to a loopback host (tests, a provider on the same machine).
bool allowed_issuer(const std::string& s) {
  if (starts_with(s, "https://") && s.size() > 8) return true;
  for (std::string_view loopback : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
    if (starts_with(s, loopback) &&
        (s.size() == loopback.size() || s[loopback.size()] == ':' || s[loopback.size()] == '/'))
      return true;
  return false;
}

std::string list(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + quoted(s);
  return "[" + out + "]";
}

void validate(const Upstream& u) {
  if (!u.enabled) return;
  check(!u.display_name.empty() && u.display_name.size() <= 64,
          "display_name must be 1..64 characters");
  check(allowed_issuer(u.issuer),
          "issuer must be an https:// URL (http:// only on 127.0.0.1/localhost), got \"" +
              u.issuer + "\"");
  check(u.issuer.find_first_of(" \t?#") == std::string::npos,
          "issuer must not contain spaces, a query or a fragment");
  check(!u.client_id.empty(), "client_id must be set");
  check(!u.client_secret_file.empty(), "client_secret_file must be set");
  check(
      u.token_auth_method == "client_secret_basic" || u.token_auth_method == "client_secret_post",
      "token_auth_method must be client_secret_basic or client_secret_post");
  bool openid = false;
  for (const auto& s : u.scopes) {
    check(!s.empty() && s.find_first_of(" \t\"\\") == std::string::npos,
            "scopes: \"" + s + "\" is not a scope");
    openid = openid || s == "openid";
  }
  check(openid, "scopes must contain \"openid\"");
  check(!u.claim.empty(), "claim must be set (e.g. \"preferred_username\" or \"email\")");
  check(!u.regex.empty(), "regex must not be empty");
  check(u.required_claim.empty() == u.required_value.empty(),
          "required_claim and required_value go together");
  check(!u.algs.empty(), "algs must name at least one algorithm");
  for (const auto& a : u.algs)
    check(a == "RS256" || a == "ES256",
            "algs: \"" + a + "\" is not allowed (only the asymmetric RS256 and ES256)");
  check(u.timeout_seconds >= 1 && u.timeout_seconds <= 60, "timeout_seconds must be 1..60");
  check(u.leeway_seconds <= 600, "leeway_seconds must be 0..600");
  check(u.metadata_cache_seconds >= 10 && u.metadata_cache_seconds <= 86400,
          "metadata_cache_seconds must be 10..86400");
  check(u.jwks_cache_seconds >= 10 && u.jwks_cache_seconds <= 86400,
          "jwks_cache_seconds must be 10..86400");
}

}  // namespace

void parse_upstream(const toml::table& root, Config& c) {
  auto& u = c.upstream;
  TableReader t(root["upstream"].as_table(), "upstream");
  t.read("enabled", u.enabled);
  t.read("display_name", u.display_name);
  t.read("issuer", u.issuer);
  t.read("client_id", u.client_id);
  t.read("client_secret_file", u.client_secret_file);
  t.read("token_auth_method", u.token_auth_method);
  t.read("scopes", u.scopes);
  t.read("claim", u.claim);
  t.read("regex", u.regex);
  t.read("required_claim", u.required_claim);
  t.read("required_value", u.required_value);
  t.read("create_users", u.create_users);
  t.read("certificate_file", u.certificate_file);
  t.read("algs", u.algs);
  t.read("timeout_seconds", u.timeout_seconds);
  t.read("leeway_seconds", u.leeway_seconds);
  t.read("metadata_cache_seconds", u.metadata_cache_seconds);
  t.read("jwks_cache_seconds", u.jwks_cache_seconds);
  t.finish();
  validate(u);
}

std::string render_upstream(const Config& c) {
  const auto& u = c.upstream;
  std::ostringstream o;
  o << "\n[upstream]\n"
    << "# Sign in through an upstream OpenID provider (a \"Sign in with …\" button on the\n"
    << "# login page); the second factor is still required afterwards.\n"
    << "enabled = " << boolean(u.enabled) << "\n"
    << "display_name = " << quoted(u.display_name) << "\n"
    << "# Exactly as the provider writes it in \"iss\"; discovery uses\n"
    << "# <issuer>/.well-known/openid-configuration.\n"
    << "issuer = " << quoted(u.issuer) << "\n"
    << "client_id = " << quoted(u.client_id) << "\n"
    << "# File whose first line is the client secret.\n"
    << "client_secret_file = " << quoted(u.client_secret_file) << "\n"
    << "# client_secret_basic or client_secret_post.\n"
    << "token_auth_method = " << quoted(u.token_auth_method) << "\n"
    << "scopes = " << list(u.scopes) << "\n"
    << "# The claim naming the local ID and a PCRE2 regex; its first group (or the whole\n"
    << "# match) is the ID, e.g. claim = \"email\", regex = \"^([^@]+)@example\\\\.com$\".\n"
    << "claim = " << quoted(u.claim) << "\n"
    << "regex = " << quoted(u.regex) << "\n"
    << "# Optional: a claim that must equal (or, for a list, contain) a value, e.g. groups/staff.\n"
    << "required_claim = " << quoted(u.required_claim) << "\n"
    << "required_value = " << quoted(u.required_value) << "\n"
    << "# Create unknown users on their first sign-in (email and name from the claims).\n"
    << "create_users = " << boolean(u.create_users) << "\n"
    << "# PEM certificate or public key checking the ID tokens instead of the provider's JWKS.\n"
    << "certificate_file = " << quoted(u.certificate_file) << "\n"
    << "# Accepted ID-token algorithms (asymmetric only).\n"
    << "algs = " << list(u.algs) << "\n"
    << "timeout_seconds = " << u.timeout_seconds << "\n"
    << "leeway_seconds = " << u.leeway_seconds << "\n"
    << "metadata_cache_seconds = " << u.metadata_cache_seconds << "\n"
    << "jwks_cache_seconds = " << u.jwks_cache_seconds << "\n";
  return o.str();
}

}  // namespace twofold::config::detail
