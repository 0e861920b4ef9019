#pragma once
// `twofold source test|link|unlink|show`: the credential sources (R-C1…R-C3) as an admin
// checks them — which source accepts an ID's password and what the directory says about it.
#include <CLI/CLI.hpp>
#include <functional>

#include "config/config.hpp"

namespace twofold::cli {

void add_source_commands(CLI::App& app, std::function<int(const config::Config&)>& run);

}  // namespace twofold::cli
