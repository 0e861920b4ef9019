#include "user_commands.hpp"

#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "identity/profile.hpp"
#include "sources/database/database_source.hpp"
#include "sources/database/from_config.hpp"
#include "storage/database.hpp"
#include "storage/identity_store.hpp"
#include "storage/password_store.hpp"
#include "storage/profile_store.hpp"

namespace twofold::cli {
namespace {

using UserError = UsageError;

struct Context {
  core::SystemClock clock;
  std::unique_ptr<storage::Database> db;
  storage::IdentityStore identities;
  storage::ProfileStore profiles;
  storage::PasswordStore passwords;
  explicit Context(const config::Config& c)
      : db(storage::Database::open(c)), identities(*db), profiles(*db), passwords(*db) {}

  identity::Identity require(const std::string& id) {
    auto found = identities.find(identity::key_of(id));
    if (!found) throw UserError("no ID " + id);
    return *found;
  }
  identity::Profile profile_of(const identity::Identity& id) {
    auto p = profiles.find_profile(id.key);
    if (p) return *p;
    identity::Profile fresh;
    fresh.identity_key = id.key;
    return fresh;
  }
  void set_password(const config::Config& c, const std::string& key) {
    // The password comes on standard input (first line): never on the command line, where
    // other users could read it from the process list.
    if (::isatty(STDIN_FILENO)) std::cerr << "password: " << std::flush;
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    sources::database::Source source(sources::database::settings_from(c.password), clock,
                                     identities, passwords);
    if (auto rejected = source.set_password(key, password)) throw UserError(rejected->message);
  }
};

struct ProfileFlags {
  std::string name, email;
  std::vector<std::string> roles;
  bool email_verified = false, disable = false, enable = false;
  std::vector<CLI::Option*> options;
  void add_to(CLI::App* cmd, bool update) {
    options = {cmd->add_option("--name", name, "Display name"),
               cmd->add_option("--email", email, "Email address"),
               cmd->add_option("--role", roles, "Role (repeatable; replaces the list)"),
               cmd->add_flag("--email-verified", email_verified, "The email address is verified")};
    if (update) {
      cmd->add_flag("--disable", disable, "Switch the account off (no logins, no tokens)");
      cmd->add_flag("--enable", enable, "Switch the account on again");
    }
  }
  void apply(identity::Profile& p) const {
    if (options[0]->count()) p.display_name = name;
    if (options[1]->count()) {
      if (!email.empty() && !identity::is_plausible_email(email))
        throw UserError("not an email address: " + email);
      p.email = email;
    }
    if (options[2]->count()) {
      for (const auto& r : roles)
        if (!identity::is_valid_role(r)) throw UserError("not a valid role name: " + r);
      p.roles = roles;
    }
    if (options[3]->count()) p.email_verified = email_verified;
    if (disable) p.disabled = true;
    if (enable) p.disabled = false;
  }
};

nlohmann::json describe(const identity::Identity& id, const identity::Profile& p,
                        bool has_password) {
  return {{"id", id.name},
          {"admin", id.admin},
          {"locked", id.locked},
          {"disabled", p.disabled},
          {"name", p.display_name},
          {"email", p.email},
          {"email_verified", p.email_verified},
          {"roles", p.roles},
          {"password", has_password}};
}

}  // namespace

void add_user_commands(CLI::App& app, std::function<int(const config::Config&)>& run) {
  auto* user = app.add_subcommand("user", "Manage accounts (IDs), their claims and passwords");
  user->require_subcommand(1);
  auto id = std::make_shared<std::string>();
  auto add_flags = std::make_shared<ProfileFlags>();
  auto update_flags = std::make_shared<ProfileFlags>();
  auto with_password = std::make_shared<bool>(false);
  auto admin = std::make_shared<bool>(false);

  auto* add = user->add_subcommand("add", "Create an ID (the first one on a server is admin)");
  add->add_option("id", *id, "The ID")->required();
  add_flags->add_to(add, false);
  add->add_flag("--password-stdin", *with_password,
                "Set a database password, read from the first line of standard input");
  add->add_flag("--admin", *admin, "Make the ID an admin");
  add->callback([&run, id, add_flags, with_password, admin] {
    run = [=](const config::Config& config) {
      if (!identity::is_valid_name(*id)) throw UserError("not a valid ID: " + *id);
      Context ctx(config);
      identity::Identity ident{identity::key_of(*id), *id};
      ident.admin = *admin;
      ident.created = ctx.clock.now();
      if (!ctx.identities.create(ident, /*admin_if_first=*/true))
        throw UserError("the ID " + *id + " exists");
      identity::Profile profile;
      profile.identity_key = ident.key;
      add_flags->apply(profile);
      profile.updated = ctx.clock.now();
      ctx.profiles.save_profile(profile);
      if (*with_password) ctx.set_password(config, ident.key);
      std::cout << "created " << ident.name << (ident.admin ? " (admin)" : "") << "\n";
      return 0;
    };
  });

  user->add_subcommand("list", "List IDs")->callback([&run] {
    run = [](const config::Config& config) {
      Context ctx(config);
      for (const auto& i : ctx.identities.list()) {
        const auto p = ctx.profile_of(i);
        std::cout << i.name << (i.admin ? "  admin" : "") << (i.locked ? "  locked" : "")
                  << (p.disabled ? "  disabled" : "") << (p.email.empty() ? "" : "  " + p.email)
                  << "\n";
      }
      return 0;
    };
  });

  auto with_id = [&](const char* name, const char* help) {
    auto* cmd = user->add_subcommand(name, help);
    cmd->add_option("id", *id, "The ID")->required();
    return cmd;
  };
  with_id("show", "Show an ID (JSON)")->callback([&run, id] {
    run = [id](const config::Config& config) {
      Context ctx(config);
      const auto i = ctx.require(*id);
      std::cout << describe(i, ctx.profile_of(i), ctx.passwords.find(i.key).has_value()).dump(2)
                << "\n";
      return 0;
    };
  });
  auto* update = with_id("update", "Change an ID's claims; only the given flags change");
  update_flags->add_to(update, true);
  update->callback([&run, id, update_flags] {
    run = [id, update_flags](const config::Config& config) {
      if (update_flags->disable && update_flags->enable)
        throw UserError("--disable and --enable exclude each other");
      Context ctx(config);
      auto profile = ctx.profile_of(ctx.require(*id));
      update_flags->apply(profile);
      profile.updated = ctx.clock.now();
      ctx.profiles.save_profile(profile);
      return 0;
    };
  });
  with_id("passwd", "Set the database password (first line of standard input)")
      ->callback([&run, id] {
        run = [id](const config::Config& config) {
          Context ctx(config);
          ctx.set_password(config, ctx.require(*id).key);
          return 0;
        };
      });
}

}  // namespace twofold::cli
