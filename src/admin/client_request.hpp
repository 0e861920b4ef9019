#pragma once
// Request bodies of the admin API's client operations: strict JSON (an object, known fields
// only, each of its type, bounded sizes and nesting) mapped onto an oidc::Client. What a
// valid client is (redirect URIs, grants, algorithms) stays in oidc::Clients, shared with the
// `twofold client` CLI.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "oidc/client.hpp"

namespace twofold::admin {

// `application/json`, optionally with parameters (`; charset=utf-8`), case-insensitive.
bool is_json_content_type(std::string_view content_type);

// A JSON object, or why not. Nesting deeper than 4 levels is refused before it is built.
std::variant<nlohmann::json, std::string> parse_object(std::string_view body);

enum class Mode { create, update };

// Applies the fields of `body` to `client`: on create `client_id` may be given, on update the
// id cannot change. Only the fields present change. The error description, or nullopt.
std::optional<std::string> apply_fields(const nlohmann::json& body, Mode mode,
                                        oidc::Client& client);

}  // namespace twofold::admin
