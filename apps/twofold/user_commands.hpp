#pragma once
// `twofold user add|list|show|update|passwd`: accounts, their claims and database passwords.
#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>

#include "config/config.hpp"

namespace twofold::cli {

// A refused command (bad value, unknown ID): exit code 2 with the message.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void add_user_commands(CLI::App& app, std::function<int(const config::Config&)>& run);

}  // namespace twofold::cli
