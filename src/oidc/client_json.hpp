#pragma once
// A client as JSON, without secrets: what `twofold client show` prints and the admin API
// answers (docs/admin-api.md). Field names follow RFC 7591 where it has one.
#include <nlohmann/json.hpp>

#include "oidc/client.hpp"

namespace twofold::oidc {

nlohmann::json describe(const Client& client);

}  // namespace twofold::oidc
