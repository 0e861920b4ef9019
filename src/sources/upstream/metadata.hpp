#pragma once
// The provider's metadata from OpenID Connect Discovery
// (`<issuer>/.well-known/openid-configuration`).
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace twofold::sources::upstream {

struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;  // may be empty when a certificate is configured
  std::vector<std::string> id_token_signing_alg_values_supported;
  std::vector<std::string> token_endpoint_auth_methods_supported;
  std::vector<std::string> code_challenge_methods_supported;
};

std::string discovery_url(std::string_view issuer);

// Parses and checks a discovery document: its issuer must equal `expected_issuer` exactly
// (OpenID Connect Discovery §4.3), endpoints must be https (or http on loopback).
std::variant<ProviderMetadata, std::string> parse_metadata(std::string_view text,
                                                           std::string_view expected_issuer);

}  // namespace twofold::sources::upstream
