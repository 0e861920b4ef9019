#pragma once
// Internal to src/jose: RAII owners for cjose objects and the few conversions the library
// needs at the cjose/nlohmann boundary. Not part of the public API.
#include <cjose/cjose.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace twofold::jose::detail {

struct JwkRelease {
  void operator()(cjose_jwk_t* k) const { cjose_jwk_release(k); }
};
struct JwsRelease {
  void operator()(cjose_jws_t* s) const { cjose_jws_release(s); }
};
struct HeaderRelease {
  void operator()(cjose_header_t* h) const { cjose_header_release(h); }
};
using Jwk = std::unique_ptr<cjose_jwk_t, JwkRelease>;
using Jws = std::unique_ptr<cjose_jws_t, JwsRelease>;
using Header = std::unique_ptr<cjose_header_t, HeaderRelease>;

// "what: cjose's message" for exceptions and logs.
std::string describe(const char* what, const cjose_err& err);

// cjose's base64url, with a std::string in and out. nullopt on bad input.
std::optional<std::string> b64url_decode(std::string_view text);
std::string b64url_encode(std::string_view bytes);

// The JWT payload: claims must be a JSON object with valid UTF-8; throws JoseError otherwise.
std::string claims_text(const nlohmann::json& claims);

// A JWS header {alg, kid?, typ?} in that order.
Header make_header(std::string_view alg, std::string_view kid, std::string_view typ);

// Signs `payload` with `jwk` under `header`; throws JoseError on failure.
std::string sign_compact(const cjose_jwk_t* jwk, cjose_header_t* header, std::string_view payload);

}  // namespace twofold::jose::detail
