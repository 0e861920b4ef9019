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
      {8, "OpenID Connect grants: codes, refresh tokens, revoked access tokens (R-O1)", R"SQL(
CREATE TABLE oidc_codes (
  code_hash TEXT PRIMARY KEY,
  authorization_doc TEXT NOT NULL,
  expires_ms INTEGER NOT NULL,
  redeemed_ms INTEGER
);
CREATE INDEX oidc_codes_expires ON oidc_codes(expires_ms);
CREATE TABLE oidc_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family TEXT NOT NULL,
  client_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  sid TEXT NOT NULL,
  offline INTEGER NOT NULL,
  grant_doc TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  used_ms INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0,
  access_jti TEXT NOT NULL,
  access_expires_ms INTEGER NOT NULL
);
CREATE INDEX oidc_refresh_family ON oidc_refresh_tokens(family);
CREATE INDEX oidc_refresh_sid ON oidc_refresh_tokens(sid);
CREATE INDEX oidc_refresh_expires ON oidc_refresh_tokens(expires_ms);
CREATE TABLE oidc_denied_jtis (
  jti TEXT PRIMARY KEY,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX oidc_denied_expires ON oidc_denied_jtis(expires_ms)
)SQL"},
      {9, "browser sessions of the login (R-O6, R-P3, R-P4)", R"SQL(
CREATE TABLE browser_sessions (
  sid TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL UNIQUE,
  previous_hash TEXT NOT NULL DEFAULT '',
  identity_key TEXT NOT NULL REFERENCES identities(key) ON DELETE CASCADE,
  auth_time_ms INTEGER NOT NULL,
  amr TEXT NOT NULL,
  acr TEXT NOT NULL,
  persistent INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  rotated_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX browser_sessions_previous ON browser_sessions(previous_hash);
CREATE INDEX browser_sessions_identity ON browser_sessions(identity_key);
CREATE INDEX browser_sessions_expires ON browser_sessions(expires_ms)
)SQL"},
      {10, "single use of client assertion jtis (private_key_jwt, client_secret_jwt)", R"SQL(
CREATE TABLE oidc_assertion_jtis (
  client_id TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX oidc_assertion_jtis_expires ON oidc_assertion_jtis(expires_ms)
)SQL"},
      {11, "LDAP credential source: the LDAP id of an ID (R-C2, R-C3)", R"SQL(
CREATE TABLE ldap_links (
  identity_key TEXT PRIMARY KEY REFERENCES identities(key) ON DELETE CASCADE,
  ldap_id TEXT NOT NULL
)
)SQL"},
      {14, "regulation events: failed tries and new sessions (R-P1, R-P5)", R"SQL(
CREATE TABLE regulation_events (
  bucket TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX regulation_events_bucket ON regulation_events(bucket, at_ms);
CREATE INDEX regulation_events_at ON regulation_events(at_ms)
)SQL"},
      {15, "password reset links (R-C5): SHA-256 of the token, single use", R"SQL(
CREATE TABLE password_reset_tokens (
  token_hash TEXT PRIMARY KEY,
  identity_key TEXT NOT NULL REFERENCES identities(key) ON DELETE CASCADE,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX password_reset_tokens_identity ON password_reset_tokens(identity_key);
CREATE INDEX password_reset_tokens_expires ON password_reset_tokens(expires_ms)
)SQL"},
  };
  return all;
}

}  // namespace twofold::storage
