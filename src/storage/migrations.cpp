// Versioned schema migrations. Never edit a released migration: add the next version.
#include "storage/database.hpp"

namespace twofold::storage {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "identities, devices, auth sessions, audit", R"SQL(
CREATE TABLE identities (
  key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  admin INTEGER NOT NULL DEFAULT 0,
  locked INTEGER NOT NULL DEFAULT 0,
  suspended INTEGER NOT NULL DEFAULT 0,
  last_suspension_ms INTEGER NOT NULL DEFAULT 0,
  recent_suspensions INTEGER NOT NULL DEFAULT 0,
  priority_required_until_ms INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  identity_key TEXT NOT NULL REFERENCES identities(key) ON DELETE CASCADE,
  name TEXT NOT NULL,
  key_type TEXT NOT NULL,
  public_key_pem TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL
);
CREATE INDEX devices_identity ON devices(identity_key);
CREATE TABLE activation_codes (
  code_hash TEXT PRIMARY KEY,
  identity_key TEXT NOT NULL REFERENCES identities(key) ON DELETE CASCADE,
  expires_ms INTEGER NOT NULL
);
CREATE TABLE auth_sessions (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  identity_key TEXT NOT NULL,
  secsignid TEXT NOT NULL,
  requested_as TEXT NOT NULL,
  service_name TEXT NOT NULL,
  service_address TEXT NOT NULL,
  plugin_name TEXT NOT NULL,
  api_method TEXT NOT NULL,
  requester_ip TEXT NOT NULL,
  show_access_pass INTEGER NOT NULL,
  symbol INTEGER NOT NULL,
  nonce TEXT NOT NULL,
  state INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  device_id TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE TABLE audit (
  authsession_id TEXT PRIMARY KEY,
  secsignid TEXT NOT NULL,
  identity_key TEXT NOT NULL,
  service_name TEXT NOT NULL,
  service_address TEXT NOT NULL,
  requester_ip TEXT NOT NULL,
  device_id TEXT NOT NULL,
  state INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX audit_identity ON audit(identity_key, created_ms);
CREATE INDEX audit_created ON audit(created_ms)
)SQL"},
      {2, "service API keys (R-S8)", R"SQL(
CREATE TABLE service_keys (
  service TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL
)
)SQL"},
      {3, "OpenID Connect signing keys (R-O1)", R"SQL(
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  private_pem TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  retired_ms INTEGER
)
)SQL"},
      {4, "second factors: TOTP secrets and email codes (R-F2, R-F3)", R"SQL(
CREATE TABLE totp_secrets (
  identity_key TEXT PRIMARY KEY REFERENCES identities(key) ON DELETE CASCADE,
  secret_sealed TEXT NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  last_step INTEGER NOT NULL DEFAULT -1,
  created_ms INTEGER NOT NULL
);
CREATE TABLE email_codes (
  identity_key TEXT PRIMARY KEY REFERENCES identities(key) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX email_codes_expires ON email_codes(expires_ms)
)SQL"},
      {5, "database credential source: passwords and their history (R-C1)", R"SQL(
CREATE TABLE passwords (
  identity_key TEXT PRIMARY KEY REFERENCES identities(key) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  changed_ms INTEGER NOT NULL
);
CREATE TABLE password_history (
  identity_key TEXT NOT NULL REFERENCES identities(key) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  changed_ms INTEGER NOT NULL
);
CREATE INDEX password_history_identity ON password_history(identity_key, changed_ms)
)SQL"},
      {6, "OpenID Connect clients (R-O5)", R"SQL(
CREATE TABLE oidc_clients (
  id TEXT PRIMARY KEY,
  document TEXT NOT NULL,
  created_ms INTEGER NOT NULL
)
)SQL"},
      {7, "profiles: the claims of an ID (R-O3)", R"SQL(
CREATE TABLE profiles (
  identity_key TEXT PRIMARY KEY REFERENCES identities(key) ON DELETE CASCADE,
  display_name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  email_verified INTEGER NOT NULL DEFAULT 0,
  roles TEXT NOT NULL DEFAULT '[]',
  disabled INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX profiles_email ON profiles(email)
)SQL"},
  };
  return all;
}

}  // namespace twofold::storage
