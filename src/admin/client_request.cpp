#include "admin/client_request.hpp"

#include <cctype>
#include <functional>
#include <map>

namespace twofold::admin {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 4;              // {"jwks":{"keys":[{...}]}} is the deepest
constexpr std::size_t kMaxString = 2000;  // a redirect URI may be long, nothing else is
constexpr std::size_t kMaxListEntries = 32;

using Error = std::optional<std::string>;

Error string_of(const json& v, const std::string& field, std::string& out,
                std::size_t max = kMaxString) {
  if (!v.is_string()) return field + " must be a string";
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > max) return field + " is longer than " + std::to_string(max) + " characters";
  out = s;
  return std::nullopt;
}

Error list_of(const json& v, const std::string& field, std::vector<std::string>& out) {
  if (!v.is_array()) return field + " must be an array of strings";
  if (v.size() > kMaxListEntries)
    return field + " has more than " + std::to_string(kMaxListEntries) + " entries";
  std::vector<std::string> list;
  for (const auto& item : v) {
    std::string s;
    if (!item.is_string()) return field + " must be an array of strings";
    if (auto e = string_of(item, field + " entry", s)) return e;
    if (s.empty()) return field + " has an empty entry";
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(std::move(s));
  }
  out = std::move(list);
  return std::nullopt;
}

using Setter = std::function<Error(const json&, oidc::Client&)>;

Error text_field(const json& v, const char* field, std::string oidc::Client::*member,
                 oidc::Client& c, std::size_t max = kMaxString) {
  return string_of(v, field, c.*member, max);
}

// One entry per accepted field: how it lands on the client.
const std::map<std::string, Setter, std::less<>>& setters() {
  using C = oidc::Client;
  static const std::map<std::string, Setter, std::less<>> all = {
      {"name", [](const json& v, C& c) { return text_field(v, "name", &C::name, c, 200); }},
      {"token_endpoint_auth_method",
       [](const json& v, C& c) -> Error {
         std::string s;
         if (auto e = string_of(v, "token_endpoint_auth_method", s, 64)) return e;
         const auto method = oidc::parse_auth_method(s);
         if (!method)
           return "token_endpoint_auth_method must be client_secret_basic, client_secret_post, "
                  "client_secret_jwt, private_key_jwt or none";
         c.auth_method = *method;
         return std::nullopt;
       }},
      {"redirect_uris",
       [](const json& v, C& c) { return list_of(v, "redirect_uris", c.redirect_uris); }},
      {"post_logout_redirect_uris",
       [](const json& v, C& c) {
         return list_of(v, "post_logout_redirect_uris", c.post_logout_redirect_uris);
       }},
      {"grant_types", [](const json& v, C& c) { return list_of(v, "grant_types", c.grant_types); }},
      {"scopes", [](const json& v, C& c) { return list_of(v, "scopes", c.scopes); }},
      {"roles", [](const json& v, C& c) { return list_of(v, "roles", c.roles); }},
      {"audience", [](const json& v, C& c) { return text_field(v, "audience", &C::audience, c); }},
      {"id_token_signed_response_alg",
       [](const json& v, C& c) {
         return text_field(v, "id_token_signed_response_alg", &C::id_token_alg, c, 16);
       }},
      {"access_token_signed_response_alg",
       [](const json& v, C& c) {
         return text_field(v, "access_token_signed_response_alg", &C::access_token_alg, c, 16);
       }},
      {"default_acr",
       [](const json& v, C& c) { return text_field(v, "default_acr", &C::default_acr, c, 200); }},
      {"skip_consent",
       [](const json& v, C& c) -> Error {
         if (!v.is_boolean()) return std::string("skip_consent must be true or false");
         c.skip_consent = v.get<bool>();
         return std::nullopt;
       }},
      {"jwks",
       [](const json& v, C& c) -> Error {
         if (v.is_null()) {
           c.jwks.clear();
           return std::nullopt;
         }
         if (!v.is_object() || !v.contains("keys") || !v["keys"].is_array())
           return std::string("jwks must be a JWK Set: {\"keys\": [...]}");
         for (const auto& key : v["keys"])
           if (!key.is_object() || key.contains("d"))
             return std::string("jwks must hold public keys (objects without \"d\")");
         c.jwks = v.dump();
         return std::nullopt;
       }},
      {"jwks_uri", [](const json& v, C& c) { return text_field(v, "jwks_uri", &C::jwks_uri, c); }},
  };
  return all;
}

}  // namespace

bool is_json_content_type(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  std::string lowered;
  for (char ch : media)
    if (ch != ' ' && ch != '\t')
      lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lowered == "application/json";
}

std::variant<json, std::string> parse_object(std::string_view body) {
  bool too_deep = false;
  // The callback sees every value with its depth; deep ones are discarded unbuilt.
  json::parser_callback_t limit = [&](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth) too_deep = true;
    return !too_deep;
  };
  json parsed = json::parse(body.begin(), body.end(), limit, /*allow_exceptions=*/false);
  if (too_deep) return std::string("the JSON is nested too deeply");
  if (parsed.is_discarded()) return std::string("the body is not valid JSON");
  if (!parsed.is_object()) return std::string("the body must be a JSON object");
  return parsed;
}

std::optional<std::string> apply_fields(const json& body, Mode mode, oidc::Client& client) {
  for (const auto& [field, value] : body.items()) {
    if (field == "client_id") {
      if (mode == Mode::update) return std::string("client_id cannot change");
      if (auto e = string_of(value, "client_id", client.id, 128)) return e;
      continue;
    }
    const auto setter = setters().find(field);
    if (setter == setters().end())
      return "unknown field " + field.substr(0, 64) +
             (field == "client_secret" ? " (secrets are generated: rotate-secret)" : "");
    if (auto e = setter->second(value, client)) return e;
  }
  return std::nullopt;
}

}  // namespace twofold::admin
