#include "storage/device_store.hpp"

namespace twofold::storage {

void DeviceStore::add(const device::Device& d) {
  const std::string type(crypto::key_type_name(d.key_type));
  const long long created = core::to_millis(d.created);
  db_.transaction([&](soci::session& sql) {
    sql << "INSERT INTO devices(id, identity_key, name, key_type, public_key_pem, token_hash, "
           "created_ms) VALUES(:id, :ik, :name, :type, :pem, :th, :created)",
        soci::use(d.id), soci::use(d.identity_key), soci::use(d.name), soci::use(type),
        soci::use(d.public_key_pem), soci::use(d.token_hash), soci::use(created);
  });
}

std::vector<device::Device> DeviceStore::query(const std::string& where, const std::string& value) {
  std::vector<device::Device> out;
  db_.read([&](soci::session& sql) {
    device::Device d;
    std::string type;
    long long created = 0;
    soci::statement st =
        (sql.prepare << "SELECT id, identity_key, name, key_type, public_key_pem, token_hash, "
                        "created_ms FROM devices WHERE " +
                            where + " = :v ORDER BY created_ms",
         soci::into(d.id), soci::into(d.identity_key), soci::into(d.name), soci::into(type),
         soci::into(d.public_key_pem), soci::into(d.token_hash), soci::into(created),
         soci::use(value));
    st.execute();
    while (st.fetch()) {
      auto parsed = crypto::parse_key_type(type);
      if (!parsed) continue;  // a row this version cannot use is skipped, not trusted
      d.key_type = *parsed;
      d.created = core::from_millis(created);
      out.push_back(d);
    }
  });
  return out;
}

std::optional<device::Device> DeviceStore::find_by_token_hash(const std::string& token_hash) {
  auto found = query("token_hash", token_hash);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<device::Device> DeviceStore::list(const std::string& identity_key) {
  return query("identity_key", identity_key);
}

void DeviceStore::add_activation_code(const device::ActivationCode& code) {
  const long long expires = core::to_millis(code.expires);
  db_.transaction([&](soci::session& sql) {
    sql << "INSERT INTO activation_codes(code_hash, identity_key, expires_ms) "
           "VALUES(:h, :k, :e)",
        soci::use(code.code_hash), soci::use(code.identity_key), soci::use(expires);
  });
}

std::optional<device::ActivationCode> DeviceStore::take_activation_code(
    const std::string& code_hash) {
  std::optional<device::ActivationCode> out;
  db_.transaction([&](soci::session& sql) {
    device::ActivationCode c;
    long long expires = 0;
    sql << "SELECT code_hash, identity_key, expires_ms FROM activation_codes WHERE code_hash = :h",
        soci::into(c.code_hash), soci::into(c.identity_key), soci::into(expires),
        soci::use(code_hash);
    if (!sql.got_data()) return;
    sql << "DELETE FROM activation_codes WHERE code_hash = :h", soci::use(code_hash);
    c.expires = core::from_millis(expires);
    out = c;
  });
  return out;
}

}  // namespace twofold::storage
