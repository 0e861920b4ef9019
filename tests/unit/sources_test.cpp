// Credential sources: the mixed-mode chain (R-C3) and the database source (R-C1) with its
// SQLite store. Argon2id runs at libsodium's minimum cost so the suite stays fast under ASan.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "sources/database/database_source.hpp"
#include "sources/source.hpp"
#include "storage/database.hpp"
#include "storage/identity_store.hpp"
#include "storage/password_store.hpp"
#include "support/sqlite_fixture.hpp"

using namespace twofold;
using namespace twofold::sources;
namespace db = twofold::sources::database;

namespace {

class MemoryDirectory : public identity::Directory {
 public:
  std::map<std::string, identity::Identity, std::less<>> rows;
  std::optional<identity::Identity> find(std::string_view key) override {
    auto it = rows.find(key);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  bool create(identity::Identity& id, bool) override { return rows.emplace(id.key, id).second; }
  void save(const identity::Identity& id) override { rows[id.key] = id; }
  void add(const std::string& name, bool admin = false) {
    identity::Identity id;
    id.key = identity::key_of(name);
    id.name = name;
    id.admin = admin;
    rows[id.key] = id;
  }
};

class MemoryPasswords : public db::PasswordStore {
 public:
  std::map<std::string, db::StoredPassword, std::less<>> current;
  std::map<std::string, std::vector<std::string>, std::less<>> hist;  // newest first
  bool fail = false;
  std::optional<db::StoredPassword> find(std::string_view key) override {
    if (fail) throw std::runtime_error("disk on fire");
    auto it = current.find(key);
    if (it == current.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> history(std::string_view key, std::size_t limit) override {
    auto h = hist[std::string(key)];
    if (h.size() > limit) h.resize(limit);
    return h;
  }
  void set(std::string_view key, const db::StoredPassword& p, std::size_t keep) override {
    current[std::string(key)] = p;
    auto& h = hist[std::string(key)];
    h.insert(h.begin(), p.hash);
    if (h.size() > keep) h.resize(keep);
  }
  bool rehash(std::string_view key, const std::string& old_hash,
              const std::string& new_hash) override {
    auto it = current.find(key);
    if (it == current.end() || it->second.hash != old_hash) return false;
    it->second.hash = new_hash;
    for (auto& h : hist[std::string(key)])
      if (h == old_hash) h = new_hash;
    return true;
  }
  bool remove(std::string_view key) override {
    hist.erase(std::string(key));
    return current.erase(std::string(key)) > 0;
  }
};

db::Settings fast_settings() {
  db::Settings s;
  s.argon2 = db::minimum_params();
  return s;
}

template <typename T>
const Error& error_of(const Outcome<T>& o) {
  return std::get<Error>(o);
}

class DatabaseSourceTest : public ::testing::Test {
 protected:
  core::ManualClock clock;
  MemoryDirectory directory;
  MemoryPasswords passwords;
  std::unique_ptr<db::Source> source;
  void SetUp() override {
    directory.add("Alice", true);
    directory.add("bob");
    make(fast_settings());
  }
  void make(db::Settings s) {
    source = std::make_unique<db::Source>(std::move(s), clock, directory, passwords);
  }
  Outcome<Authenticated> login(std::string_view user, std::string_view password) {
    return source->authenticate({user, password});
  }
};

TEST(Argon2, HashesVerifyAndCarryTheirParameters) {
  const auto h = db::hash_password("Secret123", db::minimum_params());
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << h;
  EXPECT_TRUE(db::verify_password(h, "Secret123"));
  EXPECT_FALSE(db::verify_password(h, "Secret124"));
  EXPECT_FALSE(db::verify_password("garbage", "Secret123"));
  EXPECT_FALSE(db::verify_password(std::string(200, '$'), "Secret123"));
  EXPECT_NE(h, db::hash_password("Secret123", db::minimum_params()));  // salted
  EXPECT_FALSE(db::needs_rehash(h, db::minimum_params()));
  EXPECT_TRUE(db::needs_rehash(h, {2, 16 * 1024}));
  EXPECT_THROW(db::hash_password("x", {0, 8192}), db::HashError);
  EXPECT_THROW(db::hash_password("x", {1, 1024}), db::HashError);
}

TEST_F(DatabaseSourceTest, CorrectAndWrongPassword) {
  ASSERT_FALSE(source->set_password("alice", "Correct1Horse"));
  auto ok = login("Alice", "Correct1Horse");
  ASSERT_TRUE(std::holds_alternative<Authenticated>(ok)) << error_of(ok).detail;
  const auto& a = std::get<Authenticated>(ok);
  EXPECT_EQ(a.key, "alice");
  EXPECT_EQ(a.source, "database");
  EXPECT_EQ(a.username, "Alice");
  EXPECT_EQ(a.roles, std::vector<std::string>{"admin"});
  EXPECT_FALSE(a.password_change_required);

  auto bad = login("Alice", "Correct1Horsf");
  ASSERT_TRUE(std::holds_alternative<Error>(bad));
  EXPECT_EQ(error_of(bad).failure, Failure::wrong_password);
  EXPECT_EQ(error_of(login("Alice", "")).failure, Failure::wrong_password);
  EXPECT_EQ(error_of(login("Alice", std::string(2000, 'A'))).failure, Failure::wrong_password);
}

TEST_F(DatabaseSourceTest, UnknownUserCostsAVerifyAndLooksLikeAWrongPassword) {
  ASSERT_FALSE(source->set_password("alice", "Correct1Horse"));
  const auto before = source->verifications();
  auto wrong = login("Alice", "Nope1234");
  EXPECT_EQ(source->verifications(), before + 1);
  auto unknown = login("mallory", "Nope1234");
  EXPECT_EQ(source->verifications(), before + 2);
  EXPECT_EQ(error_of(unknown).failure, Failure::unknown_user);
  auto no_password = login("bob", "Nope1234");  // bob exists but has no password here
  EXPECT_EQ(source->verifications(), before + 3);
  EXPECT_EQ(error_of(no_password).failure, Failure::not_applicable);
  // The browser cannot tell the three apart; the log can.
  EXPECT_EQ(error_of(wrong).message, error_of(unknown).message);
  EXPECT_EQ(error_of(wrong).message, error_of(no_password).message);
  EXPECT_NE(error_of(unknown).detail.find("mallory"), std::string::npos);
}

TEST_F(DatabaseSourceTest, RehashesOnLoginWhenTheParametersChange) {
  ASSERT_FALSE(source->set_password("alice", "Correct1Horse"));
  const auto old_hash = passwords.current["alice"].hash;
  ASSERT_NE(old_hash.find("m=8,t=1"), std::string::npos);
  auto s = fast_settings();
  s.argon2 = {2, 16 * 1024};
  make(s);
  EXPECT_TRUE(std::holds_alternative<Error>(login("Alice", "wrong1A")));
  EXPECT_EQ(passwords.current["alice"].hash, old_hash);  // only a right password rehashes
  ASSERT_TRUE(std::holds_alternative<Authenticated>(login("Alice", "Correct1Horse")));
  const auto new_hash = passwords.current["alice"].hash;
  EXPECT_NE(new_hash.find("m=16,t=2"), std::string::npos) << new_hash;
  EXPECT_EQ(passwords.hist["alice"].front(), new_hash);
  EXPECT_TRUE(std::holds_alternative<Authenticated>(login("Alice", "Correct1Horse")));
  EXPECT_EQ(passwords.current["alice"].hash, new_hash);  // stable once current
}

TEST_F(DatabaseSourceTest, StorageFailureIsUnavailable) {
  passwords.fail = true;
  auto out = login("Alice", "Correct1Horse");
  EXPECT_EQ(error_of(out).failure, Failure::unavailable);
  EXPECT_NE(error_of(out).detail.find("disk on fire"), std::string::npos);
}

TEST(PasswordPolicy, DefaultRegexAcceptsAndRefuses) {
  db::PasswordPolicy p;
  using V = db::PasswordPolicy::Verdict;
  EXPECT_EQ(p.check("Passw0rd"), V::accepted);
  EXPECT_EQ(p.check("Abcdef1"), V::accepted);  // exactly 7
  EXPECT_EQ(p.check("Abcde1"), V::refused);    // 6
  EXPECT_EQ(p.check("password1"), V::refused);
  EXPECT_EQ(p.check("PASSWORD1"), V::refused);
  EXPECT_EQ(p.check("Password"), V::refused);
  EXPECT_EQ(p.check("Aa1\xc3\xa4\xc3\xa4\xc3\xa4"), V::refused);  // 6 characters in 9 bytes
  EXPECT_EQ(p.check("Aa1\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"), V::accepted);
  // Invalid UTF-8 is never matched by `.` (PCRE2_MATCH_INVALID_UTF): refused, not an error.
  EXPECT_EQ(p.check("Aa1bcdef\xff"), V::refused);
  EXPECT_THROW(db::PasswordPolicy("(unclosed"), db::PolicyError);
}

TEST(PasswordPolicy, CatastrophicBacktrackingHitsTheMatchLimit) {
  db::PasswordPolicy p("^(a|aa)+$");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(p.check(std::string(60, 'a') + "!"), db::PasswordPolicy::Verdict::too_complex);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(p.check("aaaa"), db::PasswordPolicy::Verdict::accepted);
}

TEST_F(DatabaseSourceTest, PolicyAppliesWhenSettingAPassword) {
  auto weak = source->set_password("alice", "password");
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->reason, db::Rejection::policy);
  EXPECT_FALSE(passwords.current.count("alice"));

  auto s = fast_settings();
  s.policy_regex = "^(\\w+\\s?)*$";
  make(s);
  auto hang = source->set_password("alice", std::string(40, 'a') + "!");
  ASSERT_TRUE(hang);
  EXPECT_EQ(hang->reason, db::Rejection::policy_error);
  EXPECT_NE(hang->detail.find("match limit"), std::string::npos) << hang->detail;

  auto unknown = source->set_password("mallory", "Correct1Horse");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->reason, db::Rejection::unknown_user);
}

TEST_F(DatabaseSourceTest, MaximumAgeRequiresAChange) {
  ASSERT_FALSE(source->set_password("alice", "Correct1Horse"));
  clock.advance(std::chrono::hours(24 * 5500) - std::chrono::milliseconds(1));
  EXPECT_FALSE(std::get<Authenticated>(login("Alice", "Correct1Horse")).password_change_required);
  clock.advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(std::get<Authenticated>(login("Alice", "Correct1Horse")).password_change_required);
  ASSERT_FALSE(source->set_password("alice", "Battery2Staple"));
  EXPECT_FALSE(std::get<Authenticated>(login("Alice", "Battery2Staple")).password_change_required);

  auto s = fast_settings();
  s.max_age_days = 0;  // never
  make(s);
  clock.advance(std::chrono::hours(24 * 100'000));
  EXPECT_FALSE(std::get<Authenticated>(login("Alice", "Battery2Staple")).password_change_required);
}

// The newest five, the current one included, are refused; the sixth-oldest is free again.
void expect_history_of_five(db::Source& source) {
  for (int i = 1; i <= 6; ++i)
    ASSERT_FALSE(source.set_password("alice", "Passw0rd" + std::to_string(i))) << i;
  for (int i = 2; i <= 6; ++i) {
    auto again = source.set_password("alice", "Passw0rd" + std::to_string(i));
    ASSERT_TRUE(again) << i;
    EXPECT_EQ(again->reason, db::Rejection::reused);
  }
  EXPECT_FALSE(source.set_password("alice", "Passw0rd1"));
  EXPECT_TRUE(source.set_password("alice", "Passw0rd3"));  // last five now: 1, 6, 5, 4, 3
  EXPECT_TRUE(source.set_password("alice", "Passw0rd1"));  // the current one counts too
  EXPECT_FALSE(source.set_password("alice", "Passw0rd7"));
  EXPECT_TRUE(std::holds_alternative<Authenticated>(source.authenticate({"Alice", "Passw0rd7"})));
}

TEST_F(DatabaseSourceTest, HistoryOfFiveRefusesReuse) {
  expect_history_of_five(*source);
  EXPECT_EQ(passwords.hist["alice"].size(), 5u);
}

TEST_F(DatabaseSourceTest, CaseSensitivityOfUserNames) {
  ASSERT_FALSE(source->set_password("alice", "Correct1Horse"));
  // Default (seed 003): case-sensitive.
  EXPECT_TRUE(std::holds_alternative<Authenticated>(login("Alice", "Correct1Horse")));
  const auto before = source->verifications();
  auto lower = login("alice", "Correct1Horse");
  EXPECT_EQ(error_of(lower).failure, Failure::unknown_user);
  EXPECT_EQ(source->verifications(), before + 1);

  auto s = fast_settings();
  s.case_sensitive = false;
  make(s);
  auto any = login("aLICE", "Correct1Horse");
  ASSERT_TRUE(std::holds_alternative<Authenticated>(any));
  EXPECT_EQ(std::get<Authenticated>(any).username, "Alice");

  s.case_sensitive = true;
  s.force_lower_case = true;
  make(s);
  auto forced = login("ALICE", "Correct1Horse");
  ASSERT_TRUE(std::holds_alternative<Authenticated>(forced));
  EXPECT_EQ(std::get<Authenticated>(forced).username, "alice");
  EXPECT_EQ(std::get<Authenticated>(forced).key, "alice");
}

// --- Chain (R-C3) -------------------------------------------------------------------------

class FakeSource : public CredentialSource {
 public:
  FakeSource(std::string name, std::map<std::string, std::string> users)
      : name_(std::move(name)), users_(std::move(users)) {}
  std::string_view name() const override { return name_; }
  Outcome<Authenticated> authenticate(const Credentials& c) override {
    calls->push_back(name_ + ":" + std::string(c.login));
    if (throws) throw std::runtime_error("boom");
    if (down) return make_error(Failure::unavailable, "server down");
    if (c.login == "nobody") return make_error(Failure::unknown_user, "");
    auto it = users_.find(std::string(c.login));
    if (it == users_.end()) return make_error(Failure::not_applicable, "");
    if (it->second == "EXPIRED") return make_error(Failure::expired_password, "");
    if (it->second != c.password) return make_error(Failure::wrong_password, "");
    Authenticated a;
    a.key = std::string(c.login);
    return a;
  }
  std::vector<std::string>* calls = nullptr;
  bool down = false;
  bool throws = false;

 private:
  std::string name_;
  std::map<std::string, std::string> users_;
};

class ChainTest : public ::testing::Test {
 protected:
  std::vector<std::string> calls;
  // lena: LDAP only; dora: database only; bert: both, with different passwords.
  FakeSource ldap{"ldap", {{"lena", "L"}, {"bert", "BL"}, {"olga", "EXPIRED"}}};
  FakeSource database{"database", {{"dora", "D"}, {"bert", "BD"}, {"olga", "OD"}}};
  void SetUp() override { ldap.calls = database.calls = &calls; }
  Chain chain(std::string_view order) { return Chain(order, {&ldap, &database}); }
  // "source" of the success, or the failure's name.
  std::string run(Chain& c, std::string_view user, std::string_view password) {
    calls.clear();
    auto out = c.authenticate({user, password});
    if (auto* a = std::get_if<Authenticated>(&out)) return a->source;
    return std::string(to_string(std::get<Error>(out).failure));
  }
};

TEST_F(ChainTest, DatabaseOnly) {
  auto c = chain("database");
  EXPECT_EQ(c.name(), "database");
  EXPECT_EQ(run(c, "dora", "D"), "database");
  EXPECT_EQ(run(c, "bert", "BD"), "database");
  EXPECT_EQ(run(c, "bert", "BL"), "wrong_password");
  EXPECT_EQ(run(c, "lena", "L"), "not_applicable");
  EXPECT_EQ(run(c, "nobody", "x"), "unknown_user");
  EXPECT_EQ(calls, std::vector<std::string>{"database:nobody"});
}

TEST_F(ChainTest, LdapOnly) {
  auto c = chain("ldap");
  EXPECT_EQ(run(c, "lena", "L"), "ldap");
  EXPECT_EQ(run(c, "bert", "BL"), "ldap");
  EXPECT_EQ(run(c, "bert", "BD"), "wrong_password");
  EXPECT_EQ(run(c, "dora", "D"), "not_applicable");
}

TEST_F(ChainTest, LdapThenDatabase) {
  auto c = chain(" ldap , database ");
  EXPECT_EQ(c.name(), "ldap,database");
  EXPECT_EQ(run(c, "lena", "L"), "ldap");
  EXPECT_EQ(calls, std::vector<std::string>{"ldap:lena"});  // success stops the chain
  EXPECT_EQ(run(c, "dora", "D"), "database");
  EXPECT_EQ(calls, (std::vector<std::string>{"ldap:dora", "database:dora"}));
  EXPECT_EQ(run(c, "bert", "BL"), "ldap");
  // Seed 003: if the LDAP login fails, the database is tried — a wrong LDAP password too.
  EXPECT_EQ(run(c, "bert", "BD"), "database");
  EXPECT_EQ(calls, (std::vector<std::string>{"ldap:bert", "database:bert"}));
  EXPECT_EQ(run(c, "bert", "nope"), "wrong_password");
  EXPECT_EQ(run(c, "lena", "nope"), "wrong_password");  // over not_applicable from database
  EXPECT_EQ(run(c, "nobody", "x"), "unknown_user");
  EXPECT_EQ(run(c, "olga", "OD"), "database");
  EXPECT_EQ(run(c, "olga", "x"), "expired_password");
}

TEST_F(ChainTest, DatabaseThenLdap) {
  auto c = chain("database,ldap");
  EXPECT_EQ(run(c, "dora", "D"), "database");
  EXPECT_EQ(calls, std::vector<std::string>{"database:dora"});
  EXPECT_EQ(run(c, "lena", "L"), "ldap");
  EXPECT_EQ(calls, (std::vector<std::string>{"database:lena", "ldap:lena"}));
  EXPECT_EQ(run(c, "bert", "BD"), "database");
  EXPECT_EQ(run(c, "bert", "BL"), "ldap");
  EXPECT_EQ(calls, (std::vector<std::string>{"database:bert", "ldap:bert"}));
  EXPECT_EQ(run(c, "dora", "nope"), "wrong_password");
  EXPECT_EQ(run(c, "nobody", "x"), "unknown_user");
}

TEST_F(ChainTest, UnavailableSourceFallsThroughAndIsReported) {
  ldap.down = true;
  auto c = chain("ldap,database");
  EXPECT_EQ(run(c, "dora", "D"), "database");
  EXPECT_EQ(run(c, "bert", "BD"), "database");
  EXPECT_EQ(run(c, "lena", "L"), "unavailable");
  EXPECT_EQ(run(c, "bert", "BL"), "unavailable");  // LDAP might have said yes
  ldap.down = false;
  ldap.throws = true;
  auto out = c.authenticate({"lena", "L"});
  ASSERT_TRUE(std::holds_alternative<Error>(out));
  EXPECT_EQ(error_of(out).failure, Failure::unavailable);
  EXPECT_NE(error_of(out).detail.find("ldap: unavailable (boom)"), std::string::npos)
      << error_of(out).detail;
  EXPECT_EQ(error_of(out).message, browser_message(Failure::unavailable));
}

TEST_F(ChainTest, OrderIsValidated) {
  EXPECT_THROW(chain(""), ChainError);
  EXPECT_THROW(chain("ldap,,database"), ChainError);
  EXPECT_THROW(chain("ldap,"), ChainError);
  EXPECT_THROW(chain("kerberos"), ChainError);
  EXPECT_THROW(chain("ldap,ldap"), ChainError);
  EXPECT_THROW(Chain(std::vector<CredentialSource*>{}), ChainError);
}

// --- SQLite store -------------------------------------------------------------------------

class PasswordStoreTest : public fakes::SqliteTest {
 protected:
  PasswordStoreTest() : SqliteTest("sources") {}
  std::unique_ptr<storage::Database>& sqlite = db;  // the name these tests use
  void SetUp() override {
    SqliteTest::SetUp();
    ASSERT_TRUE(add_id("alice", "Alice"));
  }
};

TEST_F(PasswordStoreTest, RoundTrip) {
  storage::PasswordStore store(*sqlite);
  EXPECT_FALSE(store.find("alice"));
  EXPECT_TRUE(store.history("alice", 5).empty());
  const auto t = core::from_millis(1'700'000'000'000);
  for (int i = 1; i <= 4; ++i) store.set("alice", {"h" + std::to_string(i), t}, 3);
  auto got = store.find("alice");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->hash, "h4");
  EXPECT_EQ(got->changed, t);
  // Same millisecond four times: still ordered, and trimmed to three.
  EXPECT_EQ(store.history("alice", 10), (std::vector<std::string>{"h4", "h3", "h2"}));
  EXPECT_EQ(store.history("alice", 2), (std::vector<std::string>{"h4", "h3"}));

  EXPECT_FALSE(store.rehash("alice", "h3", "x"));  // not the current hash
  EXPECT_TRUE(store.rehash("alice", "h4", "h4b"));
  EXPECT_EQ(store.find("alice")->hash, "h4b");
  EXPECT_EQ(store.find("alice")->changed, t);
  EXPECT_EQ(store.history("alice", 1), std::vector<std::string>{"h4b"});

  store.set("alice", {"h5", t + std::chrono::hours(1)}, 0);
  EXPECT_TRUE(store.history("alice", 10).empty());
  EXPECT_TRUE(store.remove("alice"));
  EXPECT_FALSE(store.remove("alice"));
  EXPECT_FALSE(store.find("alice"));

  // Passwords belong to an ID: a re-created ID must not inherit the old one.
  store.set("alice", {"h6", t}, 5);
  sqlite->transaction(
      [](soci::session& sql) { sql << "DELETE FROM identities WHERE key='alice'"; });
  EXPECT_FALSE(store.find("alice"));
  EXPECT_TRUE(store.history("alice", 5).empty());
}

TEST_F(PasswordStoreTest, DatabaseSourceOverSqlite) {
  core::ManualClock clock;
  storage::IdentityStore ids(*sqlite);
  storage::PasswordStore store(*sqlite);
  db::Source source(fast_settings(), clock, ids, store);
  expect_history_of_five(source);
  EXPECT_EQ(store.history("alice", 100).size(), 5u);
  auto out = source.authenticate({"Alice", "Passw0rd7"});
  ASSERT_TRUE(std::holds_alternative<Authenticated>(out));
  EXPECT_EQ(std::get<Authenticated>(out).key, "alice");
}

}  // namespace
