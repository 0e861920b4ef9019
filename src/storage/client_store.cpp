#include "storage/client_store.hpp"

#include <nlohmann/json.hpp>

namespace twofold::storage {
namespace {

using nlohmann::json;

// Everything but the id is one JSON document: the client's shape will grow (consent, logos,
// per-client policies) without a migration per field.
std::string to_document(const oidc::Client& c) {
  return json{{"name", c.name},
              {"auth_method", oidc::name_of(c.auth_method)},
              {"secret_hash", c.secret_hash},
              {"secret_sealed", c.secret_sealed},
              {"redirect_uris", c.redirect_uris},
              {"post_logout_redirect_uris", c.post_logout_redirect_uris},
              {"grant_types", c.grant_types},
              {"scopes", c.scopes},
              {"audience", c.audience},
              {"id_token_alg", c.id_token_alg},
              {"access_token_alg", c.access_token_alg},
              {"default_acr", c.default_acr},
              {"skip_consent", c.skip_consent},
              {"jwks", c.jwks},
              {"jwks_uri", c.jwks_uri},
              {"roles", c.roles}}
      .dump();
}

std::optional<oidc::Client> from_document(const std::string& id, const std::string& text,
                                          long long created) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;  // a row this version cannot read is not trusted
  oidc::Client c;
  c.id = id;
  auto method = oidc::parse_auth_method(j.value("auth_method", ""));
  if (!method) return std::nullopt;
  c.auth_method = *method;
  c.name = j.value("name", "");
  c.secret_hash = j.value("secret_hash", "");
  c.secret_sealed = j.value("secret_sealed", "");
  c.redirect_uris = j.value("redirect_uris", std::vector<std::string>{});
  c.post_logout_redirect_uris = j.value("post_logout_redirect_uris", std::vector<std::string>{});
  c.grant_types = j.value("grant_types", std::vector<std::string>{});
  c.scopes = j.value("scopes", std::vector<std::string>{});
  c.audience = j.value("audience", "");
  c.id_token_alg = j.value("id_token_alg", "RS256");
  c.access_token_alg = j.value("access_token_alg", "RS256");
  c.default_acr = j.value("default_acr", "");
  c.skip_consent = j.value("skip_consent", true);
  c.jwks = j.value("jwks", "");
  c.jwks_uri = j.value("jwks_uri", "");
  c.roles = j.value("roles", std::vector<std::string>{});
  c.created = core::from_millis(created);
  return c;
}

}  // namespace

bool ClientStore::add(const oidc::Client& client) {
  const std::string doc = to_document(client);
  const long long created = core::to_millis(client.created);
  bool added = false;
  db_.transaction([&](soci::session& sql) {
    int taken = 0;
    sql << "SELECT COUNT(*) FROM oidc_clients WHERE id = :id", soci::use(client.id),
        soci::into(taken);
    if (taken) return;
    sql << "INSERT INTO oidc_clients(id, document, created_ms) VALUES(:id, :doc, :c)",
        soci::use(client.id), soci::use(doc), soci::use(created);
    added = true;
  });
  return added;
}

std::optional<oidc::Client> ClientStore::find(const std::string& id) {
  std::optional<oidc::Client> out;
  db_.read([&](soci::session& sql) {
    std::string doc;
    long long created = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT document, created_ms FROM oidc_clients WHERE id = :id", soci::use(id),
        soci::into(doc, ind), soci::into(created);
    if (sql.got_data() && ind == soci::i_ok) out = from_document(id, doc, created);
  });
  return out;
}

bool ClientStore::update(const oidc::Client& client) {
  const std::string doc = to_document(client);
  bool updated = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE oidc_clients SET document = :doc WHERE id = :id",
                          soci::use(doc), soci::use(client.id));
    st.execute(true);
    updated = st.get_affected_rows() > 0;
  });
  return updated;
}

bool ClientStore::remove(const std::string& id) {
  bool removed = false;
  db_.transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "DELETE FROM oidc_clients WHERE id = :id", soci::use(id));
    st.execute(true);
    removed = st.get_affected_rows() > 0;
  });
  return removed;
}

std::vector<oidc::Client> ClientStore::list() {
  std::vector<oidc::Client> out;
  db_.read([&](soci::session& sql) {
    std::string id, doc;
    long long created = 0;
    soci::statement st = (sql.prepare << "SELECT id, document, created_ms FROM oidc_clients "
                                         "ORDER BY id",
                          soci::into(id), soci::into(doc), soci::into(created));
    st.execute();
    while (st.fetch())
      if (auto c = from_document(id, doc, created)) out.push_back(std::move(*c));
  });
  return out;
}

}  // namespace twofold::storage
