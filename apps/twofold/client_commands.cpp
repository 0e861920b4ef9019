#include "client_commands.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/secret_box.hpp"
#include "oidc/client_json.hpp"
#include "oidc/clients.hpp"
#include "storage/client_store.hpp"
#include "storage/database.hpp"

namespace twofold::cli {
namespace {

// The flags of add and update; for update only those given change anything.
struct ClientFlags {
  std::string name, auth_method, audience, id_token_alg, access_token_alg, default_acr, jwks_file,
      jwks_uri;
  std::vector<std::string> redirect_uris, post_logout_uris, grants, scopes, roles;
  std::vector<CLI::Option*> options;

  void add_to(CLI::App* cmd) {
    options = {
        cmd->add_option("--name", name, "Display name"),
        cmd->add_option("--redirect-uri", redirect_uris, "Redirect URI, exact match (repeatable)"),
        cmd->add_option("--post-logout-redirect-uri,--post-logout-uri", post_logout_uris,
                        "Post-logout redirect URI, exact match (repeatable)"),
        cmd->add_option("--grant", grants,
                        "authorization_code, refresh_token, client_credentials (repeatable)"),
        cmd->add_option("--auth-method,--auth", auth_method,
                        "client_secret_basic (default), client_secret_post, client_secret_jwt, "
                        "private_key_jwt, none")
            ->check(CLI::IsMember({"client_secret_basic", "client_secret_post", "client_secret_jwt",
                                   "private_key_jwt", "none"})),
        cmd->add_option("--scope", scopes, "Allowed scope (repeatable)"),
        cmd->add_option("--audience", audience, "Default audience of access tokens"),
        cmd->add_option("--id-token-alg", id_token_alg, "RS256 (default) or ES256"),
        cmd->add_option("--access-token-alg", access_token_alg, "RS256 (default) or ES256"),
        cmd->add_option("--default-acr", default_acr, "acr asked for when the client names none"),
        cmd->add_option("--jwks-file", jwks_file,
                        "private_key_jwt: a file with the client's public JWKS (JSON)")
            ->check(CLI::ExistingFile),
        cmd->add_option("--jwks-uri", jwks_uri,
                        "private_key_jwt: where the client publishes its JWKS (https)"),
        cmd->add_option("--role", roles,
                        "Role of the client itself, in its client_credentials tokens; "
                        "admin opens the admin API (repeatable)"),
    };
  }
  bool given(std::size_t i) const { return options[i]->count() > 0; }

  void apply(oidc::Client& c) const {
    if (given(0)) c.name = name;
    if (given(1)) c.redirect_uris = redirect_uris;
    if (given(2)) c.post_logout_redirect_uris = post_logout_uris;
    if (given(3)) c.grant_types = grants;
    if (given(4)) c.auth_method = *oidc::parse_auth_method(auth_method);
    if (given(5)) c.scopes = scopes;
    if (given(6)) c.audience = audience;
    if (given(7)) c.id_token_alg = id_token_alg;
    if (given(8)) c.access_token_alg = access_token_alg;
    if (given(9)) c.default_acr = default_acr;
    if (given(10)) {
      std::ifstream in(jwks_file);
      std::stringstream text;
      text << in.rdbuf();
      c.jwks = text.str();
      c.jwks_uri.clear();
    }
    if (given(11)) {
      c.jwks_uri = jwks_uri;
      c.jwks.clear();
    }
    if (given(12)) c.roles = roles;
  }
};

struct Context {
  std::unique_ptr<storage::Database> db;
  storage::ClientStore store;
  core::SystemClock clock;
  core::SystemRandom random;
  // The server's key for secrets at rest: client_secret_jwt secrets are sealed with it.
  crypto::SecretBox box;
  oidc::Clients clients;
  explicit Context(const config::Config& config)
      : db(storage::Database::open(config)),
        store(*db),
        box(crypto::SecretBox::load_or_create(config.resolve(crypto::kSecretBoxKeyFile))),
        clients(clock, random, store, std::chrono::seconds(2), &box) {}
};

}  // namespace

void add_client_commands(CLI::App& app, std::function<int(const config::Config&)>& run) {
  auto* client = app.add_subcommand("client", "Manage OpenID Connect clients");
  client->require_subcommand(1);
  auto id = std::make_shared<std::string>();
  auto add_flags = std::make_shared<ClientFlags>();
  auto update_flags = std::make_shared<ClientFlags>();

  auto* add = client->add_subcommand("add", "Register a client; prints its secret once");
  add->add_option("client_id", *id, "Client id (default: generated)");
  add_flags->add_to(add);
  add->callback([&run, id, add_flags] {
    run = [id, add_flags](const config::Config& config) {
      Context ctx(config);
      oidc::Client c;
      c.id = *id;
      add_flags->apply(c);
      const auto created = ctx.clients.create(c);
      std::cout << "client_id: " << created.client.id << "\n";
      if (!created.secret.empty())
        std::cout << "client_secret: " << created.secret << "\n"
                  << "(shown only now; stored "
                  << (created.client.auth_method == oidc::AuthMethod::client_secret_jwt
                          ? "hashed and sealed for client_secret_jwt"
                          : "hashed")
                  << ". New one: twofold client rotate-secret " << created.client.id << ")\n";
      return 0;
    };
  });

  client->add_subcommand("list", "List clients")->callback([&run] {
    run = [](const config::Config& config) {
      Context ctx(config);
      for (const auto& c : ctx.clients.list())
        std::cout << c.id << "  " << c.name << "  " << oidc::name_of(c.auth_method) << "\n";
      return 0;
    };
  });

  auto with_id = [&](const char* name, const char* help) {
    auto* cmd = client->add_subcommand(name, help);
    cmd->add_option("client_id", *id, "Client id")->required();
    return cmd;
  };
  with_id("show", "Show a client (JSON, without secrets)")->callback([&run, id] {
    run = [id](const config::Config& config) {
      Context ctx(config);
      auto c = ctx.clients.find(*id);
      if (!c) throw oidc::ClientError("no client " + *id);
      std::cout << oidc::describe(*c).dump(2) << "\n";
      return 0;
    };
  });
  auto* update = with_id("update", "Change a client; only the given flags change");
  update_flags->add_to(update);
  update->callback([&run, id, update_flags] {
    run = [id, update_flags](const config::Config& config) {
      Context ctx(config);
      auto c = ctx.clients.find(*id);
      if (!c) throw oidc::ClientError("no client " + *id);
      const auto before = c->auth_method;
      update_flags->apply(*c);
      ctx.clients.update(*c);
      if (c->auth_method == oidc::AuthMethod::client_secret_jwt &&
          before != oidc::AuthMethod::client_secret_jwt)
        std::cout << "note: no recoverable secret is stored yet; run `twofold client "
                     "rotate-secret "
                  << c->id << "` so client_secret_jwt assertions can be checked\n";
      return 0;
    };
  });
  with_id("delete", "Delete a client")->callback([&run, id] {
    run = [id](const config::Config& config) {
      Context ctx(config);
      if (!ctx.clients.remove(*id)) throw oidc::ClientError("no client " + *id);
      return 0;
    };
  });
  with_id("rotate-secret", "Replace the client's secret; prints the new one once")
      ->callback([&run, id] {
        run = [id](const config::Config& config) {
          Context ctx(config);
          std::cout << "client_secret: " << ctx.clients.rotate_secret(*id) << "\n";
          return 0;
        };
      });
}

}  // namespace twofold::cli
