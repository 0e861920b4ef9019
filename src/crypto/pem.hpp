#pragma once
// Keys in and out of PEM with OpenSSL, for every user of key files (device keys, signing keys,
// certificates). Reading never prompts: an encrypted PEM simply fails.
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace twofold::crypto {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Null when `pem` holds no (unencrypted) key of that kind.
Pkey read_private_key_pem(std::string_view pem);
Pkey read_public_key_pem(std::string_view pem);

// Unencrypted PKCS#8 / SubjectPublicKeyInfo; empty on failure. OpenSSL's buffer of the
// private key is wiped before it is freed.
std::string private_key_pem(EVP_PKEY* key);
std::string public_key_pem(EVP_PKEY* key);

}  // namespace twofold::crypto
