#include "crypto/secret_box.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.hpp"

using namespace twofold;
namespace fs = std::filesystem;

namespace {

class SecretBoxTest : public fakes::TempDirTest {
 protected:
  SecretBoxTest() : TempDirTest("secretbox") {}
};

TEST_F(SecretBoxTest, SealOpenRoundTripWithFreshNonces) {
  crypto::SecretBox box(std::string(32, 'k'));
  const std::string secret = "12345678901234567890";
  const auto a = box.seal(secret), b = box.seal(secret);
  EXPECT_EQ(a.size(), crypto::SecretBox::nonce_size + crypto::SecretBox::mac_size + secret.size());
  EXPECT_NE(a, b) << "random nonce per seal";
  EXPECT_EQ(a.find(secret), std::string::npos) << "no plaintext in the sealed bytes";
  EXPECT_EQ(box.open(a), secret);
  EXPECT_EQ(box.open(b), secret);
  EXPECT_EQ(box.open_text(box.seal_text(secret)), secret);
  EXPECT_EQ(box.open(box.seal("")), "");
}

TEST_F(SecretBoxTest, RejectsTamperingWrongKeyAndShortInput) {
  crypto::SecretBox box(std::string(32, 'k')), other(std::string(32, 'x'));
  auto sealed = box.seal("secret");
  EXPECT_FALSE(other.open(sealed));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    EXPECT_FALSE(box.open(bad)) << "flipped bit in byte " << i;
  }
  EXPECT_FALSE(box.open(sealed.substr(0, sealed.size() - 1)));
  EXPECT_FALSE(box.open(std::string(39, '\0')));
  EXPECT_FALSE(box.open_text("not base64url!"));
  EXPECT_THROW(crypto::SecretBox(std::string(31, 'k')), std::invalid_argument);
}

TEST_F(SecretBoxTest, KeyFileIsCreatedOnceWithMode0600AndReused) {
  const auto path = dir / "sub" / "totp.key";
  auto box = crypto::SecretBox::load_or_create(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  const auto sealed = box.seal("seed");
  auto again = crypto::SecretBox::load_or_create(path);
  EXPECT_EQ(again.open(sealed), "seed") << "the second load reads the same key";
  for (const auto& e : fs::directory_iterator(path.parent_path()))
    EXPECT_EQ(e.path().filename(), "totp.key") << "no temporary file left behind";
}

TEST_F(SecretBoxTest, RefusesOpenPermissionsAndWrongSize) {
  const auto path = dir / "k";
  crypto::load_or_create_key_file(path, 32);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_THROW(crypto::load_or_create_key_file(path, 32), crypto::KeyFileError);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_NO_THROW(crypto::load_or_create_key_file(path, 32));
  EXPECT_THROW(crypto::load_or_create_key_file(path, 16), crypto::KeyFileError);
}

TEST_F(SecretBoxTest, ConcurrentCreatorsAgreeOnOneKey) {
  // Several processes race to create the same key file; all must end with identical keys.
  const auto path = dir / "race.key";
  constexpr int kProcs = 8;
  pid_t pids[kProcs];
  for (int i = 0; i < kProcs; ++i) {
    pids[i] = ::fork();
    ASSERT_GE(pids[i], 0);
    if (pids[i] == 0) {
      try {
        const auto key = crypto::load_or_create_key_file(path, 32);
        std::ofstream(dir / ("out-" + std::to_string(i)), std::ios::binary) << key;
        ::_exit(0);
      } catch (...) {
        ::_exit(1);
      }
    }
  }
  for (int i = 0; i < kProcs; ++i) {
    int status = 0;
    ::waitpid(pids[i], &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const auto key = crypto::load_or_create_key_file(path, 32);
  for (int i = 0; i < kProcs; ++i) {
    std::ifstream in(dir / ("out-" + std::to_string(i)), std::ios::binary);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, key) << "process " << i;
  }
}

}  // namespace
