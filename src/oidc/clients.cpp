#include "oidc/clients.hpp"

#include <algorithm>

#include "core/encoding.hpp"
#include "identity/profile.hpp"

namespace twofold::oidc {
namespace {

constexpr std::string_view kSecretPrefix = "tfs_";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Absolute, no fragment; https, or http only on loopback (native apps, RFC 8252 §7.3).
void check_redirect_uri(const std::string& uri) {
  if (uri.empty() || uri.size() > 2000) throw ClientError("a redirect URI must be 1-2000 chars");
  if (uri.find('#') != std::string::npos)
    throw ClientError("redirect URI " + uri + " must not have a fragment");
  for (char c : uri)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      throw ClientError("redirect URI " + uri + " contains a space or control character");
  if (starts_with(uri, "https://") && uri.size() > 8) return;
  for (std::string_view loopback : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
    if (starts_with(uri, loopback) && (uri.size() == loopback.size() ||
                                       uri[loopback.size()] == ':' || uri[loopback.size()] == '/'))
      return;
  throw ClientError("redirect URI " + uri + " must be https (http only on loopback)");
}

}  // namespace

bool is_registered(const std::vector<std::string>& registered, std::string_view uri) {
  return std::any_of(registered.begin(), registered.end(),
                     [&](const std::string& r) { return r == uri; });
}

Clients::Clients(const core::Clock& clock, core::Random& random, ClientRegistry& registry,
                 std::chrono::milliseconds cache_life)
    : clock_(clock), random_(random), registry_(registry), cache_life_(cache_life) {}

void Clients::validate(const Client& c) const {
  if (c.id.empty() || c.id.size() > 128 || !std::all_of(c.id.begin(), c.id.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
      }))
    throw ClientError("client ids are 1-128 characters of A-Z a-z 0-9 - _ .");
  if (c.name.size() > 200) throw ClientError("the client name is longer than 200 characters");
  for (const auto& uri : c.redirect_uris) check_redirect_uri(uri);
  for (const auto& uri : c.post_logout_redirect_uris) check_redirect_uri(uri);
  static const std::vector<std::string> kGrants = {"authorization_code", "refresh_token",
                                                   "client_credentials"};
  for (const auto& g : c.grant_types)
    if (std::find(kGrants.begin(), kGrants.end(), g) == kGrants.end())
      throw ClientError("unknown grant type " + g +
                        " (authorization_code, refresh_token, client_credentials)");
  for (const auto& s : c.scopes)  // RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E
    if (s.empty() || s.size() > 128 || !std::all_of(s.begin(), s.end(), [](char ch) {
          return ch > 0x20 && ch < 0x7f && ch != '"' && ch != '\\';
        }))
      throw ClientError("scopes are 1-128 printable ASCII characters without space, \" or \\");
  if (c.allows_grant("authorization_code") && c.redirect_uris.empty())
    throw ClientError("the authorization_code grant needs at least one redirect URI");
  if (c.is_public() && c.allows_grant("client_credentials"))
    throw ClientError("a public client (auth method none) cannot use client_credentials");
  for (const auto& alg : {c.id_token_alg, c.access_token_alg})
    if (alg != "RS256" && alg != "ES256") throw ClientError("token algorithms: RS256 or ES256");
  if (c.auth_method == AuthMethod::private_key_jwt && c.jwks.empty() && c.jwks_uri.empty())
    throw ClientError("private_key_jwt needs the client's JWKS (inline or by URI)");
  if (!c.jwks_uri.empty() && !starts_with(c.jwks_uri, "https://") &&
      !starts_with(c.jwks_uri, "http://127.0.0.1"))
    throw ClientError("jwks_uri must be https");
  if (c.roles.size() > 32) throw ClientError("a client has at most 32 roles");
  for (const auto& r : c.roles)
    if (!identity::is_valid_role(r))
      throw ClientError("role names are 1-64 characters of A-Z a-z 0-9 . _ - : /");
}

NewClient Clients::create(Client client) {
  if (client.id.empty()) client.id = random_.hex(16);
  if (client.name.empty()) client.name = client.id;
  validate(client);
  NewClient out;
  if (!client.is_public() && client.auth_method != AuthMethod::private_key_jwt) {
    out.secret = std::string(kSecretPrefix) + random_.token(32);
    client.secret_hash = core::sha256_hex(out.secret);
  }
  client.created = clock_.now();
  if (!registry_.add(client))
    throw ClientError("the client id " + client.id + " is taken", ClientError::Reason::taken);
  out.client = std::move(client);
  return out;
}

void Clients::update(const Client& client) {
  auto current = registry_.find(client.id);
  if (!current) throw ClientError("no client " + client.id, ClientError::Reason::unknown);
  Client next = client;
  next.secret_hash = current->secret_hash;
  next.created = current->created;
  validate(next);
  if (!registry_.update(next))
    throw ClientError("no client " + client.id, ClientError::Reason::unknown);
  forget(client.id);
}

std::string Clients::rotate_secret(const std::string& id) {
  auto current = registry_.find(id);
  if (!current) throw ClientError("no client " + id, ClientError::Reason::unknown);
  if (current->is_public() || current->auth_method == AuthMethod::private_key_jwt)
    throw ClientError("the client " + id + " authenticates without a secret");
  const std::string secret = std::string(kSecretPrefix) + random_.token(32);
  current->secret_hash = core::sha256_hex(secret);
  if (!registry_.update(*current))
    throw ClientError("no client " + id, ClientError::Reason::unknown);
  forget(id);
  return secret;
}

bool Clients::remove(const std::string& id) {
  forget(id);
  return registry_.remove(id);
}

void Clients::forget(const std::string& id) {
  std::lock_guard lock(mutex_);
  cache_.erase(id);
}

std::optional<Client> Clients::find(const std::string& id) {
  const auto now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(id);
    if (it != cache_.end() && now < it->second.second) return it->second.first;
  }
  auto found = registry_.find(id);  // misses are not cached: nothing to keep
  std::lock_guard lock(mutex_);
  if (!found) {
    cache_.erase(id);
    return std::nullopt;
  }
  if (cache_.size() > 10000) cache_.clear();  // bounded; clients are few in practice
  cache_[id] = {*found, now + cache_life_};
  return found;
}

bool Clients::secret_matches(const Client& client, std::string_view secret) const {
  if (client.secret_hash.empty() || secret.empty()) return false;
  return core::secure_equals(core::sha256_hex(secret), client.secret_hash);
}

}  // namespace twofold::oidc
