#include "storage/auth_session_store.hpp"

namespace twofold::storage {
namespace {

struct Row {
  std::string id, request_id, identity_key, secsignid, requested_as, service_name, service_address,
      plugin_name, api_method, requester_ip, nonce, device_id, message;
  int show_access_pass = 1, symbol = 0, state = 0;
  long long created = 0, expires = 0, updated = 0;

  static Row of(const authsession::AuthSession& s) {
    return Row{s.id,
               s.request_id,
               s.identity_key,
               s.secsignid,
               s.requested_as,
               s.service_name,
               s.service_address,
               s.plugin_name,
               s.api_method,
               s.requester_ip,
               s.nonce,
               s.device_id,
               s.message,
               s.show_access_pass ? 1 : 0,
               static_cast<int>(s.symbol),
               static_cast<int>(s.state),
               core::to_millis(s.created),
               core::to_millis(s.expires),
               core::to_millis(s.updated)};
  }
  authsession::AuthSession to_session() const {
    authsession::AuthSession s;
    s.id = id;
    s.request_id = request_id;
    s.identity_key = identity_key;
    s.secsignid = secsignid;
    s.requested_as = requested_as;
    s.service_name = service_name;
    s.service_address = service_address;
    s.plugin_name = plugin_name;
    s.api_method = api_method;
    s.requester_ip = requester_ip;
    s.nonce = nonce;
    s.device_id = device_id;
    s.message = message;
    s.show_access_pass = show_access_pass != 0;
    s.symbol = static_cast<std::uint32_t>(symbol);
    s.state = (state >= 0 && state <= 8) ? static_cast<authsession::State>(state)
                                         : authsession::State::invalid;
    s.created = core::from_millis(created);
    s.expires = core::from_millis(expires);
    s.updated = core::from_millis(updated);
    return s;
  }
};

}  // namespace

void AuthSessionStore::save(std::span<const authsession::AuthSession> sessions) {
  db_.transaction([&](soci::session& sql) {
    for (const auto& s : sessions) {
      Row r = Row::of(s);
      sql << "INSERT INTO auth_sessions(id, request_id, identity_key, secsignid, requested_as, "
             "service_name, service_address, plugin_name, api_method, requester_ip, "
             "show_access_pass, symbol, nonce, state, created_ms, expires_ms, updated_ms, "
             "device_id, message) VALUES(:id, :rid, :ik, :sid, :ra, :sn, :sa, :pn, :am, :ip, "
             ":sap, :sym, :nonce, :state, :c, :e, :u, :dev, :msg) "
             "ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_ms = "
             "excluded.updated_ms, device_id = excluded.device_id, message = excluded.message",
          soci::use(r.id), soci::use(r.request_id), soci::use(r.identity_key),
          soci::use(r.secsignid), soci::use(r.requested_as), soci::use(r.service_name),
          soci::use(r.service_address), soci::use(r.plugin_name), soci::use(r.api_method),
          soci::use(r.requester_ip), soci::use(r.show_access_pass), soci::use(r.symbol),
          soci::use(r.nonce), soci::use(r.state), soci::use(r.created), soci::use(r.expires),
          soci::use(r.updated), soci::use(r.device_id), soci::use(r.message);
      // The audit trail records outcomes: a live session is in auth_sessions already (and
      // restored from there after a restart), so it costs no audit write until it ends.
      if (authsession::is_live(s.state)) continue;
      sql << "INSERT INTO audit(authsession_id, secsignid, identity_key, service_name, "
             "service_address, requester_ip, device_id, state, created_ms, updated_ms) "
             "VALUES(:id, :sid, :ik, :sn, :sa, :ip, :dev, :state, :c, :u) "
             "ON CONFLICT(authsession_id) DO UPDATE SET state = excluded.state, "
             "device_id = excluded.device_id, updated_ms = excluded.updated_ms",
          soci::use(r.id), soci::use(r.secsignid), soci::use(r.identity_key),
          soci::use(r.service_name), soci::use(r.service_address), soci::use(r.requester_ip),
          soci::use(r.device_id), soci::use(r.state), soci::use(r.created), soci::use(r.updated);
    }
  });
}

void AuthSessionStore::remove(const std::string& id) {
  db_.transaction([&](soci::session& sql) {
    sql << "DELETE FROM auth_sessions WHERE id = :id", soci::use(id);
  });
}

std::vector<authsession::AuthSession> AuthSessionStore::load_live() {
  std::vector<authsession::AuthSession> out;
  db_.read([&](soci::session& sql) {
    Row r;
    soci::statement st =
        (sql.prepare << "SELECT id, request_id, identity_key, secsignid, requested_as, "
                        "service_name, service_address, plugin_name, api_method, requester_ip, "
                        "nonce, device_id, message, show_access_pass, symbol, state, created_ms, "
                        "expires_ms, updated_ms FROM auth_sessions",
         soci::into(r.id), soci::into(r.request_id), soci::into(r.identity_key),
         soci::into(r.secsignid), soci::into(r.requested_as), soci::into(r.service_name),
         soci::into(r.service_address), soci::into(r.plugin_name), soci::into(r.api_method),
         soci::into(r.requester_ip), soci::into(r.nonce), soci::into(r.device_id),
         soci::into(r.message), soci::into(r.show_access_pass), soci::into(r.symbol),
         soci::into(r.state), soci::into(r.created), soci::into(r.expires), soci::into(r.updated));
    st.execute();
    while (st.fetch()) out.push_back(r.to_session());
  });
  return out;
}

std::vector<audit::Record> AuthSessionStore::list(const audit::Query& query) {
  std::vector<audit::Record> out;
  db_.read([&](soci::session& sql) {
    audit::Record rec;
    int state = 0;
    long long created = 0, updated = 0;
    const long long limit = static_cast<long long>(query.limit);
    const int every_identity = query.identity_key.empty() ? 1 : 0;
    soci::statement st =
        (sql.prepare << "SELECT authsession_id, secsignid, service_name, service_address, "
                        "requester_ip, device_id, state, created_ms, updated_ms FROM audit "
                        "WHERE (:all = 1 OR identity_key = :k) ORDER BY created_ms DESC "
                        "LIMIT :l",
         soci::into(rec.authsession_id), soci::into(rec.secsignid), soci::into(rec.service_name),
         soci::into(rec.service_address), soci::into(rec.requester_ip), soci::into(rec.device_id),
         soci::into(state), soci::into(created), soci::into(updated), soci::use(every_identity),
         soci::use(query.identity_key), soci::use(limit));
    st.execute();
    while (st.fetch()) {
      rec.state = static_cast<authsession::State>(state);
      rec.created = core::from_millis(created);
      rec.updated = core::from_millis(updated);
      out.push_back(rec);
    }
  });
  return out;
}

}  // namespace twofold::storage
