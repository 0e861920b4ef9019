#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "crypto/certificates.hpp"
#include "setup/manual_setup.hpp"
#include "setup/quick_setup.hpp"

using namespace twofold;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0xffff;
  return st.st_mode & 07777;
}

// "RSA-2048" / "EC-prime256v1" for a PEM private key, "" when it does not parse.
std::string key_kind(const fs::path& p) {
  const std::string pem = slurp(p);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) return "";
  std::string kind;
  if (EVP_PKEY_is_a(key, "RSA")) {
    kind = "RSA-" + std::to_string(EVP_PKEY_get_bits(key));
  } else if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    std::size_t len = 0;
    EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len);
    kind = std::string("EC-") + group;
  }
  EVP_PKEY_free(key);
  return kind;
}

class SetupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/twofold-setup-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    options_.dir = root_ / "var";
    options_.host_names = {"auth.example.com", "192.0.2.4"};
    options_.https_port = 9443;
    options_.http_port = 9080;
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path dir() const { return options_.dir; }

  fs::path root_;
  setup::Options options_;
};

}  // namespace

TEST_F(SetupTest, WritesEveryFileWithTheRightMode) {
  auto result = setup::quick_setup(options_);
  EXPECT_EQ(result.config_path, dir() / "twofold.toml");

  const std::pair<const char*, unsigned> expected[] = {
      {"twofold.toml", 0640},           {"tls/ca.crt", 0644},     {"tls/ca.key", 0600},
      {"tls/server.crt", 0644},         {"tls/server.key", 0600}, {"keys/signing-rs256.pem", 0600},
      {"keys/signing-es256.pem", 0600}, {"twofold.db", 0600},
  };
  for (const auto& [name, mode] : expected) {
    EXPECT_TRUE(fs::is_regular_file(dir() / name)) << name;
    EXPECT_EQ(mode_of(dir() / name), mode) << name;
  }
  EXPECT_EQ(mode_of(dir() / "keys"), 0700u);
  // No temporary files are left behind.
  for (const auto& entry : fs::recursive_directory_iterator(dir()))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();

  EXPECT_EQ(key_kind(dir() / "keys/signing-rs256.pem"), "RSA-2048");
  EXPECT_EQ(key_kind(dir() / "keys/signing-es256.pem"), "EC-prime256v1");
  EXPECT_EQ(key_kind(dir() / "tls/server.key"), "EC-prime256v1");
  EXPECT_TRUE(slurp(dir() / "keys/signing-rs256.pem").starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_TRUE(
      crypto::certificate_matches_key(slurp(dir() / "tls/ca.crt"), slurp(dir() / "tls/ca.key")));
  EXPECT_TRUE(crypto::certificate_matches_key(slurp(dir() / "tls/server.crt"),
                                              slurp(dir() / "tls/server.key")));
  EXPECT_EQ(result.ca_fingerprint, crypto::certificate_fingerprint(slurp(dir() / "tls/ca.crt")));
  EXPECT_GT(fs::file_size(dir() / "twofold.db"), 0u);  // migrations ran
}

TEST_F(SetupTest, WrittenConfigurationLoadsWithTheChosenSettings) {
  setup::quick_setup(options_);
  const auto c = config::load(dir() / "twofold.toml");
  EXPECT_EQ(c.server.host_names, options_.host_names);
  EXPECT_EQ(c.server.listen_address, "127.0.0.1");
  EXPECT_EQ(c.server.https_port, 9443);
  EXPECT_EQ(c.server.http_port, 9080);
  EXPECT_EQ(c.resolve(c.server.tls_certificate), dir() / "tls/server.crt");
  EXPECT_EQ(c.resolve(c.storage.path), dir() / "twofold.db");
}

TEST_F(SetupTest, RefusesToOverwriteConfigurationWithoutForce) {
  setup::quick_setup(options_);
  const std::string config = slurp(dir() / "twofold.toml");
  const std::string ca = slurp(dir() / "tls/ca.crt");
  const std::string server = slurp(dir() / "tls/server.crt");

  options_.https_port = 10443;
  EXPECT_THROW(setup::quick_setup(options_), setup::SetupError);
  EXPECT_EQ(slurp(dir() / "twofold.toml"), config);
  EXPECT_EQ(slurp(dir() / "tls/ca.crt"), ca);
  EXPECT_EQ(slurp(dir() / "tls/server.crt"), server);

  options_.force = true;
  setup::quick_setup(options_);
  EXPECT_EQ(config::load(dir() / "twofold.toml").server.https_port, 10443);
  EXPECT_NE(slurp(dir() / "tls/ca.crt"), ca);  // --force makes everything new
}

TEST_F(SetupTest, ReusesCaAndSigningKeysWhenOnlyTheConfigurationIsMissing) {
  setup::quick_setup(options_);
  const std::string ca_crt = slurp(dir() / "tls/ca.crt");
  const std::string ca_key = slurp(dir() / "tls/ca.key");
  const std::string rs256 = slurp(dir() / "keys/signing-rs256.pem");
  const std::string server = slurp(dir() / "tls/server.crt");
  fs::remove(dir() / "twofold.toml");

  options_.host_names = {"new.example.com"};
  auto result = setup::quick_setup(options_);
  EXPECT_EQ(slurp(dir() / "tls/ca.crt"), ca_crt);
  EXPECT_EQ(slurp(dir() / "tls/ca.key"), ca_key);
  EXPECT_EQ(slurp(dir() / "keys/signing-rs256.pem"), rs256);
  EXPECT_NE(slurp(dir() / "tls/server.crt"), server);  // re-issued for the new name
  EXPECT_TRUE(crypto::certificate_matches_key(slurp(dir() / "tls/server.crt"),
                                              slurp(dir() / "tls/server.key")));
  EXPECT_NE(std::find(result.steps.begin(), result.steps.end(), "reused tls/ca.crt and tls/ca.key"),
            result.steps.end());
}

TEST_F(SetupTest, RefusesMismatchedOrHalfCa) {
  setup::quick_setup(options_);
  fs::remove(dir() / "twofold.toml");
  const std::string other_key = crypto::make_ca("other").private_key_pem;
  { std::ofstream(dir() / "tls/ca.key") << other_key; }
  EXPECT_THROW(setup::quick_setup(options_), setup::SetupError);
  fs::remove(dir() / "tls/ca.key");
  EXPECT_THROW(setup::quick_setup(options_), setup::SetupError);
  EXPECT_FALSE(fs::exists(dir() / "twofold.toml"));
  options_.force = true;
  EXPECT_NO_THROW(setup::quick_setup(options_));
}

TEST_F(SetupTest, DataDirectoryHoldsTheDatabase) {
  options_.data_dir = root_ / "data";
  setup::quick_setup(options_);
  auto c = config::load(dir() / "twofold.toml");
  EXPECT_EQ(c.storage.path, (root_ / "data/twofold.db").string());
  EXPECT_TRUE(fs::exists(root_ / "data/twofold.db"));
  EXPECT_FALSE(fs::exists(dir() / "twofold.db"));

  options_.force = true;
  options_.data_dir = dir() / "db";
  setup::quick_setup(options_);
  EXPECT_EQ(config::load(dir() / "twofold.toml").storage.path, "db/twofold.db");
}

TEST_F(SetupTest, RejectsInvalidOptions) {
  auto bad = options_;
  bad.host_names = {};
  EXPECT_THROW(setup::quick_setup(bad), setup::SetupError);
  bad = options_;
  bad.host_names = {"bad name"};
  EXPECT_THROW(setup::quick_setup(bad), setup::SetupError);
  bad = options_;
  bad.listen_address = "localhost";
  EXPECT_THROW(setup::quick_setup(bad), setup::SetupError);
  bad = options_;
  bad.https_port = 0;
  EXPECT_THROW(setup::quick_setup(bad), setup::SetupError);
  bad = options_;
  bad.http_port = bad.https_port;
  EXPECT_THROW(setup::quick_setup(bad), setup::SetupError);
  EXPECT_FALSE(fs::exists(dir()));  // validation comes before any file
}

TEST(ManualSetup, AnswersReplaceDefaultsAndInvalidAnswersAreAskedAgain) {
  setup::Options defaults;
  defaults.dir = "/srv/twofold";
  std::istringstream in(
      "auth.example.com, 10.0.0.5\n"
      "not-an-ip\n0.0.0.0\n"
      "70000\n443\n"
      "443\n80\n"
      "/var/lib/twofold\n");
  std::ostringstream out;
  auto o = setup::ask(defaults, in, out);
  EXPECT_EQ(o.host_names, (std::vector<std::string>{"auth.example.com", "10.0.0.5"}));
  EXPECT_EQ(o.listen_address, "0.0.0.0");
  EXPECT_EQ(o.https_port, 443);
  EXPECT_EQ(o.http_port, 80);
  EXPECT_EQ(o.data_dir, "/var/lib/twofold");
  const std::string text = out.str();
  EXPECT_NE(text.find("[localhost]"), std::string::npos);
  EXPECT_NE(text.find("[127.0.0.1]"), std::string::npos);
  EXPECT_NE(text.find("[8443]"), std::string::npos);
  EXPECT_NE(text.find("[/srv/twofold]"), std::string::npos);
  EXPECT_NE(text.find("not an IP"), std::string::npos);
  EXPECT_NE(text.find("1 to 65535"), std::string::npos);
  EXPECT_NE(text.find("must differ"), std::string::npos);
}

TEST(ManualSetup, EmptyAnswersAndEndOfInputKeepTheShownValues) {
  setup::Options flags;
  flags.host_names = {"from-flag.example"};
  flags.https_port = 9443;
  std::istringstream in("\n\n");  // two Enters, then end of input
  std::ostringstream out;
  auto o = setup::ask(flags, in, out);
  EXPECT_EQ(o.host_names, flags.host_names);
  EXPECT_EQ(o.listen_address, flags.listen_address);
  EXPECT_EQ(o.https_port, 9443);
  EXPECT_EQ(o.http_port, 0);
  EXPECT_TRUE(o.data_dir.empty());
  EXPECT_NE(out.str().find("[from-flag.example]"), std::string::npos);
}
