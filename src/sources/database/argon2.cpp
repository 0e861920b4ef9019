#include "sources/database/argon2.hpp"

#include <sodium.h>

#include <array>
#include <cstring>
#include <optional>

namespace twofold::sources::database {
namespace {

static_assert(Argon2Params{}.opslimit == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
static_assert(Argon2Params{}.memlimit == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);

void init() {
  // Thread-safe and idempotent; needed for the salt's randombytes.
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw HashError("libsodium failed to initialise");
}

// libsodium reads hash strings as C strings of at most crypto_pwhash_STRBYTES: copy a stored
// value into such a buffer, refusing anything longer or with an embedded NUL.
std::optional<std::array<char, crypto_pwhash_STRBYTES>> c_string(std::string_view hash) {
  if (hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string_view::npos)
    return std::nullopt;
  std::array<char, crypto_pwhash_STRBYTES> out{};
  std::memcpy(out.data(), hash.data(), hash.size());
  return out;
}

}  // namespace

Argon2Params minimum_params() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

void validate(const Argon2Params& params) {
  if (params.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params.opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX)
    throw HashError("Argon2id opslimit " + std::to_string(params.opslimit) + " out of range");
  if (params.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX)
    throw HashError("Argon2id memlimit " + std::to_string(params.memlimit) + " out of range");
}

std::string hash_password(std::string_view password, const Argon2Params& params) {
  init();
  validate(params);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params.opslimit,
                            params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw HashError("Argon2id hashing failed (out of memory?)");
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  init();
  auto str = c_string(hash);
  if (!str) return false;
  return crypto_pwhash_str_verify(str->data(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view hash, const Argon2Params& params) {
  init();
  auto str = c_string(hash);
  if (!str) return true;
  // 1: other parameters or Argon2i; -1: not a hash libsodium understands. Both: hash again.
  return crypto_pwhash_str_needs_rehash(str->data(), params.opslimit, params.memlimit) != 0;
}

}  // namespace twofold::sources::database
