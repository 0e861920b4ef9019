#include "authsession/service.hpp"

#include <algorithm>

#include "core/encoding.hpp"

namespace twofold::authsession {
namespace {

constexpr std::string_view kDeniedMessage = "You have denied the access pass.";
constexpr std::string_view kWrongSymbolMessage = "The wrong access pass was chosen.";
constexpr std::string_view kNotMeMessage = "The user reported that this login was not theirs.";
constexpr std::string_view kSuspendedMessage =
    "Several logins were requested at once; the ID is suspended until its owner resumes it "
    "on the authenticator.";
constexpr std::string_view kPriorityMessage =
    "Logins were requested at once again; sign in with the priority code shown on the "
    "authenticator.";

bool is_priority_code_shape(std::string_view s) {
  return s.size() == 8 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Error storage_error(const std::exception& e) {
  return {Failure::storage, "The server cannot store the request right now; try again.",
          std::string("storage: ") + e.what()};
}

}  // namespace

std::string_view state_name(State s) {
  switch (s) {
    case State::nostate:
      return "NOSTATE";
    case State::pending:
      return "PENDING";
    case State::expired:
      return "EXPIRED";
    case State::accepted:
      return "ACCEPTED";
    case State::denied:
      return "DENIED";
    case State::suspended:
      return "SUSPENDED";
    case State::canceled:
      return "CANCELED";
    case State::fetched:
      return "FETCHED";
    case State::invalid:
      return "INVALID";
  }
  return "INVALID";
}

Service::Service(Settings settings, const core::Clock& clock, core::Random& random,
                 identity::Directory& directory, Store& store, Listener& listener)
    : settings_(settings),
      clock_(clock),
      random_(random),
      directory_(directory),
      store_(store),
      listener_(listener) {}

void Service::restore() {
  auto loaded = store_.load_live();
  Lock lock(mutex_);
  for (auto& s : loaded) {
    index(s);
    schedule(s);
    sessions_.emplace(s.id, std::move(s));
  }
}

void Service::schedule(const AuthSession& s) {
  deadlines_.emplace(is_live(s.state) ? s.expires : s.updated + settings_.retention, s.id);
}

void Service::index(const AuthSession& s) {
  if (is_live(s.state)) by_identity_[s.identity_key].push_back(s.id);
}

void Service::unindex(const AuthSession& s) {
  auto it = by_identity_.find(s.identity_key);
  if (it == by_identity_.end()) return;
  auto& ids = it->second;
  ids.erase(std::remove(ids.begin(), ids.end(), s.id), ids.end());
  if (ids.empty()) by_identity_.erase(it);
}

bool Service::persist(std::span<const AuthSession> changed, Error& error) {
  try {
    store_.save(changed);
    for (const auto& c : changed) schedule(c);
    return true;
  } catch (const std::exception& e) {
    error = storage_error(e);
    return false;
  }
}

std::string Service::new_session_id() {
  for (;;) {
    auto id = random_.digits(19, true);
    if (!sessions_.count(id)) return id;
  }
}

Outcome<AuthSession> Service::request(const NewRequest& req) {
  const auto now = clock_.now();
  Lock lock(mutex_);

  // A priority code stands in for the ID and bypasses a suspension (R-S7).
  std::string key;
  bool via_priority_code = false;
  if (is_priority_code_shape(req.secsignid)) {
    auto it = priority_codes_.find(req.secsignid);
    if (it != priority_codes_.end() && it->second.second > now) {
      key = it->second.first;
      via_priority_code = true;
      priority_codes_.erase(it);
    }
  }
  if (!via_priority_code) {
    if (!identity::is_valid_name(req.secsignid))
      return Error{Failure::unknown_id, "The SecSign ID " + req.secsignid + " does not exist."};
    key = identity::key_of(req.secsignid);
  }

  std::optional<identity::Identity> id;
  try {
    id = directory_.find(key);
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  if (!id)
    return Error{Failure::unknown_id, "The SecSign ID " + req.secsignid + " does not exist."};
  if (id->locked) return Error{Failure::id_locked, "The ID " + id->name + " is locked."};

  AuthSession s;
  s.id = new_session_id();
  s.request_id = core::to_hex_upper(core::from_hex(random_.hex(32)).value());
  s.identity_key = key;
  s.secsignid = id->name;
  s.requested_as = req.secsignid;
  s.service_name = req.service_name;
  s.service_address = req.service_address;
  s.plugin_name = req.plugin_name;
  s.api_method = req.api_method;
  s.requester_ip = req.requester_ip;
  s.show_access_pass = req.show_access_pass;
  s.symbol = static_cast<std::uint32_t>(random_.uniform(settings_.symbol_count));
  s.nonce = random_.token(32);
  s.state = State::pending;
  s.created = s.updated = now;
  s.expires = now + settings_.timeout;

  // Concurrent requests for one ID suspend all of them (MFA-fatigue defence, R-S7/R-D2a).
  std::vector<AuthSession> changed;
  auto live = by_identity_.find(key);
  const bool has_live = live != by_identity_.end() && !live->second.empty();
  bool identity_changed = false;
  if (!via_priority_code) {
    if (id->priority_required_until > now) {
      s.state = State::suspended;
      s.message = kPriorityMessage;
    } else if (id->suspended) {
      s.state = State::suspended;
      s.message = kSuspendedMessage;
    } else if (has_live) {
      s.state = State::suspended;
      s.message = kSuspendedMessage;
      id->suspended = true;
      id->recent_suspensions = (now - id->last_suspension < settings_.suspension_window)
                                   ? id->recent_suspensions + 1
                                   : 1;
      id->last_suspension = now;
      if (id->recent_suspensions >= 2) {
        id->priority_required_until = now + settings_.suspension_window;
        s.message = kPriorityMessage;
      }
      identity_changed = true;
    }
  }
  if (has_live && (s.state == State::suspended || via_priority_code)) {
    for (const auto& other_id : live->second) {
      AuthSession other = sessions_.at(other_id);
      other.state = State::suspended;
      other.message = s.message.empty() ? std::string(kSuspendedMessage) : s.message;
      other.updated = now;
      changed.push_back(std::move(other));
    }
  }
  changed.push_back(s);

  Error error;
  if (identity_changed) {
    try {
      directory_.save(*id);
    } catch (const std::exception& e) {
      return storage_error(e);
    }
  }
  if (!persist(changed, error)) return error;
  for (auto& c : changed) {
    auto& slot = sessions_[c.id];
    if (!slot.id.empty()) unindex(slot);
    slot = c;
    index(slot);
  }
  lock.unlock();
  if (s.state == State::pending) listener_.session_created(s);
  return s;
}

void Service::expire_if_due(AuthSession& s) {
  if (!is_live(s.state) || clock_.now() < s.expires) return;
  AuthSession next = s;
  next.state = State::expired;
  next.updated = clock_.now();
  // Expiry follows from the clock, so it holds even if this write fails: the row then stays
  // live in the database and expires again when it is next loaded.
  Error ignored;
  if (!persist({&next, 1}, ignored)) schedule(next);
  unindex(s);
  s = std::move(next);
}

Outcome<AuthSession*> Service::locate(std::string_view secsignid, std::string_view id,
                                      std::string_view request_id) {
  auto it = sessions_.find(std::string(id));
  const auto key = identity::key_of(secsignid);
  if (it == sessions_.end() ||
      (key != it->second.identity_key && key != identity::key_of(it->second.requested_as)))
    return Error{Failure::unknown_session,
                 "The auth session does not exist or is no longer pending."};
  if (!core::secure_equals(request_id, it->second.request_id))
    return Error{Failure::wrong_request_id, "The request id does not match the auth session."};
  expire_if_due(it->second);
  return &it->second;
}

Outcome<AuthSession> Service::state(std::string_view secsignid, std::string_view id,
                                    std::string_view request_id) {
  Lock lock(mutex_);
  auto found = locate(secsignid, id, request_id);
  if (auto* e = std::get_if<Error>(&found)) return *e;
  return *std::get<AuthSession*>(found);
}

Outcome<AuthSession> Service::cancel(std::string_view secsignid, std::string_view id,
                                     std::string_view request_id) {
  Lock lock(mutex_);
  auto found = locate(secsignid, id, request_id);
  if (auto* e = std::get_if<Error>(&found)) return *e;
  AuthSession s = *std::get<AuthSession*>(found);
  if (is_live(s.state)) {
    s.state = State::canceled;
    s.updated = clock_.now();
    Error error;
    if (!persist({&s, 1}, error)) return error;
  }
  try {
    store_.remove(s.id);
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  unindex(sessions_.at(s.id));
  sessions_.erase(s.id);
  return s;
}

Outcome<AuthSession> Service::release(std::string_view secsignid, std::string_view id,
                                      std::string_view request_id) {
  // Releasing an unanswered session must not leave it answerable on the device.
  return cancel(secsignid, id, request_id);
}

Outcome<std::vector<AuthSession>> Service::fetch(const std::string& identity_key) {
  Lock lock(mutex_);
  std::vector<AuthSession> out;
  auto live = by_identity_.find(identity_key);
  if (live == by_identity_.end()) return out;
  const auto ids = live->second;  // copy: expiry may unindex
  std::vector<AuthSession> changed;
  for (const auto& sid : ids) {
    auto& s = sessions_.at(sid);
    expire_if_due(s);
    if (!is_live(s.state)) continue;
    if (s.state == State::pending) {
      AuthSession next = s;
      next.state = State::fetched;
      next.updated = clock_.now();
      changed.push_back(next);
      out.push_back(std::move(next));
    } else {
      out.push_back(s);
    }
  }
  Error error;
  if (!changed.empty() && !persist(changed, error)) return error;
  for (auto& c : changed) sessions_[c.id] = c;
  std::sort(out.begin(), out.end(),
            [](const AuthSession& a, const AuthSession& b) { return a.created < b.created; });
  return out;
}

std::optional<AuthSession> Service::find(const std::string& identity_key, std::string_view id) {
  Lock lock(mutex_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end() || it->second.identity_key != identity_key) return std::nullopt;
  expire_if_due(it->second);
  return it->second;
}

Outcome<AuthSession*> Service::pending_for_device(const std::string& identity_key,
                                                  std::string_view id, std::string_view nonce) {
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end() || it->second.identity_key != identity_key)
    return Error{Failure::unknown_session, "No such auth session."};
  expire_if_due(it->second);
  if (!is_live(it->second.state) || !core::secure_equals(nonce, it->second.nonce))
    return Error{Failure::not_pending, "The auth session is no longer pending."};
  return &it->second;
}

Outcome<AuthSession> Service::answer(const std::string& identity_key, std::string_view id,
                                     Decision decision, std::uint32_t symbol,
                                     std::string_view nonce, const std::string& device_id) {
  Lock lock(mutex_);
  auto found = pending_for_device(identity_key, id, nonce);
  if (auto* e = std::get_if<Error>(&found)) return *e;
  AuthSession& current = *std::get<AuthSession*>(found);

  AuthSession next = current;
  next.updated = clock_.now();
  next.device_id = device_id;
  if (decision == Decision::deny) {
    next.state = State::denied;
    next.message = kDeniedMessage;
  } else if (next.show_access_pass && symbol != next.symbol) {
    next.state = State::denied;  // a wrong symbol is a denial (R-D2)
    next.message = kWrongSymbolMessage;
  } else {
    next.state = State::accepted;
    next.message.clear();
  }
  Error error;
  if (!persist({&next, 1}, error)) return error;
  unindex(current);
  current = next;
  return next;
}

Outcome<std::vector<AuthSession>> Service::deny_all(const std::string& identity_key,
                                                    std::string_view id, std::string_view nonce,
                                                    const std::string& device_id) {
  Lock lock(mutex_);
  auto found = pending_for_device(identity_key, id, nonce);
  if (auto* e = std::get_if<Error>(&found)) return *e;
  std::vector<AuthSession> changed;
  for (const auto& sid : by_identity_[identity_key]) {
    AuthSession next = sessions_.at(sid);
    next.state = State::denied;
    next.message = kNotMeMessage;
    next.updated = clock_.now();
    next.device_id = device_id;
    changed.push_back(std::move(next));
  }
  Error error;
  if (!persist(changed, error)) return error;
  for (auto& c : changed) {
    unindex(sessions_.at(c.id));
    sessions_[c.id] = c;
  }
  return changed;
}

Outcome<PriorityCode> Service::issue_priority_code(const std::string& identity_key) {
  const auto now = clock_.now();
  Lock lock(mutex_);
  for (auto it = priority_codes_.begin(); it != priority_codes_.end();) {
    if (it->second.second <= now || it->second.first == identity_key)
      it = priority_codes_.erase(it);
    else
      ++it;
  }
  std::string code;
  do {
    code = random_.digits(8, true);
  } while (priority_codes_.count(code));
  const auto expires = now + settings_.priority_code_life;
  priority_codes_[code] = {identity_key, expires};
  return PriorityCode{code, expires};
}

std::size_t Service::sweep() {
  const auto now = clock_.now();
  Lock lock(mutex_);
  std::size_t changed = 0;
  std::vector<std::string> purge;
  while (!deadlines_.empty() && deadlines_.top().first <= now) {
    const std::string sid = deadlines_.top().second;
    deadlines_.pop();
    auto it = sessions_.find(sid);
    if (it == sessions_.end()) continue;
    auto& s = it->second;
    if (is_live(s.state)) {
      if (now >= s.expires) {
        expire_if_due(s);  // persists, which schedules the purge
        ++changed;
      }
    } else if (now - s.updated >= settings_.retention) {
      purge.push_back(sid);
    }
  }
  for (std::size_t i = 0; i < purge.size(); ++i) {
    try {
      store_.remove(purge[i]);
    } catch (const std::exception&) {
      // try these again on the next sweep
      for (std::size_t j = i; j < purge.size(); ++j) deadlines_.emplace(now, purge[j]);
      break;
    }
    unindex(sessions_.at(purge[i]));
    sessions_.erase(purge[i]);
    ++changed;
  }
  return changed;
}

std::size_t Service::live_count() const {
  Lock lock(mutex_);
  std::size_t n = 0;
  for (const auto& [k, ids] : by_identity_) n += ids.size();
  return n;
}

std::size_t Service::size() const {
  Lock lock(mutex_);
  return sessions_.size();
}

}  // namespace twofold::authsession
