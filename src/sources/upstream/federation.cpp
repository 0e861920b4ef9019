#include "sources/upstream/federation.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/encoding.hpp"
#include "jose/alg.hpp"
#include "jose/public_pem.hpp"

namespace twofold::sources::upstream {
namespace {

Failure unavailable(std::string message) {
  return {FailureKind::unavailable, std::move(message), std::nullopt};
}

std::string claim_text(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string pkce_challenge(std::string_view verifier) {
  return core::base64url_encode(*core::from_hex(core::sha256_hex(verifier)));
}

std::string form_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Federation::Federation(FederationSettings settings, ClaimMapping mapping, HttpClient& http,
                       JwksSource jwks, const core::Clock& clock, core::Random& random)
    : settings_(std::move(settings)),
      mapping_(std::move(mapping)),
      http_(http),
      jwks_(std::move(jwks)),
      clock_(clock),
      random_(random) {
  if (!settings_.certificate_pem.empty()) {
    try {
      certificate_keys_.push_back(jose::public_jwk_from_pem(settings_.certificate_pem));
    } catch (const jose::JoseError& e) {
      throw std::invalid_argument(std::string("the upstream certificate: ") + e.what());
    }
  }
}

std::variant<ProviderMetadata, std::string> Federation::metadata() {
  using Outcome = std::variant<ProviderMetadata, std::string>;
  {
    std::lock_guard lock(mutex_);
    const auto age = clock_.now() - metadata_at_;
    if (metadata_ && age < settings_.metadata_ttl) return *metadata_;
    if (!metadata_error_.empty() && age < settings_.metadata_retry)
      return Outcome(std::in_place_index<1>, metadata_error_);
  }
  // Fetched outside the lock: a slow provider does not hold up the other sign-ins' checks.
  auto answer = http_.get(discovery_url(settings_.issuer));
  Outcome outcome(std::in_place_index<1>, std::string());
  if (auto* why = std::get_if<std::string>(&answer)) {
    outcome = Outcome(std::in_place_index<1>, "discovery failed: " + *why);
  } else if (const auto& a = std::get<HttpAnswer>(answer); a.status != 200) {
    outcome =
        Outcome(std::in_place_index<1>, "discovery answered HTTP " + std::to_string(a.status));
  } else {
    outcome = parse_metadata(a.body, settings_.issuer);
  }
  std::lock_guard lock(mutex_);
  metadata_at_ = clock_.now();
  if (auto* m = std::get_if<ProviderMetadata>(&outcome)) {
    metadata_ = *m;
    metadata_error_.clear();
  } else {
    // A failure does not throw away metadata that worked before; it is retried shortly.
    metadata_error_ = std::get<std::string>(outcome);
    if (metadata_) return *metadata_;
  }
  return outcome;
}

std::variant<std::string, Failure> Federation::start(const std::string& tx_id) {
  auto meta = metadata();
  if (auto* why = std::get_if<std::string>(&meta)) return unavailable(*why);
  const auto& m = std::get<ProviderMetadata>(meta);
  if (certificate_keys_.empty() && m.jwks_uri.empty())
    return unavailable("the provider publishes no jwks_uri and no certificate is configured");

  Pending p{tx_id, random_.token(32), random_.token(32), clock_.now() + settings_.pending_life};
  const auto state = random_.token(32);
  std::string scope;
  for (const auto& s : settings_.scopes) scope += (scope.empty() ? "" : " ") + s;
  std::string url = m.authorization_endpoint;
  url += (url.find('?') == std::string::npos ? '?' : '&');
  url += "response_type=code&client_id=" + form_encode(settings_.client_id) +
         "&redirect_uri=" + form_encode(settings_.redirect_uri) + "&scope=" + form_encode(scope) +
         "&state=" + state + "&nonce=" + p.nonce + "&code_challenge=" + pkce_challenge(p.verifier) +
         "&code_challenge_method=S256";
  {
    std::lock_guard lock(mutex_);
    const auto now = clock_.now();
    std::erase_if(pending_, [&](const auto& e) { return e.second.expires <= now; });
    if (pending_.size() >= settings_.max_pending)
      return unavailable("too many sign-ins through the provider are under way");
    pending_.emplace(state, std::move(p));
  }
  return url;
}

std::optional<Pending> Federation::take(const std::string& state) {
  std::lock_guard lock(mutex_);
  const auto it = pending_.find(state);
  if (it == pending_.end()) return std::nullopt;
  auto p = std::move(it->second);
  pending_.erase(it);
  if (p.expires <= clock_.now()) return std::nullopt;
  return p;
}

std::size_t Federation::pending_count() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

std::variant<Upstream, Failure> Federation::finish(const Pending& pending,
                                                   const std::string& code) {
  if (code.empty() || code.size() > 4096) return unavailable("the provider sent no usable code");
  auto meta = metadata();
  if (auto* why = std::get_if<std::string>(&meta)) return unavailable(*why);
  const auto m = std::get<ProviderMetadata>(std::move(meta));

  // The code exchange (RFC 6749 §4.1.3 with the PKCE verifier).
  std::string body = "grant_type=authorization_code&code=" + form_encode(code) +
                     "&redirect_uri=" + form_encode(settings_.redirect_uri) +
                     "&code_verifier=" + pending.verifier;
  std::vector<std::string> headers{"Accept: application/json",
                                   "Content-Type: application/x-www-form-urlencoded"};
  if (settings_.token_auth_method == "client_secret_post") {
    body += "&client_id=" + form_encode(settings_.client_id) +
            "&client_secret=" + form_encode(settings_.client_secret);
  } else {
    // RFC 6749 §2.3.1: both parts form-encoded before the Basic encoding.
    headers.push_back("Authorization: Basic " +
                      core::base64_encode(form_encode(settings_.client_id) + ":" +
                                          form_encode(settings_.client_secret)));
  }
  auto answer = http_.post_form(m.token_endpoint, body, headers);
  if (auto* why = std::get_if<std::string>(&answer))
    return unavailable("the provider's token endpoint: " + *why);
  const auto& a = std::get<HttpAnswer>(answer);
  const auto doc = nlohmann::json::parse(a.body, nullptr, false);
  if (a.status != 200) {
    std::string error = doc.is_object() ? claim_text(doc, "error") : std::string();
    return Failure{FailureKind::provider_error,
                   "the provider refused the code (HTTP " + std::to_string(a.status) +
                       (error.empty() ? "" : ", " + error.substr(0, 100)) + ")",
                   std::nullopt};
  }
  const std::string id_token = doc.is_object() ? claim_text(doc, "id_token") : std::string();
  if (id_token.empty()) return unavailable("the provider's token answer has no id_token");

  Expectations expect{settings_.issuer, settings_.client_id, pending.nonce, settings_.algs,
                      settings_.leeway};
  KeySource keys =
      [&](bool refresh,
          const std::string& kid) -> std::variant<std::vector<nlohmann::json>, std::string> {
    if (certificate_keys_.empty()) return jwks_(m.jwks_uri, refresh);
    auto fixed = certificate_keys_;
    if (!kid.empty())
      for (auto& k : fixed) k["kid"] = kid;
    return fixed;
  };
  auto validated = validate_id_token(id_token, expect, keys, clock_.now());
  if (auto* e = std::get_if<IdTokenError>(&validated))
    return Failure{FailureKind::token_refused, e->message, e->refusal};
  auto claims = std::get<nlohmann::json>(std::move(validated));

  auto mapped = mapping_.local_id(claims);
  if (mapped.index() == 1)
    return Failure{FailureKind::not_mapped, std::get<1>(mapped), std::nullopt};
  Upstream u;
  u.local_id = std::get<0>(std::move(mapped));
  u.subject = claim_text(claims, "sub");
  const auto verified = claims.find("email_verified");
  if (verified == claims.end() || !verified->is_boolean() || verified->get<bool>())
    u.email = claim_text(claims, "email");
  u.name = claim_text(claims, "name");
  u.claims = std::move(claims);
  return u;
}

}  // namespace twofold::sources::upstream
