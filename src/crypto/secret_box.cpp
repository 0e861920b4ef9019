#include "crypto/secret_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/encoding.hpp"

namespace twofold::crypto {
namespace {

static_assert(SecretBox::key_size == crypto_secretbox_KEYBYTES);
static_assert(SecretBox::nonce_size == crypto_secretbox_NONCEBYTES);
static_assert(SecretBox::mac_size == crypto_secretbox_MACBYTES);

void init_sodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string errno_text(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// nullopt when the file does not exist.
std::optional<std::string> read_key_file(const std::filesystem::path& path, std::size_t size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw KeyFileError(errno_text("cannot open key file", path));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw KeyFileError(errno_text("cannot stat key file", path));
  if (!S_ISREG(st.st_mode)) throw KeyFileError("key file " + path.string() + " is not a file");
  // Like ssh with its private keys: a key others can read is no longer a secret.
  if ((st.st_mode & 077) != 0)
    throw KeyFileError("key file " + path.string() + " is accessible by others; chmod 600 it");
  if (static_cast<std::size_t>(st.st_size) != size)
    throw KeyFileError("key file " + path.string() + " must hold exactly " + std::to_string(size) +
                       " bytes");
  std::string key(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd.get(), key.data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw KeyFileError(errno_text("cannot read key file", path));
    got += static_cast<std::size_t>(n);
  }
  return key;
}

void write_all(int fd, const std::string& data, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw KeyFileError(errno_text("cannot write key file", path));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string load_or_create_key_file(const std::filesystem::path& path, std::size_t size) {
  init_sodium();
  if (auto key = read_key_file(path, size)) return *key;

  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw KeyFileError("cannot create " + dir.string() + ": " + ec.message());

  std::string key(size, '\0');
  randombytes_buf(key.data(), key.size());
  auto tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(randombytes_random());
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) throw KeyFileError(errno_text("cannot create key file", tmp));
    try {
      write_all(fd.get(), key, tmp);
      if (::fsync(fd.get()) != 0) throw KeyFileError(errno_text("cannot sync key file", tmp));
    } catch (...) {
      ::unlink(tmp.c_str());
      sodium_memzero(key.data(), key.size());
      throw;
    }
  }
  // link() fails with EEXIST instead of replacing: whoever linked first wins, everyone
  // else reads the winner's key.
  const int rc = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    sodium_memzero(key.data(), key.size());
    if (link_errno != EEXIST) {
      errno = link_errno;
      throw KeyFileError(errno_text("cannot install key file", path));
    }
    auto existing = read_key_file(path, size);
    if (!existing) throw KeyFileError("key file " + path.string() + " vanished while created");
    return *existing;
  }
  Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dirfd.get() >= 0) ::fsync(dirfd.get());  // make the new name durable too
  return key;
}

SecretBox::SecretBox(std::string_view key) {
  init_sodium();
  if (key.size() != key_size)
    throw std::invalid_argument("a secret box key has " + std::to_string(key_size) + " bytes");
  std::memcpy(key_.data(), key.data(), key_size);
}

SecretBox::~SecretBox() {
  sodium_memzero(key_.data(), key_.size());
}

SecretBox SecretBox::load_or_create(const std::filesystem::path& key_file) {
  std::string key = load_or_create_key_file(key_file, key_size);
  SecretBox box(key);
  sodium_memzero(key.data(), key.size());
  return box;
}

std::string SecretBox::seal(std::string_view plaintext) const {
  std::string out(nonce_size + mac_size + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, nonce_size);
  crypto_secretbox_easy(nonce + nonce_size,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_.data());
  return out;
}

std::optional<std::string> SecretBox::open(std::string_view sealed) const {
  if (sealed.size() < nonce_size + mac_size) return std::nullopt;
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(sealed.size() - nonce_size - mac_size, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), nonce + nonce_size,
                                 sealed.size() - nonce_size, nonce, key_.data()) != 0)
    return std::nullopt;
  return out;
}

std::string SecretBox::seal_text(std::string_view plaintext) const {
  return core::base64url_encode(seal(plaintext));
}

std::optional<std::string> SecretBox::open_text(std::string_view sealed_text) const {
  auto raw = core::base64url_decode(sealed_text);
  if (!raw) return std::nullopt;
  return open(*raw);
}

}  // namespace twofold::crypto
