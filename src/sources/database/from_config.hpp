#pragma once
// The database source's settings from the [password] section, for the server and the CLI
// alike (both check and set passwords and must apply the same policy).
#include "config/config.hpp"
#include "sources/database/database_source.hpp"

namespace twofold::sources::database {

Settings settings_from(const config::Password& section);

}  // namespace twofold::sources::database
