#pragma once
// `twofold client add|list|show|update|delete|rotate-secret` (R-O5).
#include <CLI/CLI.hpp>
#include <functional>

#include "config/config.hpp"

namespace twofold::cli {

// Adds the `client` subcommand to `app`. After parsing, `run` (when set) executes the chosen
// action against `config` and returns the process exit code.
void add_client_commands(CLI::App& app, std::function<int(const config::Config&)>& run);

}  // namespace twofold::cli
