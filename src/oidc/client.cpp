#include "oidc/client.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace twofold::oidc {
namespace {
constexpr std::array<std::pair<AuthMethod, std::string_view>, 5> kMethods = {{
    {AuthMethod::client_secret_basic, "client_secret_basic"},
    {AuthMethod::client_secret_post, "client_secret_post"},
    {AuthMethod::client_secret_jwt, "client_secret_jwt"},
    {AuthMethod::private_key_jwt, "private_key_jwt"},
    {AuthMethod::none, "none"},
}};
}  // namespace

std::string_view name_of(AuthMethod m) {
  for (const auto& [method, name] : kMethods)
    if (method == m) return name;
  return "none";
}

std::optional<AuthMethod> parse_auth_method(std::string_view s) {
  for (const auto& [method, name] : kMethods)
    if (name == s) return method;
  return std::nullopt;
}

bool Client::allows_grant(std::string_view grant) const {
  return std::find(grant_types.begin(), grant_types.end(), grant) != grant_types.end();
}

}  // namespace twofold::oidc
