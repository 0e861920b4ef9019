#pragma once
// The provider's signing keys: one current RS256 and one current ES256 key, plus retired
// keys that stay in the JWKS until every token they signed has expired.
//
// The key store (table signing_keys, shared by every instance on one database) is the source
// of truth; the ring is this instance's parsed copy. Rotation on one instance reaches the
// others when they reload(); so pass publish_after_retirement = the longest token lifetime
// plus the reload interval, or an instance that has not reloaded yet may sign with a key
// that gets unpublished too early.
//
// Thread-safety: current(), jwks(), jwks_text(), keys() and verify() may be called from any
// thread at any time; they read an immutable snapshot. load_or_import(), reload(), rotate()
// and prune() are serialised among themselves and swap in a new snapshot.
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "jose/jws.hpp"
#include "jose/signing_key.hpp"

namespace twofold::jose {

struct StoredKey {
  std::string kid;
  Alg alg{Alg::ES256};
  std::string private_pem;  // PKCS#8; secret
  core::TimePoint created{};
  std::optional<core::TimePoint> retired;
};

// Persistence port (storage::SigningKeyStore).
class KeyStore {
 public:
  virtual ~KeyStore() = default;
  virtual std::vector<StoredKey> load() = 0;
  virtual bool save(const StoredKey& key) = 0;  // false when the kid is taken
  // Sets retired_at unless the key is already retired (the earlier time wins).
  virtual void retire(const std::string& kid, core::TimePoint at) = 0;
  virtual void remove(const std::string& kid) = 0;
};

// What `twofold keys list` shows.
struct KeyInfo {
  std::string kid;
  Alg alg{Alg::ES256};
  core::TimePoint created{};
  std::optional<core::TimePoint> retired;
  bool current{false};
};

class KeyRing {
 public:
  KeyRing(KeyStore& store, core::Random& random, std::chrono::seconds publish_after_retirement);

  // Startup. When the store holds no key at all, imports the PEM files `twofold setup` wrote
  // (kid = RFC 7638 thumbprint, so instances starting together agree on it); then loads the
  // store, and generates a key for any alg that has no current one (e.g. a missing file).
  // Throws JoseError on an unreadable PEM file or a stored key that does not parse.
  void load_or_import(const std::filesystem::path& rs256_pem,
                      const std::filesystem::path& es256_pem, core::TimePoint now);
  // Re-reads the store (another instance may have rotated). Parsed keys are reused by kid.
  void reload(core::TimePoint now);
  // New RS256 and ES256 keys (kid: 16 random hex digits) become current; the previous
  // current keys are retired at `now`. Returns the new kids.
  std::vector<std::string> rotate(core::TimePoint now);
  // Deletes keys retired at least publish_after_retirement ago; returns how many.
  std::size_t prune(core::TimePoint now);

  // The key to sign with; throws JoseError for HS256 or before load_or_import().
  std::shared_ptr<const SigningKey> current(Alg alg) const;
  // {"keys": [...]} of every published key, newest first.
  nlohmann::json jwks() const;
  // The same, serialised once per change, for the JWKS endpoint.
  std::shared_ptr<const std::string> jwks_text() const;
  std::vector<KeyInfo> keys() const;
  // Verifies a token this provider issued (id_token_hint, introspection) by its kid.
  Outcome<Verified> verify(std::string_view compact) const;

 private:
  struct Entry {
    std::shared_ptr<const SigningKey> key;
    core::TimePoint created;
    std::optional<core::TimePoint> retired;
  };
  struct State {
    std::vector<Entry> published;  // newest first
    std::shared_ptr<const SigningKey> rs256, es256;
    nlohmann::json jwks;
    std::shared_ptr<const std::string> jwks_text;
  };

  std::shared_ptr<const State> snapshot() const;
  void reload_locked(core::TimePoint now);
  std::string add_key(Alg alg, core::TimePoint now);  // generates and saves; returns the kid

  KeyStore& store_;
  core::Random& random_;
  const std::chrono::seconds publish_after_retirement_;
  std::mutex write_mutex_;  // load/reload/rotate/prune
  mutable std::mutex state_mutex_;
  std::shared_ptr<const State> state_;
};

}  // namespace twofold::jose
