#pragma once
// In-memory implementations of the domain's persistence ports, for unit tests of the pure
// domain code (the SQLite implementations have their own tests in storage_test.cpp).
#include <map>
#include <stdexcept>

#include "authsession/auth_session.hpp"
#include "device/device.hpp"
#include "identity/identity.hpp"

namespace twofold::fakes {

class MemoryDirectory : public identity::Directory {
 public:
  std::map<std::string, identity::Identity> rows;
  bool fail = false;
  std::optional<identity::Identity> find(std::string_view key) override {
    if (fail) throw std::runtime_error("disk full");
    auto it = rows.find(std::string(key));
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  bool create(identity::Identity& id, bool admin_if_first) override {
    if (rows.count(id.key)) return false;
    if (rows.empty() && admin_if_first) id.admin = true;
    rows[id.key] = id;
    return true;
  }
  void save(const identity::Identity& id) override {
    if (fail) throw std::runtime_error("disk full");
    rows[id.key] = id;
  }
  identity::Identity& add(const std::string& name) {
    identity::Identity id;
    id.key = identity::key_of(name);
    id.name = name;
    return rows[id.key] = id;
  }
};

class MemoryStore : public authsession::Store {
 public:
  std::map<std::string, authsession::AuthSession> live;
  std::map<std::string, authsession::AuthSession> audit;
  bool fail = false;
  void save(std::span<const authsession::AuthSession> sessions) override {
    if (fail) throw std::runtime_error("disk full");
    for (const auto& s : sessions) live[s.id] = audit[s.id] = s;
  }
  void remove(const std::string& id) override {
    if (fail) throw std::runtime_error("disk full");
    live.erase(id);
  }
  std::vector<authsession::AuthSession> load_live() override {
    std::vector<authsession::AuthSession> out;
    for (auto& [k, v] : live) out.push_back(v);
    return out;
  }
};

class RecordingListener : public authsession::Listener {
 public:
  std::vector<std::string> created;
  void session_created(const authsession::AuthSession& s) override { created.push_back(s.id); }
};

class MemoryRegistry : public device::Registry {
 public:
  std::vector<device::Device> devices;
  std::map<std::string, device::ActivationCode> codes;
  void add(const device::Device& d) override { devices.push_back(d); }
  std::optional<device::Device> find_by_token_hash(const std::string& h) override {
    for (auto& d : devices)
      if (d.token_hash == h) return d;
    return std::nullopt;
  }
  std::vector<device::Device> list(const std::string& key) override {
    std::vector<device::Device> out;
    for (auto& d : devices)
      if (d.identity_key == key) out.push_back(d);
    return out;
  }
  void add_activation_code(const device::ActivationCode& c) override { codes[c.code_hash] = c; }
  std::optional<device::ActivationCode> take_activation_code(const std::string& h) override {
    auto it = codes.find(h);
    if (it == codes.end()) return std::nullopt;
    auto c = it->second;
    codes.erase(it);
    return c;
  }
};

}  // namespace twofold::fakes
