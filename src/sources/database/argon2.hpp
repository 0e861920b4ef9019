#pragma once
// Argon2id password hashes through libsodium (R-C1), in the PHC string format
// ("$argon2id$v=19$m=65536,t=2,p=1$salt$hash") so each hash carries its own parameters and a
// change of the configured cost is noticed per hash (needs_rehash) and fixed at next login.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace twofold::sources::database {

struct Argon2Params {
  // libsodium's INTERACTIVE preset (crypto_pwhash_argon2id_*_INTERACTIVE), checked in argon2.cpp.
  std::uint64_t opslimit{2};
  std::size_t memlimit{64 * 1024 * 1024};  // bytes
};

// libsodium's lower bounds for Argon2id (opslimit 1, memlimit 8 KiB): for tests only.
Argon2Params minimum_params();

struct HashError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws HashError on parameters out of libsodium's range.
void validate(const Argon2Params& params);
// A fresh random salt each time. Throws HashError (bad parameters, out of memory).
std::string hash_password(std::string_view password, const Argon2Params& params);
// False also for a malformed or non-Argon2 hash string.
bool verify_password(std::string_view hash, std::string_view password);
// True when `hash` was made with other parameters (or another algorithm) than `params`.
bool needs_rehash(std::string_view hash, const Argon2Params& params);

}  // namespace twofold::sources::database
