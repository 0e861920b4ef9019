#include "jose/jws.hpp"

#include <openssl/crypto.h>

namespace twofold::jose {
namespace {

using detail::Jwk;
using detail::Jws;

constexpr std::size_t kMinRsaBits = 2048;
constexpr std::size_t kMaxRsaBits =
    8192;  // a client's JWKS must not make us do huge exponentiations
constexpr std::size_t kMinHmacSecret = 32;
constexpr std::size_t kEs256SignatureChars = 86;  // base64url of 64 bytes (R || S)

Error fail(Failure f, std::string message) {
  return Error{f, std::move(message)};
}

bool is_b64url(std::string_view s) {
  for (const char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Attacker text for an error message (which may reach a log): short and printable.
std::string shown(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return text.size() > 40 ? out + "..." : out;
}

// A string member of a JSON object, if it is one.
std::optional<std::string> member(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

struct Parsed {
  std::string_view compact;
  std::string_view payload_b64;
  nlohmann::json header;
  Alg alg{};
  std::optional<std::string> kid;
};

// Everything we can check without a key, before cjose sees the token.
Outcome<Parsed> parse(std::string_view compact) {
  if (compact.empty() || compact.size() > kMaxCompactSize)
    return fail(Failure::malformed, "token is empty or too long");
  const std::size_t first = compact.find('.');
  const std::size_t second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos)
    return fail(Failure::malformed, "a compact JWS has exactly three segments");
  const std::string_view header_b64 = compact.substr(0, first);
  const std::string_view payload_b64 = compact.substr(first + 1, second - first - 1);
  const std::string_view signature_b64 = compact.substr(second + 1);
  if (header_b64.empty() || payload_b64.empty() || signature_b64.empty() ||
      !is_b64url(header_b64) || !is_b64url(payload_b64) || !is_b64url(signature_b64))
    return fail(Failure::malformed, "segments must be non-empty unpadded base64url");

  const auto header_text = detail::b64url_decode(header_b64);
  if (!header_text) return fail(Failure::malformed, "header is not base64url");
  Parsed p;
  p.compact = compact;
  p.payload_b64 = payload_b64;
  p.header = nlohmann::json::parse(*header_text, nullptr, false);
  if (p.header.is_discarded() || !p.header.is_object())
    return fail(Failure::malformed, "header is not a JSON object");

  const auto alg_text = member(p.header, "alg");
  if (!alg_text) return fail(Failure::malformed, "header has no alg");
  const auto alg = parse_alg(*alg_text);
  if (!alg)
    return fail(Failure::unsupported_alg, "alg \"" + shown(*alg_text) + "\" is not accepted");
  p.alg = *alg;
  // We implement no extension, so every critical one is unknown (RFC 7515 §4.1.11).
  if (p.header.contains("crit")) return fail(Failure::unsupported_alg, "crit is not supported");
  if (p.header.contains("kid")) {
    p.kid = member(p.header, "kid");
    if (!p.kid) return fail(Failure::malformed, "kid is not a string");
  }
  if (p.alg == Alg::ES256 && signature_b64.size() != kEs256SignatureChars)
    return fail(Failure::malformed, "an ES256 signature is 64 bytes");
  return p;
}

std::optional<nlohmann::json> parse_object(std::string_view text) {
  auto out = nlohmann::json::parse(text, nullptr, false);
  if (out.is_discarded() || !out.is_object()) return std::nullopt;
  return out;
}

// The cryptographic check proper, by cjose. The header cjose parsed (jansson) must agree
// with ours (nlohmann) on alg, so parser differences cannot smuggle another alg in.
Outcome<Verified> check(const Parsed& p, const cjose_jwk_t* jwk, std::string kid) {
  cjose_err err{};
  Jws jws(cjose_jws_import(p.compact.data(), p.compact.size(), &err));
  if (!jws) return fail(Failure::malformed, detail::describe("cjose cannot parse the token", err));
  const char* alg = cjose_header_get(cjose_jws_get_protected(jws.get()), CJOSE_HDR_ALG, &err);
  if (alg == nullptr || std::string_view(alg) != alg_name(p.alg))
    return fail(Failure::malformed, "ambiguous alg header");
  if (!cjose_jws_verify(jws.get(), jwk, &err))
    return fail(Failure::bad_signature, "signature does not verify");
  uint8_t* plain = nullptr;
  size_t len = 0;
  if (!cjose_jws_get_plaintext(jws.get(), &plain, &len, &err))
    return fail(Failure::malformed, "no payload");
  auto claims = parse_object(std::string_view(reinterpret_cast<const char*>(plain), len));
  if (!claims) return fail(Failure::malformed, "payload is not a JSON object");
  return Verified{p.header, std::move(*claims), std::move(kid)};
}

// A public key from a JWK, only from the members its type needs; nullopt if it is not a
// usable key for `alg`.
std::optional<Jwk> import_public(const nlohmann::json& jwk, Alg alg) {
  nlohmann::json clean;
  if (alg == Alg::RS256) {
    const auto n = member(jwk, "n"), e = member(jwk, "e");
    if (!n || !e) return std::nullopt;
    clean = {{"kty", "RSA"}, {"n", *n}, {"e", *e}};
  } else {
    const auto x = member(jwk, "x"), y = member(jwk, "y");
    if (member(jwk, "crv") != "P-256" || !x || !y) return std::nullopt;
    clean = {{"kty", "EC"}, {"crv", "P-256"}, {"x", *x}, {"y", *y}};
  }
  const std::string text = clean.dump();
  cjose_err err{};
  Jwk key(cjose_jwk_import(text.data(), text.size(), &err));
  if (!key) return std::nullopt;
  const cjose_jwk_kty_t kty = cjose_jwk_get_kty(key.get(), &err);
  if (alg == Alg::RS256) {
    const std::size_t bits = cjose_jwk_get_keysize(key.get(), &err);
    if (kty != CJOSE_JWK_KTY_RSA || bits < kMinRsaBits || bits > kMaxRsaBits) return std::nullopt;
  }
  if (alg == Alg::ES256 && kty != CJOSE_JWK_KTY_EC) return std::nullopt;
  return key;
}

bool usable_for(const nlohmann::json& jwk, const Parsed& p) {
  if (!jwk.is_object()) return false;
  const auto kty = member(jwk, "kty");
  if (!kty || *kty != (p.alg == Alg::RS256 ? "RSA" : "EC")) return false;
  if (jwk.contains("use") && member(jwk, "use") != "sig") return false;
  if (jwk.contains("alg") && member(jwk, "alg") != std::string(alg_name(p.alg))) return false;
  if (p.kid && member(jwk, "kid") != p.kid) return false;
  return true;
}

Jwk hmac_key(std::string_view secret) {
  cjose_err err{};
  Jwk key(cjose_jwk_create_oct_spec(reinterpret_cast<const uint8_t*>(secret.data()), secret.size(),
                                    &err));
  if (!key) throw JoseError(detail::describe("cannot make an HMAC key", err));
  return key;
}

}  // namespace

Outcome<Verified> verify(std::string_view compact, const std::vector<nlohmann::json>& jwks_keys) {
  auto parsed = parse(compact);
  if (auto* e = std::get_if<Error>(&parsed)) return *e;
  const Parsed& p = std::get<Parsed>(parsed);
  if (p.alg == Alg::HS256)
    return fail(Failure::unsupported_alg, "HS256 is not checked against public keys");

  std::size_t tried = 0;
  for (const auto& jwk : jwks_keys) {
    if (tried == kMaxKeysTried) break;
    if (!usable_for(jwk, p)) continue;
    auto key = import_public(jwk, p.alg);
    if (!key) continue;
    ++tried;
    auto result = check(p, key->get(), member(jwk, "kid").value_or(""));
    // Only a signature mismatch is worth trying the next key for.
    if (auto* e = std::get_if<Error>(&result); e && e->failure == Failure::bad_signature) continue;
    return result;
  }
  if (tried == 0)
    return fail(Failure::no_key, std::string("no ") + std::string(alg_name(p.alg)) + " key" +
                                     (p.kid ? " with kid \"" + shown(*p.kid) + "\"" : ""));
  return fail(Failure::bad_signature, "signature does not verify");
}

Outcome<Verified> verify(std::string_view compact, const SigningKey& key) {
  auto parsed = parse(compact);
  if (auto* e = std::get_if<Error>(&parsed)) return *e;
  const Parsed& p = std::get<Parsed>(parsed);
  if (p.alg != key.alg()) return fail(Failure::no_key, "alg does not match the key");
  if (p.kid && *p.kid != key.kid()) return fail(Failure::no_key, "kid does not match the key");
  return check(p, key.jwk(), key.kid());
}

Outcome<Verified> verify_hs256(std::string_view compact, std::string_view secret) {
  auto parsed = parse(compact);
  if (auto* e = std::get_if<Error>(&parsed)) return *e;
  const Parsed& p = std::get<Parsed>(parsed);
  if (p.alg != Alg::HS256) return fail(Failure::unsupported_alg, "expected HS256");
  if (secret.size() < kMinHmacSecret) return fail(Failure::no_key, "HS256 secret too short");
  try {
    const Jwk key = hmac_key(secret);
    return check(p, key.get(), "");
  } catch (const JoseError& e) {
    return fail(Failure::no_key, e.what());
  }
}

std::string sign_hs256(const nlohmann::json& claims, std::string_view secret,
                       std::string_view typ) {
  if (secret.size() < kMinHmacSecret) throw JoseError("HS256 secrets are at least 32 bytes");
  const std::string payload = detail::claims_text(claims);
  const Jwk key = hmac_key(secret);
  detail::Header header = detail::make_header("HS256", "", typ);
  return detail::sign_compact(key.get(), header.get(), payload);
}

std::optional<nlohmann::json> unverified_claims(std::string_view compact) {
  auto parsed = parse(compact);
  if (std::holds_alternative<Error>(parsed)) return std::nullopt;
  const auto text = detail::b64url_decode(std::get<Parsed>(parsed).payload_b64);
  if (!text) return std::nullopt;
  return parse_object(*text);
}

}  // namespace twofold::jose
