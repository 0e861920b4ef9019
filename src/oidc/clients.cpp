#include "oidc/clients.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/encoding.hpp"
#include "core/url_rule.hpp"
#include "identity/profile.hpp"

namespace twofold::oidc {
namespace {

constexpr std::string_view kSecretPrefix = "tfs_";

// Absolute, no fragment; https, or http only on loopback (native apps, RFC 8252 §7.3).
void check_redirect_uri(const std::string& uri) {
  if (uri.empty() || uri.size() > 2000) throw ClientError("a redirect URI must be 1-2000 chars");
  if (uri.find('#') != std::string::npos)
    throw ClientError("redirect URI " + uri + " must not have a fragment");
  for (char c : uri)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      throw ClientError("redirect URI " + uri + " contains a space or control character");
  if (!core::is_https_or_loopback(uri))
    throw ClientError("redirect URI " + uri + " must be https (http only on loopback)");
}

}  // namespace

bool is_registered(const std::vector<std::string>& registered, std::string_view uri) {
  return std::any_of(registered.begin(), registered.end(),
                     [&](const std::string& r) { return r == uri; });
}

Clients::Clients(const core::Clock& clock, core::Random& random, ClientRegistry& registry,
                 std::chrono::milliseconds cache_life, const crypto::SecretBox* box)
    : clock_(clock), random_(random), registry_(registry), cache_life_(cache_life), box_(box) {}

std::string Clients::new_secret(Client& client) {
  std::string secret = std::string(kSecretPrefix) + random_.token(32);
  client.secret_hash = core::sha256_hex(secret);
  client.secret_sealed.clear();
  if (client.auth_method == AuthMethod::client_secret_jwt) {
    if (!box_) throw ClientError("client_secret_jwt needs the server's secret box key");
    client.secret_sealed = box_->seal_text(secret);
  }
  return secret;
}

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
  if (!c.jwks_uri.empty() && !core::is_fetchable_url(c.jwks_uri))
    throw ClientError("jwks_uri must be https (http only on loopback), without a fragment");
  if (!c.jwks.empty()) {
    const auto set = nlohmann::json::parse(c.jwks, nullptr, /*allow_exceptions=*/false);
    if (!set.is_object() || !set.contains("keys") || !set["keys"].is_array() || set["keys"].empty())
      throw ClientError("the JWKS must be a JSON object with a non-empty \"keys\" array");
    for (const auto& key : set["keys"])
      if (key.contains("d") || key.contains("k"))
        throw ClientError("the JWKS must hold public keys only");
  }
  if (!c.jwks.empty() && !c.jwks_uri.empty())
    throw ClientError("give the JWKS inline or by URI, not both");
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
  client.secret_hash.clear();
  client.secret_sealed.clear();
  if (!client.is_public() && client.auth_method != AuthMethod::private_key_jwt)
    out.secret = new_secret(client);
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
  // A secret becomes recoverable only through rotate-secret (it is stored hashed before).
  next.secret_sealed =
      next.auth_method == AuthMethod::client_secret_jwt ? current->secret_sealed : std::string();
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
  const std::string secret = new_secret(*current);
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

std::optional<std::string> Clients::shared_secret(const Client& client) const {
  if (client.auth_method != AuthMethod::client_secret_jwt || client.secret_sealed.empty() || !box_)
    return std::nullopt;
  auto secret = box_->open_text(client.secret_sealed);
  // The sealed copy must belong to the current secret (the hash is the reference).
  if (!secret || !core::secure_equals(core::sha256_hex(*secret), client.secret_hash))
    return std::nullopt;
  return secret;
}

}  // namespace twofold::oidc
