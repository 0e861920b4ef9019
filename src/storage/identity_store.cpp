#include "storage/identity_store.hpp"

namespace twofold::storage {
namespace {

// Column list and row binding in one place, so reads and writes cannot drift apart.
constexpr const char* kColumns =
    "key, name, admin, locked, suspended, last_suspension_ms, recent_suspensions, "
    "priority_required_until_ms, created_ms";

struct Row {
  std::string key, name;
  int admin = 0, locked = 0, suspended = 0, recent = 0;
  long long last_suspension = 0, priority_until = 0, created = 0;

  identity::Identity to_identity() const {
    identity::Identity id;
    id.key = key;
    id.name = name;
    id.admin = admin != 0;
    id.locked = locked != 0;
    id.suspended = suspended != 0;
    id.last_suspension = core::from_millis(last_suspension);
    id.recent_suspensions = static_cast<std::uint32_t>(recent);
    id.priority_required_until = core::from_millis(priority_until);
    id.created = core::from_millis(created);
    return id;
  }
  static Row of(const identity::Identity& id) {
    Row r;
    r.key = id.key;
    r.name = id.name;
    r.admin = id.admin;
    r.locked = id.locked;
    r.suspended = id.suspended;
    r.recent = static_cast<int>(id.recent_suspensions);
    r.last_suspension = core::to_millis(id.last_suspension);
    r.priority_until = core::to_millis(id.priority_required_until);
    r.created = core::to_millis(id.created);
    return r;
  }
};

}  // namespace

std::optional<identity::Identity> IdentityStore::find(std::string_view key) {
  std::optional<identity::Identity> out;
  db_.read([&](soci::session& sql) {
    Row r;
    std::string k(key);
    sql << "SELECT " << kColumns << " FROM identities WHERE key = :k", soci::into(r.key),
        soci::into(r.name), soci::into(r.admin), soci::into(r.locked), soci::into(r.suspended),
        soci::into(r.last_suspension), soci::into(r.recent), soci::into(r.priority_until),
        soci::into(r.created), soci::use(k);
    if (sql.got_data()) out = r.to_identity();
  });
  return out;
}

bool IdentityStore::create(identity::Identity& identity, bool admin_if_first) {
  bool created = false;
  db_.transaction([&](soci::session& sql) {
    int exists = 0, total = 0;
    sql << "SELECT COUNT(*) FROM identities WHERE key = :k", soci::into(exists),
        soci::use(identity.key);
    if (exists) return;
    // EXISTS, not COUNT(*): constant time however many IDs there are.
    sql << "SELECT EXISTS(SELECT 1 FROM identities)", soci::into(total);
    if (total == 0 && admin_if_first) identity.admin = true;  // the first ID is admin
    Row r = Row::of(identity);
    sql << "INSERT INTO identities(" << kColumns
        << ") VALUES(:key, :name, :admin, :locked, :suspended, :ls, :rs, :pr, :created)",
        soci::use(r.key), soci::use(r.name), soci::use(r.admin), soci::use(r.locked),
        soci::use(r.suspended), soci::use(r.last_suspension), soci::use(r.recent),
        soci::use(r.priority_until), soci::use(r.created);
    created = true;
  });
  return created;
}

void IdentityStore::save(const identity::Identity& identity) {
  Row r = Row::of(identity);
  db_.transaction([&](soci::session& sql) {
    sql << "UPDATE identities SET name = :name, admin = :admin, locked = :locked, "
           "suspended = :suspended, last_suspension_ms = :ls, recent_suspensions = :rs, "
           "priority_required_until_ms = :pr WHERE key = :key",
        soci::use(r.name), soci::use(r.admin), soci::use(r.locked), soci::use(r.suspended),
        soci::use(r.last_suspension), soci::use(r.recent), soci::use(r.priority_until),
        soci::use(r.key);
  });
}

std::vector<identity::Identity> IdentityStore::list() {
  std::vector<identity::Identity> out;
  db_.read([&](soci::session& sql) {
    Row r;
    soci::statement st =
        (sql.prepare << "SELECT " << kColumns << " FROM identities ORDER BY key", soci::into(r.key),
         soci::into(r.name), soci::into(r.admin), soci::into(r.locked), soci::into(r.suspended),
         soci::into(r.last_suspension), soci::into(r.recent), soci::into(r.priority_until),
         soci::into(r.created));
    st.execute();
    while (st.fetch()) out.push_back(r.to_identity());
  });
  return out;
}

}  // namespace twofold::storage
