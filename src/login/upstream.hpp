#pragma once
// What the login needs to offer "Sign in with <provider>" (R-C4): the federation (discovery,
// PKCE code flow, ID-token checks, claim mapping) and the local user directory. The steps
// themselves are LoginFlow::upstream_start/upstream_callback (upstream_steps.cpp).
#include <functional>
#include <string>

#include "sources/upstream/federation.hpp"

namespace twofold::login {

struct UpstreamPaths {
  static constexpr const char* kStart = "/login/upstream";              // GET ?tx=…
  static constexpr const char* kCallback = "/login/upstream/callback";  // GET ?code&state | error
};

struct UpstreamLogin {
  sources::upstream::Federation& federation;
  // True when the local ID (its key) exists.
  std::function<bool(const std::string& identity_key)> exists;
  // Creates the local user on its first sign-in (name, email from the claims); empty: users
  // are not created (the default). False when it could not be created.
  std::function<bool(const std::string& name, const sources::upstream::Upstream& upstream)>
      create_user;
};

}  // namespace twofold::login
