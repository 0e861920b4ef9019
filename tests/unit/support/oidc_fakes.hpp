#pragma once
// In-memory ports of the OpenID Connect provider for unit tests: client registry, grant
// store, user directory, and a stand-in JWT signer/verifier (header.claims.checksum, so a
// changed header or payload no longer verifies; the real cjose signing is tested in jose_test
// and end to end in tests/integration).
#include <map>
#include <set>

#include "core/encoding.hpp"
#include "oidc/client.hpp"
#include "oidc/grant_ports.hpp"
#include "oidc/tokens.hpp"

namespace twofold::fakes {

// `reads` counts the finds (for the tests of the client cache).
class MemoryClientRegistry final : public oidc::ClientRegistry {
 public:
  bool add(const oidc::Client& c) override { return clients.emplace(c.id, c).second; }
  std::optional<oidc::Client> find(const std::string& id) override {
    ++reads;
    auto it = clients.find(id);
    if (it == clients.end()) return std::nullopt;
    return it->second;
  }
  bool update(const oidc::Client& c) override {
    if (!clients.count(c.id)) return false;
    clients[c.id] = c;
    return true;
  }
  bool remove(const std::string& id) override { return clients.erase(id) > 0; }
  std::vector<oidc::Client> list() override {
    std::vector<oidc::Client> out;
    for (const auto& [_, c] : clients) out.push_back(c);
    return out;
  }
  std::map<std::string, oidc::Client> clients;
  int reads = 0;
};

class FakeJwt final : public oidc::TokenSigner, public oidc::TokenVerifier {
 public:
  std::string sign(const nlohmann::json& claims, std::string_view alg,
                   std::string_view typ) override {
    last_alg = alg;
    const nlohmann::json header = {{"alg", alg}, {"typ", typ}};
    const std::string body =
        core::base64url_encode(header.dump()) + "." + core::base64url_encode(claims.dump());
    return body + "." + core::sha256_hex(body).substr(0, 16);
  }
  std::optional<oidc::VerifiedToken> verify(std::string_view token) override {
    const auto first = token.find('.'), last = token.rfind('.');
    if (first == std::string_view::npos || first == last) return std::nullopt;
    const std::string body(token.substr(0, last));
    if (token.substr(last + 1) != core::sha256_hex(body).substr(0, 16)) return std::nullopt;
    auto header = core::base64url_decode(token.substr(0, first));
    auto claims = core::base64url_decode(token.substr(first + 1, last - first - 1));
    if (!header || !claims) return std::nullopt;
    return oidc::VerifiedToken{nlohmann::json::parse(*header), nlohmann::json::parse(*claims)};
  }
  // The parts of a token this signer made.
  static nlohmann::json claims_of(std::string_view token) {
    const auto first = token.find('.'), last = token.rfind('.');
    return nlohmann::json::parse(
        *core::base64url_decode(token.substr(first + 1, last - first - 1)));
  }
  static nlohmann::json header_of(std::string_view token) {
    return nlohmann::json::parse(*core::base64url_decode(token.substr(0, token.find('.'))));
  }
  std::string last_alg;
};

class MemoryGrantStore final : public oidc::GrantStore {
 public:
  void save_code(const std::string& hash, const oidc::Authorization& a,
                 core::TimePoint expires) override {
    codes[hash] = {a, expires, std::nullopt};
  }
  std::optional<oidc::StoredCode> redeem_code(const std::string& hash,
                                              core::TimePoint now) override {
    auto it = codes.find(hash);
    if (it == codes.end()) return std::nullopt;
    auto before = it->second;
    if (!it->second.redeemed) it->second.redeemed = now;
    return before;
  }
  void save_refresh(const oidc::RefreshRecord& r) override { refresh[r.hash] = r; }
  std::optional<oidc::RefreshRecord> find_refresh(const std::string& hash) override {
    auto it = refresh.find(hash);
    if (it == refresh.end()) return std::nullopt;
    return it->second;
  }
  bool rotate_refresh(const std::string& old_hash, core::TimePoint now,
                      const oidc::RefreshRecord& next) override {
    auto it = refresh.find(old_hash);
    if (it == refresh.end() || it->second.used || it->second.revoked || lose_next_race) {
      lose_next_race = false;
      return false;
    }
    it->second.used = now;
    refresh[next.hash] = next;
    return true;
  }
  std::vector<oidc::DeniedToken> revoke_family(const std::string& family,
                                               core::TimePoint now) override {
    std::vector<oidc::DeniedToken> out;
    for (auto& [_, r] : refresh) {
      if (r.family != family) continue;
      if (!r.revoked && !r.access_jti.empty() && r.access_expires > now)
        out.push_back({r.access_jti, r.access_expires});
      r.revoked = true;
    }
    for (const auto& d : out) denied_rows.emplace(d.jti, d.expires);
    return out;
  }
  std::vector<oidc::DeniedToken> revoke_session(const std::string& sid,
                                                core::TimePoint now) override {
    std::set<std::string> families;
    for (const auto& [_, r] : refresh)
      if (r.grant.sid == sid && !r.offline && !r.revoked) families.insert(r.family);
    std::vector<oidc::DeniedToken> out;
    for (const auto& f : families) {
      auto d = revoke_family(f, now);
      out.insert(out.end(), d.begin(), d.end());
    }
    return out;
  }
  void deny(const oidc::DeniedToken& t) override { denied_rows[t.jti] = t.expires; }
  std::vector<oidc::DeniedToken> denied(core::TimePoint now) override {
    std::vector<oidc::DeniedToken> out;
    for (const auto& [jti, exp] : denied_rows)
      if (exp > now) out.push_back({jti, exp});
    return out;
  }
  void purge(core::TimePoint codes_before, core::TimePoint now) override {
    std::erase_if(codes, [&](const auto& c) { return c.second.expires < codes_before; });
    std::erase_if(refresh, [&](const auto& r) { return r.second.expires < now; });
    std::erase_if(denied_rows, [&](const auto& d) { return d.second < now; });
  }

  std::map<std::string, oidc::StoredCode> codes;
  std::map<std::string, oidc::RefreshRecord> refresh;
  std::map<std::string, core::TimePoint> denied_rows;
  bool lose_next_race = false;
};

class MemoryUsers final : public oidc::UserDirectory {
 public:
  std::optional<oidc::UserClaims> claims_of(const std::string& subject) override {
    auto it = users.find(subject);
    if (it == users.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, oidc::UserClaims> users;
};

}  // namespace twofold::fakes
