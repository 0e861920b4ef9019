// The LDAP credential source (R-C2) against a fake directory behind its port: escaping of
// injection strings, failover order, what counts as which failure, group → role mapping and
// the profile sync; the mixed orders with the admin rule (R-C3, R-C6); the [ldap] settings.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "config/config.hpp"
#include "sources/configured/configured.hpp"
#include "sources/ldap/escape.hpp"
#include "sources/ldap/ldap_source.hpp"
#include "storage/database.hpp"
#include "storage/identity_store.hpp"
#include "storage/ldap_link_store.hpp"
#include "support/memory_ports.hpp"

#include <unistd.h>

#include <filesystem>

using namespace twofold;
using namespace twofold::sources;
using namespace twofold::sources::ldap;

namespace {

// --- escaping ---------------------------------------------------------------------------

TEST(LdapEscape, FilterValuesCannotWidenASearch) {
  EXPECT_EQ(escape_filter_value("alice"), "alice");
  EXPECT_EQ(escape_filter_value("*)(uid=*"), "\\2a\\29\\28uid=\\2a");
  EXPECT_EQ(escape_filter_value("*"), "\\2a");
  EXPECT_EQ(escape_filter_value("a\\b"), "a\\5cb");
  EXPECT_EQ(escape_filter_value(std::string("a\0b", 3)), "a\\00b");
  EXPECT_EQ(escape_filter_value("admin)(|(objectClass=*"), "admin\\29\\28|\\28objectClass=\\2a");
  EXPECT_EQ(escape_filter_value("Jürgen"), "Jürgen");  // UTF-8 passes as it is
  EXPECT_EQ(expand("(&(objectClass=person)(uid={user}))", {{"user", escape_filter_value("*")}}),
            "(&(objectClass=person)(uid=\\2a))");
}

TEST(LdapEscape, DnValuesCannotMoveTheBind) {
  EXPECT_EQ(escape_dn_value("alice"), "alice");
  EXPECT_EQ(escape_dn_value("x,ou=admins"), "x\\,ou\\=admins");
  EXPECT_EQ(escape_dn_value("a+b\"c;d<e>f\\g"), "a\\+b\\\"c\\;d\\<e\\>f\\\\g");
  EXPECT_EQ(escape_dn_value("#lead"), "\\#lead");
  EXPECT_EQ(escape_dn_value(" both "), "\\ both\\ ");
  EXPECT_EQ(escape_dn_value("mid#dle"), "mid#dle");
  EXPECT_EQ(escape_dn_value(std::string("a\0", 2)), "a\\00");
  EXPECT_EQ(expand("uid={user},ou=people,dc=example,dc=org", {{"user", escape_dn_value("a,b")}}),
            "uid=a\\,b,ou=people,dc=example,dc=org");
}

TEST(LdapEscape, TemplatesRefuseUnknownPlaceholders) {
  EXPECT_THROW(expand("uid={usr}", {{"user", "x"}}), std::invalid_argument);
  EXPECT_THROW(expand("uid={user", {{"user", "x"}}), std::invalid_argument);
  EXPECT_THROW(expand("uid=user}", {{"user", "x"}}), std::invalid_argument);
  EXPECT_EQ(expand("{user}{user}", {{"user", "x"}}), "xx");
}

TEST(LdapEscape, DnNormalisationAndFirstRdn) {
  EXPECT_EQ(normalize_dn("CN=Admins, OU=Groups ,DC=Example,DC=org"),
            "cn=admins,ou=groups,dc=example,dc=org");
  EXPECT_EQ(first_rdn_value("cn=Team Leads,ou=groups,dc=x"), "Team Leads");
  EXPECT_EQ(first_rdn_value("cn=a\\,b,ou=g"), "a,b");
  EXPECT_EQ(first_rdn_value("cn=\\41bc,ou=g"), "Abc");
  EXPECT_EQ(first_rdn_value("nonsense"), "");
}

// --- mapping ----------------------------------------------------------------------------

TEST(LdapMapping, GroupsMapToRolesByDnOrName) {
  const std::vector<GroupRoles> table{{"cn=admins,ou=groups,dc=example,dc=org", {"admin"}},
                                      {"Developers", {"dev", "staff"}},
                                      {"staff", {"staff"}},
                                      {"cn=nobody,dc=example,dc=org", {"ghost"}}};
  const std::vector<std::string> groups{"CN=Admins, ou=Groups,dc=example,dc=org",
                                        "cn=developers,ou=groups,dc=example,dc=org",
                                        "cn=staff,ou=other,dc=example,dc=org"};
  EXPECT_EQ(map_roles(groups, table), (std::vector<std::string>{"admin", "dev", "staff"}));
  EXPECT_TRUE(map_roles({}, table).empty());
  EXPECT_TRUE(map_roles(groups, {}).empty());
  // A name entry does not match a DN that merely contains it further up.
  EXPECT_TRUE(map_roles({"cn=x,ou=developers,dc=org"}, {{"developers", {"dev"}}}).empty());
}

TEST(LdapMapping, ActiveDirectoryExpiredPasswords) {
  EXPECT_EQ(bind_failure({Status::invalid_credentials,
                          "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext "
                          "error, data 532, v3839"}),
            Failure::expired_password);
  EXPECT_EQ(bind_failure({Status::invalid_credentials, "data 773, v4563"}),
            Failure::expired_password);
  EXPECT_EQ(bind_failure({Status::invalid_credentials, "data 52e, v4563"}),
            Failure::wrong_password);
  EXPECT_EQ(bind_failure({Status::invalid_credentials, ""}), Failure::wrong_password);
}

// --- a fake directory behind the port -----------------------------------------------------

struct FakeServer {
  bool refuse_connect = false;                   // connection refused
  bool hang = false;                             // connects, then every operation times out
  std::map<std::string, std::string> passwords;  // DN → password
  std::vector<Entry> entries;                    // what searches can find
  // filter → DNs it matches (exact filter text: the test checks the escaping this way)
  std::map<std::string, std::vector<std::string>> filters;
  bool fail_group_search = false;
};

struct Log {
  std::vector<std::string> lines;
  void add(std::string s) { lines.push_back(std::move(s)); }
  bool has(const std::string& needle) const {
    for (const auto& l : lines)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
  int count(const std::string& prefix) const {
    int n = 0;
    for (const auto& l : lines) n += l.rfind(prefix, 0) == 0;
    return n;
  }
};

class FakeConnection : public Connection {
 public:
  FakeConnection(std::string uri, FakeServer& server, Log& log)
      : uri_(std::move(uri)), server_(server), log_(log) {}
  Result bind(const std::string& dn, const std::string& password) override {
    log_.add("bind " + uri_ + " " + dn);
    if (server_.hang) return {Status::unavailable, "bind: no answer within 2000 ms"};
    auto it = server_.passwords.find(dn);
    if (it == server_.passwords.end() || it->second != password)
      return {Status::invalid_credentials, "bind: Invalid credentials"};
    return {};
  }
  SearchResult search(const std::string& base, Scope scope, const std::string& filter,
                      const std::vector<std::string>&, int size_limit) override {
    log_.add("search " + uri_ + " " + base + " " + filter);
    SearchResult out;
    if (server_.hang) {
      out.result = {Status::unavailable, "search: no answer within 2000 ms"};
      return out;
    }
    if (server_.fail_group_search && base.find("ou=groups") != std::string::npos) {
      out.result = {Status::error, "search: Insufficient access"};
      return out;
    }
    std::vector<std::string> dns;
    if (scope == Scope::base)
      dns.push_back(base);
    else if (auto it = server_.filters.find(filter); it != server_.filters.end())
      dns = it->second;
    for (const auto& dn : dns)
      for (const auto& e : server_.entries)
        if (e.dn == dn) out.entries.push_back(e);
    if (size_limit > 0 && static_cast<int>(out.entries.size()) > size_limit)
      out.entries.resize(static_cast<std::size_t>(size_limit));
    return out;
  }

 private:
  std::string uri_;
  FakeServer& server_;
  Log& log_;
};

class FakeConnector : public Connector {
 public:
  std::map<std::string, FakeServer> servers;
  Log log;
  std::unique_ptr<Connection> connect(const std::string& uri, Result& error) override {
    log.add("connect " + uri);
    auto& s = servers[uri];
    if (s.refuse_connect) {
      error = {Status::unavailable, "Can't contact LDAP server"};
      return nullptr;
    }
    return std::make_unique<FakeConnection>(uri, s, log);
  }
};

class MemoryLinks : public LinkStore {
 public:
  std::map<std::string, std::string, std::less<>> rows;
  std::optional<std::string> ldap_id(std::string_view key) override {
    auto it = rows.find(key);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  void link(std::string_view key, std::string_view id) override { rows[std::string(key)] = id; }
  bool unlink(std::string_view key) override { return rows.erase(std::string(key)) > 0; }
};

class MemoryProfiles : public identity::ProfileStore {
 public:
  std::map<std::string, identity::Profile, std::less<>> rows;
  std::optional<identity::Profile> find_profile(std::string_view key) override {
    auto it = rows.find(key);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  void save_profile(const identity::Profile& p) override { rows[p.identity_key] = p; }
};

Entry entry(const std::string& dn, std::map<std::string, std::vector<std::string>> attrs) {
  return Entry{dn, std::move(attrs)};
}

constexpr const char* kA = "ldap://a.example";
constexpr const char* kB = "ldaps://b.example";
const std::string kAlice = "uid=alice,ou=people,dc=example,dc=org";

class LdapSourceTest : public ::testing::Test {
 protected:
  core::ManualClock clock;
  fakes::MemoryDirectory ids;
  MemoryLinks links;
  MemoryProfiles profiles;
  FakeConnector connector;
  Settings settings;

  void SetUp() override {
    settings.servers = {kA, kB};
    settings.user_dn_template = "uid={user},ou=people,dc=example,dc=org";
    settings.group_search_base = "ou=groups,dc=example,dc=org";
    settings.group_roles = {{"admins", {"admin"}}, {"staff", {"staff"}}};
    ids.add("Alice");
    ids.add("dora");  // no LDAP id
    links.rows["alice"] = "alice";
    for (const char* uri : {kA, kB}) {
      auto& s = connector.servers[uri];
      s.passwords[kAlice] = "secret";
      s.entries = {entry(kAlice, {{"mail", {"alice@example.org"}},
                                  {"displayname", {"Alice Liddell"}},
                                  {"cn", {"Alice"}}}),
                   entry("cn=admins,ou=groups,dc=example,dc=org", {}),
                   entry("cn=staff,ou=groups,dc=example,dc=org", {})};
      s.filters["(member=uid=alice,ou=people,dc=example,dc=org)"] = {
          "cn=admins,ou=groups,dc=example,dc=org", "cn=staff,ou=groups,dc=example,dc=org"};
    }
  }
  Source source() { return Source(settings, connector, ids, links, &profiles, clock); }
  static Failure failure(const Outcome<Authenticated>& o) { return std::get<Error>(o).failure; }
};

TEST_F(LdapSourceTest, DirectBindMapsAttributesGroupsAndRoles) {
  auto s = source();
  auto out = s.authenticate({"alice", "secret"});
  ASSERT_TRUE(std::holds_alternative<Authenticated>(out)) << std::get<Error>(out).detail;
  const auto& a = std::get<Authenticated>(out);
  EXPECT_EQ(a.key, "alice");
  EXPECT_EQ(a.source, "ldap");
  EXPECT_EQ(a.username, "Alice");
  EXPECT_EQ(a.email, "alice@example.org");
  EXPECT_EQ(a.display_name, "Alice Liddell");
  EXPECT_EQ(a.roles, (std::vector<std::string>{"admin", "staff"}));
  EXPECT_EQ(a.groups.size(), 2u);
  EXPECT_EQ(connector.log.lines.front(), std::string("connect ") + kA);
  EXPECT_TRUE(connector.log.has("bind ldap://a.example " + kAlice));
  EXPECT_FALSE(connector.log.has("connect ldaps://b.example"));  // no failover needed
  // The profile now carries the directory's claims.
  const auto& p = profiles.rows.at("alice");
  EXPECT_EQ(p.email, "alice@example.org");
  EXPECT_FALSE(p.email_verified);
  EXPECT_EQ(p.display_name, "Alice Liddell");
  EXPECT_EQ(p.roles, (std::vector<std::string>{"admin", "staff"}));
}

TEST_F(LdapSourceTest, WhatCountsAsWhichFailure) {
  auto s = source();
  EXPECT_EQ(failure(s.authenticate({"alice", "wrong"})), Failure::wrong_password);
  // A refused password is definitive: the second server is not asked.
  EXPECT_FALSE(connector.log.has("connect ldaps://b.example"));
  EXPECT_EQ(failure(s.authenticate({"dora", "x"})), Failure::not_applicable);  // no LDAP id
  EXPECT_EQ(failure(s.authenticate({"nobody", "x"})), Failure::unknown_user);
  EXPECT_EQ(failure(s.authenticate({"not valid!", "x"})), Failure::unknown_user);
  connector.log.lines.clear();
  // An empty password would be an anonymous bind, which servers accept: never sent.
  EXPECT_EQ(failure(s.authenticate({"alice", ""})), Failure::wrong_password);
  EXPECT_EQ(failure(s.authenticate({"alice", std::string(2000, 'x')})), Failure::wrong_password);
  EXPECT_TRUE(connector.log.lines.empty());
  ids.fail = true;
  EXPECT_EQ(failure(s.authenticate({"alice", "secret"})), Failure::unavailable);
}

TEST_F(LdapSourceTest, TheLinkedLdapIdIsBoundNotTheTypedLogin) {
  links.rows["alice"] = "x,ou=admins";
  auto s = source();
  EXPECT_EQ(failure(s.authenticate({"alice", "secret"})), Failure::wrong_password);
  EXPECT_TRUE(connector.log.has("bind ldap://a.example uid=x\\,ou\\=admins,ou=people"));
}

TEST_F(LdapSourceTest, FailoverOnConnectFailureAndOnHangingServer) {
  connector.servers[kA].refuse_connect = true;
  auto s = source();
  auto out = s.authenticate({"alice", "secret"});
  ASSERT_TRUE(std::holds_alternative<Authenticated>(out));
  EXPECT_EQ(connector.log.lines[0], std::string("connect ") + kA);
  EXPECT_EQ(connector.log.lines[1], std::string("connect ") + kB);
  EXPECT_NE(std::get<Authenticated>(out).detail.find(kB), std::string::npos);

  connector.servers[kA].refuse_connect = false;
  connector.servers[kA].hang = true;
  connector.log.lines.clear();
  out = s.authenticate({"alice", "secret"});
  ASSERT_TRUE(std::holds_alternative<Authenticated>(out));
  EXPECT_EQ(connector.log.count("connect "), 2);

  // Both down: unavailable, and the detail names each server's reason in order.
  connector.servers[kB].refuse_connect = true;
  auto down = s.authenticate({"alice", "secret"});
  ASSERT_EQ(failure(down), Failure::unavailable);
  const auto& detail = std::get<Error>(down).detail;
  EXPECT_LT(detail.find("ldap://a.example: bind as"), detail.find("ldaps://b.example: connect"))
      << detail;
  EXPECT_NE(detail.find("no answer within"), std::string::npos) << detail;
  EXPECT_EQ(std::get<Error>(down).message, browser_message(Failure::unavailable));
}

TEST_F(LdapSourceTest, FailedGroupSearchIsNotALoginWithoutRoles) {
  connector.servers[kA].fail_group_search = true;
  connector.servers[kB].fail_group_search = true;
  auto s = source();
  EXPECT_EQ(failure(s.authenticate({"alice", "secret"})), Failure::unavailable);
  EXPECT_TRUE(profiles.rows.empty());
}

TEST_F(LdapSourceTest, ExistsSaysGoneOnlyWhenADirectoryAnswersSo) {
  auto s = source();
  std::string detail;
  EXPECT_EQ(s.exists("alice", &detail), Presence::present) << detail;
  EXPECT_TRUE(connector.log.has("search ldap://a.example " + kAlice + " (objectClass=*)"));
  EXPECT_FALSE(connector.log.has("bind "));  // anonymous read, no user password involved
  EXPECT_EQ(s.exists("carol", &detail), Presence::gone) << detail;
  EXPECT_NE(detail.find("not found"), std::string::npos) << detail;

  // The first server down: the second one decides, either way.
  connector.servers[kA].refuse_connect = true;
  EXPECT_EQ(s.exists("alice"), Presence::present);
  connector.servers[kB].entries.clear();
  EXPECT_EQ(s.exists("alice", &detail), Presence::gone);
  EXPECT_NE(detail.find("skipped ldap://a.example: connect"), std::string::npos) << detail;
  // Every server down (refused, hanging): unavailable, never gone.
  connector.servers[kB].hang = true;
  EXPECT_EQ(s.exists("alice", &detail), Presence::unavailable);
  EXPECT_NE(detail.find("no LDAP server answered"), std::string::npos) << detail;

  // Search with the service account: a refused account or a failed search is not "gone".
  settings.user_dn_template.clear();
  settings.bind_dn = "cn=twofold,ou=services,dc=example,dc=org";
  settings.bind_password = "svc";
  settings.user_search_base = "ou=people,dc=example,dc=org";
  connector.servers[kA].refuse_connect = false;
  connector.servers[kA].passwords[settings.bind_dn] = "svc";
  connector.servers[kA].filters["(uid=alice)"] = {kAlice};
  auto search = source();
  connector.log.lines.clear();
  EXPECT_EQ(search.exists("alice"), Presence::present);
  EXPECT_EQ(connector.log.lines[1], "bind ldap://a.example " + settings.bind_dn);
  EXPECT_EQ(search.exists("*"), Presence::gone);  // escaped: matches nobody
  EXPECT_TRUE(connector.log.has("(uid=\\2a)"));
  connector.servers[kA].passwords[settings.bind_dn] = "rotated";
  EXPECT_EQ(search.exists("carol"), Presence::unavailable);
}

TEST_F(LdapSourceTest, SearchThenBindEscapesTheFilter) {
  settings.user_dn_template.clear();
  settings.bind_dn = "cn=twofold,ou=services,dc=example,dc=org";
  settings.bind_password = "svc";
  settings.user_search_base = "ou=people,dc=example,dc=org";
  settings.user_search_filter = "(&(objectClass=inetOrgPerson)(uid={user}))";
  for (const char* uri : {kA, kB}) {
    auto& srv = connector.servers[uri];
    srv.passwords[settings.bind_dn] = "svc";
    srv.filters["(&(objectClass=inetOrgPerson)(uid=alice))"] = {kAlice};
    // What an unescaped injection would have matched: everybody.
    srv.filters["(&(objectClass=inetOrgPerson)(uid=*)(uid=*))"] = {kAlice};
  }
  auto s = source();
  auto ok = s.authenticate({"alice", "secret"});
  ASSERT_TRUE(std::holds_alternative<Authenticated>(ok)) << std::get<Error>(ok).detail;
  EXPECT_EQ(connector.log.lines[1], "bind ldap://a.example " + settings.bind_dn);
  EXPECT_EQ(std::get<Authenticated>(ok).email, "alice@example.org");

  links.rows["alice"] = "*)(uid=*";
  connector.log.lines.clear();
  auto refused = s.authenticate({"alice", "secret"});
  EXPECT_EQ(failure(refused), Failure::unknown_user);
  EXPECT_TRUE(connector.log.has("(uid=\\2a\\29\\28uid=\\2a))")) << connector.log.lines[2];
  EXPECT_FALSE(connector.log.has("bind ldap://a.example " + kAlice));

  // Two entries for one id: refused, not "the first one".
  links.rows["alice"] = "alice";
  connector.servers[kA].filters["(&(objectClass=inetOrgPerson)(uid=alice))"] = {
      kAlice, "cn=admins,ou=groups,dc=example,dc=org"};
  EXPECT_EQ(failure(s.authenticate({"alice", "secret"})), Failure::unknown_user);

  // A refused service account is a server problem: next server.
  connector.servers[kA].passwords[settings.bind_dn] = "rotated";
  connector.log.lines.clear();
  EXPECT_TRUE(std::holds_alternative<Authenticated>(s.authenticate({"alice", "secret"})));
  EXPECT_TRUE(connector.log.has("connect ldaps://b.example"));
}

TEST_F(LdapSourceTest, MemberOfAttributeAndProfileRules) {
  settings.group_search_base.clear();
  settings.member_of_attribute = "memberOf";
  settings.email_verified = true;
  for (const char* uri : {kA, kB})
    connector.servers[uri].entries[0].attributes["memberof"] = {
        "cn=staff,ou=groups,dc=example,dc=org"};
  identity::Profile before;
  before.identity_key = "alice";
  before.roles = {"admin", "auditor"};
  before.disabled = true;
  profiles.rows["alice"] = before;
  auto s = source();
  auto out = s.authenticate({"alice", "secret"});
  ASSERT_TRUE(std::holds_alternative<Authenticated>(out));
  const auto& p = profiles.rows.at("alice");
  EXPECT_EQ(p.roles, std::vector<std::string>{"staff"});  // the table decides
  EXPECT_TRUE(p.email_verified);
  EXPECT_TRUE(p.disabled);  // never touched by the sync

  // Without a table the admin's roles stay.
  settings.group_roles.clear();
  profiles.rows["alice"] = before;
  auto plain = source();
  ASSERT_TRUE(std::holds_alternative<Authenticated>(plain.authenticate({"alice", "secret"})));
  EXPECT_EQ(profiles.rows.at("alice").roles, before.roles);
}

TEST_F(LdapSourceTest, SettingsAreValidated) {
  auto bad = settings;
  bad.servers.clear();
  EXPECT_THROW(Source(bad, connector, ids, links, &profiles, clock), std::invalid_argument);
  bad = settings;
  bad.user_dn_template = "uid={login},dc=x";
  EXPECT_THROW(Source(bad, connector, ids, links, &profiles, clock), std::invalid_argument);
  bad = settings;
  bad.user_dn_template.clear();
  EXPECT_THROW(Source(bad, connector, ids, links, &profiles, clock), std::invalid_argument);
  bad = settings;
  bad.group_roles = {{"admins", {"bad role"}}};
  EXPECT_THROW(Source(bad, connector, ids, links, &profiles, clock), std::invalid_argument);
}

// --- the configured order with the admin rule (R-C3, R-C6) ---------------------------------

class MemoryPasswords : public database::PasswordStore {
 public:
  std::map<std::string, database::StoredPassword, std::less<>> rows;
  std::optional<database::StoredPassword> find(std::string_view key) override {
    auto it = rows.find(key);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> history(std::string_view, std::size_t) override { return {}; }
  void set(std::string_view key, const database::StoredPassword& p, std::size_t) override {
    rows[std::string(key)] = p;
  }
  bool rehash(std::string_view, const std::string&, const std::string&) override { return true; }
  bool remove(std::string_view key) override { return rows.erase(std::string(key)) > 0; }
};

config::Config ldap_config(const std::string& order) {
  return config::parse(
      "[password]\nargon2_opslimit = 1\nargon2_memlimit_kib = 8\n"
      "[sources]\norder = \"" +
          order +
          "\"\n"
          "[ldap]\nservers = [\"ldap://127.0.0.1:1\"]\nnetwork_timeout_seconds = 1\n"
          "user_dn_template = \"uid={user},dc=x\"\n",
      ".");
}

TEST(ConfiguredSources, OrdersAndTheAdminRule) {
  core::ManualClock clock;
  fakes::MemoryDirectory ids;
  MemoryPasswords passwords;
  MemoryLinks links;
  ids.add("root").admin = true;
  ids.add("dora");
  ids.add("lena");
  links.rows["lena"] = "lena";
  SourcePorts ports{clock, ids, passwords, links, nullptr};
  {
    ConfiguredSources s(ldap_config("database"), ports);
    EXPECT_EQ(s.credentials().name(), "database");
    EXPECT_EQ(s.ldap(), nullptr);
    EXPECT_FALSE(s.has_password("lena"));  // LDAP is not in the order: push alone
  }
  {
    ConfiguredSources s(ldap_config("ldap"), ports);
    // R-C6: the database stays for admins, after the configured sources.
    EXPECT_EQ(s.credentials().name(), "ldap,database(admins)");
    ASSERT_FALSE(s.database().set_password("root", "Adm1nPass").has_value());
    ASSERT_FALSE(s.database().set_password("dora", "D0raPass!").has_value());
    auto root = s.credentials().authenticate({"root", "Adm1nPass"});
    ASSERT_TRUE(std::holds_alternative<Authenticated>(root));
    EXPECT_EQ(std::get<Authenticated>(root).source, "database");
    // dora has a database password, but the order is "ldap" and she is no admin.
    auto dora = s.credentials().authenticate({"dora", "D0raPass!"});
    ASSERT_TRUE(std::holds_alternative<Error>(dora));
    EXPECT_NE(std::get<Error>(dora).detail.find("admins only"), std::string::npos);
    EXPECT_TRUE(s.has_password("lena"));
    EXPECT_TRUE(s.has_password("dora"));
    EXPECT_FALSE(s.has_password("root2"));
  }
  EXPECT_EQ(ConfiguredSources(ldap_config("ldap,database"), ports).credentials().name(),
            "ldap,database");
  EXPECT_EQ(ConfiguredSources(ldap_config("database,ldap"), ports).credentials().name(),
            "database,ldap");
}

// --- the SQLite link store (migration 11) -------------------------------------------------

TEST(LdapLinkStore, LinksSurviveAndGoAway) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("twofold-ldap-links-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    auto db = storage::Database::open_sqlite((dir / "t.db").string(), false, 100);
    storage::IdentityStore ids(*db);
    identity::Identity alice{"alice", "Alice"};
    ASSERT_TRUE(ids.create(alice, false));
    storage::LdapLinkStore links(*db);
    EXPECT_FALSE(links.ldap_id("alice").has_value());
    links.link("alice", "*)(uid=*");
    EXPECT_EQ(links.ldap_id("alice"), "*)(uid=*");
    links.link("alice", "alice.l");  // replaces
    EXPECT_EQ(links.ldap_id("alice"), "alice.l");
    EXPECT_TRUE(links.unlink("alice"));
    EXPECT_FALSE(links.unlink("alice"));
    EXPECT_FALSE(links.ldap_id("alice").has_value());
    // Only existing IDs can be linked (foreign key).
    EXPECT_ANY_THROW(links.link("ghost", "ghost"));
  }
  fs::remove_all(dir);
}

// --- [sources] and [ldap] settings ------------------------------------------------------

std::string config_error(const std::string& toml) {
  try {
    config::parse(toml, ".");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(LdapConfig, ParsesEverySetting) {
  const auto c = config::parse(R"toml(
[sources]
order = "ldap,database"
[ldap]
servers = ["ldaps://a:636", "ldap://b:389"]
ca_file = "ca.pem"
network_timeout_seconds = 2
operation_timeout_seconds = 3
bind_dn = "cn=svc,dc=x"
bind_password_file = "pw"
user_search_base = "ou=people,dc=x"
user_search_filter = "(&(objectClass=person)(uid={user}))"
user_search_scope = "one"
group_search_base = "ou=groups,dc=x"
group_search_filter = "(|(member={dn})(memberUid={user}))"
member_of_attribute = "memberOf"
email_verified = true
[ldap.group_roles]
"cn=admins,ou=groups,dc=x" = ["admin", "ops"]
staff = "staff"
)toml",
                               ".");
  EXPECT_EQ(c.sources.order, "ldap,database");
  EXPECT_EQ(c.ldap.servers.size(), 2u);
  EXPECT_EQ(c.ldap.network_timeout_seconds, 2u);
  EXPECT_EQ(c.ldap.user_search_scope, "one");
  ASSERT_EQ(c.ldap.group_roles.size(), 2u);
  EXPECT_EQ(c.ldap.group_roles[0].second, (std::vector<std::string>{"admin", "ops"}));
  EXPECT_EQ(c.ldap.group_roles[1].second, std::vector<std::string>{"staff"});
  // What `twofold setup` writes parses back to the same settings.
  const auto again = config::parse(config::render(c), ".");
  EXPECT_EQ(again.ldap.group_roles, c.ldap.group_roles);
  EXPECT_EQ(again.ldap.servers, c.ldap.servers);
  EXPECT_EQ(again.sources.order, c.sources.order);
  EXPECT_EQ(config::parse(config::render(config::Config{}), ".").sources.order, "database");
}

TEST(LdapConfig, ClearErrors) {
  const std::string ldap = "[ldap]\nservers = [\"ldap://a\"]\nuser_dn_template = \"uid={user}\"\n";
  EXPECT_NE(config_error("[sources]\norder = \"kerberos\"\n").find("unknown source \"kerberos\""),
            std::string::npos);
  EXPECT_NE(config_error("[sources]\norder = \"ldap,ldap\"\n" + ldap).find("twice"),
            std::string::npos);
  EXPECT_NE(config_error("[sources]\norder = \"ldap\"\n").find("[ldap] servers"),
            std::string::npos);
  EXPECT_NE(config_error("[sources]\norder = \"ldap\"\n[ldap]\nservers = [\"ldap://a\"]\n")
                .find("user_dn_template"),
            std::string::npos);
  EXPECT_NE(config_error("[ldap]\nservers = [\"http://a\"]\n").find("not an ldap://"),
            std::string::npos);
  EXPECT_NE(config_error("[ldap]\nuser_dn_template = \"uid={login}\"\n").find("{login}"),
            std::string::npos);
  EXPECT_NE(config_error("[ldap]\nbind_dn = \"cn=x\"\n").find("bind_password_file"),
            std::string::npos);
  EXPECT_NE(config_error("[ldap]\nnetwork_timeout_seconds = 0\n").find("network_timeout"),
            std::string::npos);
  EXPECT_NE(config_error("[ldap.group_roles]\nadmins = [\"a b\"]\n").find("not a valid role"),
            std::string::npos);
  EXPECT_NE(config_error("[ldap]\nservr = 1\n").find("unknown setting [ldap] servr"),
            std::string::npos);
  EXPECT_NE(config_error("[sources]\norder = \"ldap\"\n[ldap]\nservers = [\"ldaps://a\"]\n"
                         "starttls = true\nuser_dn_template = \"uid={user}\"\n")
                .find("starttls"),
            std::string::npos);
  EXPECT_EQ(config_error("[sources]\norder = \"database,ldap\"\n" + ldap), "");
}

}  // namespace
