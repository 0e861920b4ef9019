// The authenticator's key store (PIN-sealed private keys) and its state directory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "authenticator/key_store.hpp"
#include "authenticator/state.hpp"
#include "crypto/signature.hpp"

using namespace twofold;
using namespace twofold::authenticator;
namespace fs = std::filesystem;

namespace {

const KdfParams kFast = KdfParams::interactive();

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/twofold-auth-test-XXXXXX";
    EXPECT_NE(::mkdtemp(tmpl), nullptr);
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Account make_account(crypto::KeyType type, const std::string& pin, core::Random& random,
                     crypto::KeyPair* pair_out = nullptr) {
  auto pair = crypto::generate_key_pair(type);
  Account a;
  a.id = "Alice";
  a.device_id = std::string(32, 'a');
  a.device_token = "token-" + std::string(crypto::key_type_name(type));
  a.device_name = "laptop";
  a.key_type = type;
  a.public_key_pem = pair.public_key_pem;
  a.private_key = seal(pair.private_key_pem, pin, key_binding(a), kFast, random);
  if (pair_out) *pair_out = pair;
  return a;
}

void expect_same(const Account& a, const Account& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.device_id, b.device_id);
  EXPECT_EQ(a.device_token, b.device_token);
  EXPECT_EQ(a.device_name, b.device_name);
  EXPECT_EQ(a.key_type, b.key_type);
  EXPECT_EQ(a.public_key_pem, b.public_key_pem);
  EXPECT_EQ(a.private_key.salt, b.private_key.salt);
  EXPECT_EQ(a.private_key.kdf, b.private_key.kdf);
  EXPECT_EQ(a.private_key.nonce, b.private_key.nonce);
  EXPECT_EQ(a.private_key.ciphertext, b.private_key.ciphertext);
}

class KeyStoreTest : public ::testing::TestWithParam<crypto::KeyType> {
 protected:
  core::SeededRandom random{5};
};

// --- key store ---

TEST_P(KeyStoreTest, GeneratedKeySealedUnderPinRoundTrips) {
  crypto::KeyPair pair;
  auto account = make_account(GetParam(), "1234", random, &pair);
  EXPECT_TRUE(crypto::is_acceptable_public_key(pair.public_key_pem, GetParam()));
  EXPECT_NE(pair.private_key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);

  const auto& sealed = account.private_key;
  EXPECT_EQ(sealed.salt.size(), 16u);
  EXPECT_EQ(sealed.nonce.size(), 24u);
  EXPECT_EQ(sealed.ciphertext.size(), pair.private_key_pem.size() + 16);
  EXPECT_EQ(sealed.ciphertext.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(sealed.kdf, kFast);

  auto opened = open(sealed, "1234", key_binding(account));
  EXPECT_EQ(opened.view(), pair.private_key_pem);
  // The opened key signs what the public key verifies.
  const auto signature = crypto::sign(opened.view(), "twofold-lock-v1\nalice\nnonce");
  EXPECT_TRUE(crypto::verify(account.public_key_pem, GetParam(), "twofold-lock-v1\nalice\nnonce",
                             signature));
  EXPECT_FALSE(
      crypto::verify(account.public_key_pem, GetParam(), "twofold-lock-v1\nbob\nnonce", signature));
}

TEST_P(KeyStoreTest, WrongPinIsAClearError) {
  auto account = make_account(GetParam(), "1234", random);
  for (const auto* pin : {"1235", "", "12345", "1234 "}) {
    try {
      open(account.private_key, pin, key_binding(account));
      ADD_FAILURE() << "opened with PIN '" << pin << "'";
    } catch (const WrongPin& e) {
      EXPECT_NE(std::string(e.what()).find("wrong PIN"), std::string::npos);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, KeyStoreTest,
                         ::testing::Values(crypto::KeyType::p256, crypto::KeyType::rsa2048));

TEST(KeyStore, SealingTwiceGivesFreshSaltNonceAndCiphertext) {
  core::SeededRandom random{9};
  auto a = seal("secret", "pin", "ad", kFast, random);
  auto b = seal("secret", "pin", "ad", kFast, random);
  EXPECT_NE(a.salt, b.salt);
  EXPECT_NE(a.nonce, b.nonce);
  EXPECT_NE(a.ciphertext, b.ciphertext);
  EXPECT_EQ(open(b, "pin", "ad").view(), "secret");
}

TEST(KeyStore, AnyTamperingIsRefused) {
  core::SeededRandom random{3};
  const auto sealed = seal("-----BEGIN PRIVATE KEY-----", "2468", "binding", kFast, random);
  auto flip = [](std::string& s, std::size_t i) { s[i] = static_cast<char>(s[i] ^ 0x01); };

  for (std::size_t i :
       {std::size_t{0}, sealed.ciphertext.size() / 2, sealed.ciphertext.size() - 1}) {
    auto t = sealed;  // body bytes and the Poly1305 tag
    flip(t.ciphertext, i);
    EXPECT_THROW(open(t, "2468", "binding"), WrongPin) << i;
  }
  auto t = sealed;
  flip(t.nonce, 3);
  EXPECT_THROW(open(t, "2468", "binding"), WrongPin);
  t = sealed;
  flip(t.salt, 0);
  EXPECT_THROW(open(t, "2468", "binding"), WrongPin);
  t = sealed;
  t.kdf.opslimit += 1;  // still a supported cost, but not the one it was sealed with
  EXPECT_THROW(open(t, "2468", "binding"), WrongPin);
  // Swapped to another account: the associated data no longer matches.
  EXPECT_THROW(open(sealed, "2468", "binding2"), WrongPin);
  EXPECT_EQ(open(sealed, "2468", "binding").view(), "-----BEGIN PRIVATE KEY-----");
}

TEST(KeyStore, MalformedOrHostileParametersAreNotWrongPin) {
  core::SeededRandom random{4};
  const auto sealed = seal("k", "pin", "", kFast, random);
  auto expect_malformed = [](const SealedKey& s) {
    try {
      open(s, "pin", "");
      ADD_FAILURE() << "opened";
    } catch (const WrongPin&) {
      ADD_FAILURE() << "reported as a wrong PIN";
    } catch (const std::runtime_error&) {
    }
  };
  auto t = sealed;
  t.nonce.pop_back();
  expect_malformed(t);
  t = sealed;
  t.salt += "x";
  expect_malformed(t);
  t = sealed;
  t.ciphertext = t.ciphertext.substr(0, 15);
  expect_malformed(t);
  t = sealed;
  t.kdf.memlimit = std::uint64_t{1} << 40;  // a terabyte: refused before deriving
  expect_malformed(t);
  t = sealed;
  t.kdf = KdfParams{};
  expect_malformed(t);
  EXPECT_THROW(seal("k", "pin", "", KdfParams{1, 1024}, random), std::runtime_error);
}

TEST(KeyStore, KdfCostComesFromTheEnvironmentOnlyWhenAskedFor) {
  ::unsetenv("TWOFOLD_AUTH_FAST_KDF");
  EXPECT_EQ(KdfParams::from_environment(), KdfParams::moderate());
  ::setenv("TWOFOLD_AUTH_FAST_KDF", "yes", 1);
  EXPECT_EQ(KdfParams::from_environment(), KdfParams::moderate());
  ::setenv("TWOFOLD_AUTH_FAST_KDF", "1", 1);
  EXPECT_EQ(KdfParams::from_environment(), KdfParams::interactive());
  ::unsetenv("TWOFOLD_AUTH_FAST_KDF");
  EXPECT_TRUE(KdfParams::moderate().supported());
  EXPECT_TRUE(KdfParams::interactive().supported());
  EXPECT_NE(KdfParams::moderate(), KdfParams::interactive());
}

TEST(KeyStore, SecretMovesAndWipes) {
  Secret a(std::string("a long secret value beyond small-string size"));
  Secret b(std::move(a));
  EXPECT_EQ(b.view(), "a long secret value beyond small-string size");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented to be wiped
  Secret c;
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.view().size(), 44u);
  c.wipe();
  EXPECT_TRUE(c.empty());
}

// --- state ---

class StateTest : public ::testing::Test {
 protected:
  core::SeededRandom random{8};
  TempDir tmp;
  State state;

  void SetUp() override {
    state.server_url = "https://id1.example.com:8443/";
    state.ca_file = "ca.pem";
    state.accounts.push_back(make_account(crypto::KeyType::p256, "1111", random));
    auto bob = make_account(crypto::KeyType::rsa2048, "2222", random);
    bob.id = "bob";
    state.accounts.push_back(bob);
  }
};

TEST_F(StateTest, JsonRoundTripAndCaseInsensitiveFind) {
  const auto back = state_from_json(to_json(state));
  EXPECT_EQ(back.server_url, state.server_url);
  EXPECT_EQ(back.ca_file, state.ca_file);
  ASSERT_EQ(back.accounts.size(), 2u);
  expect_same(back.accounts[0], state.accounts[0]);
  expect_same(back.accounts[1], state.accounts[1]);
  ASSERT_NE(back.find("ALICE"), nullptr);
  EXPECT_EQ(back.find("alice")->id, "Alice");
  EXPECT_EQ(back.find("BoB")->key_type, crypto::KeyType::rsa2048);
  EXPECT_EQ(back.find("carol"), nullptr);
  EXPECT_EQ(back.find("alic"), nullptr);
  // No secret is in the file in the clear.
  EXPECT_EQ(to_json(state).find("PRIVATE KEY"), std::string::npos);
}

TEST_F(StateTest, MalformedStateIsRefusedWithAReason) {
  auto json = nlohmann::json::parse(to_json(state));
  auto variant = [&](auto change) {
    auto j = json;
    change(j);
    return j.dump();
  };
  const std::vector<std::string> bad = {
      "not json",
      "[]",
      variant([](auto& j) { j["version"] = 2; }),
      variant([](auto& j) { j.erase("server_url"); }),
      variant([](auto& j) { j["accounts"][0]["key_type"] = "ed25519"; }),
      variant([](auto& j) { j["accounts"][0]["device_token"] = ""; }),
      variant([](auto& j) { j["accounts"][0]["id"] = 7; }),
      variant([](auto& j) { j["accounts"][0]["encrypted_private_key"]["salt"] = "***"; }),
      variant([](auto& j) { j["accounts"][0]["encrypted_private_key"].erase("nonce"); }),
  };
  for (const auto& text : bad) EXPECT_THROW(state_from_json(text), std::runtime_error) << text;
}

TEST_F(StateTest, SaveCreatesPrivateDirectoryAndFile) {
  const StateDir dir(tmp.path() / "nested" / "state");
  EXPECT_FALSE(dir.exists());
  const auto old_mask = ::umask(0);  // even a permissive umask must not widen them
  dir.save(state);
  ::umask(old_mask);
  ASSERT_TRUE(dir.exists());
  EXPECT_EQ(mode_of(dir.path()), 0700u);
  EXPECT_EQ(mode_of(dir.state_file()), 0600u);
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename(), "state.json") << "temporary file left behind";

  const auto loaded = dir.load();
  ASSERT_EQ(loaded.accounts.size(), 2u);
  expect_same(loaded.accounts[1], state.accounts[1]);
  // The loaded sealed key still opens with the PIN, and only with it.
  const auto& bob = *loaded.find("bob");
  EXPECT_NO_THROW(open(bob.private_key, "2222", key_binding(bob)));
  EXPECT_THROW(open(bob.private_key, "1111", key_binding(bob)), WrongPin);
}

TEST_F(StateTest, SaveTightensAnExistingDirectoryAndReplacesTheFile) {
  const StateDir dir(tmp.path() / "open");
  fs::create_directory(dir.path());
  ::chmod(dir.path().c_str(), 0755);
  std::ofstream(dir.state_file()) << "old";
  ::chmod(dir.state_file().c_str(), 0644);
  dir.save(state);
  EXPECT_EQ(mode_of(dir.path()), 0700u);
  EXPECT_EQ(mode_of(dir.state_file()), 0600u);
  state.accounts.pop_back();
  dir.save(state);
  EXPECT_EQ(dir.load().accounts.size(), 1u);
  EXPECT_EQ(mode_of(dir.state_file()), 0600u);
}

TEST_F(StateTest, LoadWithoutStateSaysEnrolFirst) {
  const StateDir dir(tmp.path() / "empty");
  try {
    dir.load();
    ADD_FAILURE() << "loaded nothing";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("enrol first"), std::string::npos) << e.what();
  }
  const StateDir broken(tmp.path() / "broken");
  broken.save(state);
  std::ofstream(broken.state_file()) << "{";
  try {
    broken.load();
    ADD_FAILURE() << "loaded garbage";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("state.json"), std::string::npos) << e.what();
  }
}

TEST_F(StateTest, InstallCaCopiesPrivatelyAndResolves) {
  const StateDir dir(tmp.path() / "ca");
  const auto source = tmp.path() / "source.pem";
  std::ofstream(source) << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  ::chmod(source.c_str(), 0644);
  const auto name = dir.install_ca(source);
  EXPECT_EQ(name, "ca.pem");
  EXPECT_EQ(mode_of(dir.path() / name), 0600u);
  EXPECT_EQ(read_file(dir.path() / name), read_file(source));
  state.ca_file = name;
  EXPECT_EQ(dir.ca_file(state), dir.path() / "ca.pem");
  state.ca_file = "/etc/ssl/ca.pem";
  EXPECT_EQ(dir.ca_file(state), "/etc/ssl/ca.pem");

  std::ofstream(source) << "not a certificate";
  EXPECT_THROW(dir.install_ca(source), std::runtime_error);
  EXPECT_THROW(dir.install_ca(tmp.path() / "missing.pem"), std::runtime_error);
}

TEST_F(StateTest, ReadFileEnforcesItsLimit) {
  const auto file = tmp.path() / "big";
  std::ofstream(file) << std::string(100, 'x');
  EXPECT_EQ(read_file(file, 100).size(), 100u);
  EXPECT_THROW(read_file(file, 99), std::runtime_error);
}

TEST_F(StateTest, LockExcludesOtherProcesses) {
  const StateDir dir(tmp.path() / "locked");
  auto try_lock = [&] {
    const int fd = ::open((dir.path() / ".lock").c_str(), O_RDWR);
    EXPECT_GE(fd, 0);
    const bool got = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd);
    return got;
  };
  {
    StateDir::Lock lock(dir);
    EXPECT_EQ(mode_of(dir.path()), 0700u);
    EXPECT_FALSE(try_lock());  // another open file description, as another process has
  }
  EXPECT_TRUE(try_lock());
}

TEST(StateDirDefault, EnvironmentThenHome) {
  const char* old_state = std::getenv("TWOFOLD_AUTH_STATE");
  const std::string saved_state = old_state ? old_state : "";
  const std::string saved_home = std::getenv("HOME") ? std::getenv("HOME") : "";
  ::setenv("TWOFOLD_AUTH_STATE", "/tmp/somewhere", 1);
  EXPECT_EQ(default_state_dir(), "/tmp/somewhere");
  ::setenv("TWOFOLD_AUTH_STATE", "", 1);
  ::setenv("HOME", "/home/alice", 1);
  EXPECT_EQ(default_state_dir(), "/home/alice/.config/twofold");
  ::unsetenv("HOME");
  EXPECT_THROW(default_state_dir(), std::runtime_error);
  ::setenv("HOME", saved_home.c_str(), 1);
  if (old_state)
    ::setenv("TWOFOLD_AUTH_STATE", saved_state.c_str(), 1);
  else
    ::unsetenv("TWOFOLD_AUTH_STATE");
}

}  // namespace
