#include "upstream_wiring.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace twofold::app {
namespace {

std::string read_file(const config::Config& c, const std::string& file, const char* key,
                      bool first_line) {
  const auto path = c.resolve(file);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(std::string("setting [upstream] ") + key + ": cannot read " +
                             path.string());
  std::string text;
  if (first_line) {
    std::getline(in, text);
    if (!text.empty() && text.back() == '\r') text.pop_back();
  } else {
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  if (text.empty())
    throw std::runtime_error(std::string("setting [upstream] ") + key + ": " + path.string() +
                             " is empty");
  return text;
}

sources::upstream::FederationSettings settings_of(const config::Config& c) {
  const auto& u = c.upstream;
  sources::upstream::FederationSettings s;
  s.display_name = u.display_name;
  s.issuer = u.issuer;
  s.client_id = u.client_id;
  s.client_secret = read_file(c, u.client_secret_file, "client_secret_file", true);
  s.token_auth_method = u.token_auth_method;
  s.scopes = u.scopes;
  s.redirect_uri = c.issuer() + login::UpstreamPaths::kCallback;
  if (!u.certificate_file.empty())
    s.certificate_pem = read_file(c, u.certificate_file, "certificate_file", false);
  s.algs = u.algs;
  s.leeway = std::chrono::seconds(u.leeway_seconds);
  s.metadata_ttl = std::chrono::seconds(u.metadata_cache_seconds);
  return s;
}

sources::upstream::ClaimMapping mapping_of(const config::Upstream& u) {
  try {
    return sources::upstream::ClaimMapping({u.claim, u.regex, u.required_claim, u.required_value});
  } catch (const sources::upstream::MappingError& e) {
    throw std::runtime_error(std::string("setting [upstream] regex: ") + e.what());
  }
}

}  // namespace

UpstreamWiring::UpstreamWiring(const config::Config& c, const core::Clock& clock,
                               core::Random& random, identity::Directory& identities,
                               identity::ProfileStore& profiles)
    : http_({std::chrono::seconds(c.upstream.timeout_seconds), 256 * 1024}),
      fetcher_({std::chrono::seconds(c.upstream.timeout_seconds), 64 * 1024}),
      jwks_(fetcher_, clock, std::chrono::seconds(c.upstream.jwks_cache_seconds)) {
  try {
    federation_ = std::make_unique<sources::upstream::Federation>(
        settings_of(c), mapping_of(c.upstream), http_,
        [this](const std::string& uri, bool refresh) { return jwks_.keys(uri, refresh); }, clock,
        random);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("setting [upstream] certificate_file: ") + e.what());
  }
  login::UpstreamLogin port{
      *federation_,
      [&identities](const std::string& key) { return identities.find(key).has_value(); },
      {}};
  if (c.upstream.create_users) {
    port.create_user = [&identities, &profiles, &clock](const std::string& name,
                                                        const sources::upstream::Upstream& up) {
      identity::Identity id;
      id.name = name;
      id.key = identity::key_of(name);
      id.created = clock.now();
      if (!identities.create(id, /*admin_if_first=*/false)) return false;
      identity::Profile profile;
      profile.identity_key = id.key;
      profile.display_name = up.name.substr(0, 255);
      if (identity::is_plausible_email(up.email)) {
        profile.email = up.email;
        const auto v = up.claims.find("email_verified");
        profile.email_verified = v != up.claims.end() && v->is_boolean() && v->get<bool>();
      }
      profile.updated = clock.now();
      profiles.save_profile(profile);
      return true;
    };
  }
  port_ = std::make_unique<login::UpstreamLogin>(std::move(port));
}

std::unique_ptr<UpstreamWiring> make_upstream(const config::Config& config,
                                              const core::Clock& clock, core::Random& random,
                                              identity::Directory& identities,
                                              identity::ProfileStore& profiles) {
  if (!config.upstream.enabled) return nullptr;
  return std::make_unique<UpstreamWiring>(config, clock, random, identities, profiles);
}

}  // namespace twofold::app
