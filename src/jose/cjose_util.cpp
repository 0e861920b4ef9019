#include "jose/cjose_util.hpp"

#include "jose/alg.hpp"

namespace twofold::jose::detail {

std::string describe(const char* what, const cjose_err& err) {
  std::string out = what;
  if (err.code != CJOSE_ERR_NONE && err.message != nullptr) out.append(": ").append(err.message);
  return out;
}

std::optional<std::string> b64url_decode(std::string_view text) {
  cjose_err err{};
  uint8_t* raw = nullptr;
  size_t len = 0;
  if (!cjose_base64url_decode(text.data(), text.size(), &raw, &len, &err)) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(raw), len);
  cjose_get_dealloc()(raw);
  return out;
}

std::string b64url_encode(std::string_view bytes) {
  cjose_err err{};
  char* text = nullptr;
  size_t len = 0;
  if (!cjose_base64url_encode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &text,
                              &len, &err))
    throw JoseError(describe("base64url encoding failed", err));
  std::string out(text, len);
  cjose_get_dealloc()(text);
  return out;
}

std::string claims_text(const nlohmann::json& claims) {
  if (!claims.is_object()) throw JoseError("JWT claims must be a JSON object");
  try {
    return claims.dump();
  } catch (const nlohmann::json::exception& e) {
    throw JoseError(std::string("claims are not serialisable: ") + e.what());
  }
}

Header make_header(std::string_view alg, std::string_view kid, std::string_view typ) {
  cjose_err err{};
  Header header(cjose_header_new(&err));
  if (!header) throw JoseError(describe("cannot create a JWS header", err));
  // cjose_header_set takes C strings; the std::string copies give the terminators.
  const auto set = [&](const char* name, std::string_view value) {
    if (!cjose_header_set(header.get(), name, std::string(value).c_str(), &err))
      throw JoseError(describe("cannot set a JWS header member", err));
  };
  set(CJOSE_HDR_ALG, alg);
  if (!kid.empty()) set(CJOSE_HDR_KID, kid);
  if (!typ.empty()) set("typ", typ);
  return header;
}

std::string sign_compact(const cjose_jwk_t* jwk, cjose_header_t* header, std::string_view payload) {
  cjose_err err{};
  Jws jws(cjose_jws_sign(jwk, header, reinterpret_cast<const uint8_t*>(payload.data()),
                         payload.size(), &err));
  if (!jws) throw JoseError(describe("JWS signing failed", err));
  const char* compact = nullptr;
  if (!cjose_jws_export(jws.get(), &compact, &err) || compact == nullptr)
    throw JoseError(describe("JWS export failed", err));
  return compact;
}

}  // namespace twofold::jose::detail
