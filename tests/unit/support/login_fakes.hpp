#pragma once
// In-memory ports of the login domain, for its unit tests.
#include <map>

#include "login/session.hpp"

namespace twofold::fakes {

using login::BrowserSession;

class MemorySessions final : public login::SessionStore {
 public:
  std::map<std::string, BrowserSession> rows;
  void insert(const BrowserSession& s) override { rows[s.sid] = s; }
  std::optional<BrowserSession> find_by_hash(std::string_view h) override {
    for (auto& [_, s] : rows)
      if (s.secret_hash == h || (!h.empty() && s.previous_hash == h)) return s;
    return std::nullopt;
  }
  std::optional<BrowserSession> find_by_sid(std::string_view sid) override {
    auto it = rows.find(std::string(sid));
    return it == rows.end() ? std::nullopt : std::optional(it->second);
  }
  void touch(std::string_view sid, core::TimePoint t) override {
    rows[std::string(sid)].last_seen = t;
  }
  bool rotate(std::string_view sid, std::string_view expected, std::string_view next,
              core::TimePoint at) override {
    auto& s = rows[std::string(sid)];
    if (s.secret_hash != expected) return false;
    s.previous_hash = s.secret_hash;
    s.secret_hash = next;
    s.rotated = at;
    return true;
  }
  bool remove(std::string_view sid) override { return rows.erase(std::string(sid)) > 0; }
  std::size_t remove_identity(std::string_view key) override {
    return std::erase_if(rows, [&](auto& r) { return r.second.identity_key == key; });
  }
  std::size_t remove_stale(core::TimePoint now, core::TimePoint idle) override {
    return std::erase_if(rows, [&](auto& r) {
      return r.second.expires <= now || (!r.second.persistent && r.second.last_seen <= idle);
    });
  }
};

}  // namespace twofold::fakes
