#include "crypto/pem.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <climits>

namespace twofold::crypto {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

Bio memory_bio(std::string_view data) {
  if (data.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
  return Bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string take_contents(BIO* bio, bool secret) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  std::string out(data, static_cast<std::size_t>(len));
  if (secret) OPENSSL_cleanse(data, static_cast<std::size_t>(len));
  return out;
}

}  // namespace

Pkey read_private_key_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  if (!bio) return nullptr;
  // An empty password instead of a callback: encrypted PEMs fail instead of prompting.
  return Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")));
}

Pkey read_public_key_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  if (!bio) return nullptr;
  return Pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, const_cast<char*>("")));
}

std::string private_key_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  return take_contents(bio.get(), true);
}

std::string public_key_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return {};
  return take_contents(bio.get(), false);
}

}  // namespace twofold::crypto
