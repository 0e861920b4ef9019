#pragma once
// [upstream] (R-C4): the federation with its libcurl clients, the provider's JWKS cache and
// the login port ("Sign in with <provider>"), built from the configuration.
#include <memory>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "identity/identity.hpp"
#include "identity/profile.hpp"
#include "jose/remote_jwks.hpp"
#include "login/upstream.hpp"

namespace twofold::app {

class UpstreamWiring {
 public:
  // Throws std::runtime_error naming the setting when the secret or certificate file cannot
  // be read or the regex does not compile.
  UpstreamWiring(const config::Config& config, const core::Clock& clock, core::Random& random,
                 identity::Directory& identities, identity::ProfileStore& profiles);
  login::UpstreamLogin& port() { return *port_; }

 private:
  sources::upstream::CurlHttpClient http_;
  jose::CurlJwksFetcher fetcher_;
  jose::RemoteJwks jwks_;
  std::unique_ptr<sources::upstream::Federation> federation_;
  std::unique_ptr<login::UpstreamLogin> port_;
};

// Null when [upstream] is not enabled.
std::unique_ptr<UpstreamWiring> make_upstream(const config::Config& config,
                                              const core::Clock& clock, core::Random& random,
                                              identity::Directory& identities,
                                              identity::ProfileStore& profiles);

}  // namespace twofold::app
