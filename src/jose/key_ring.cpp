#include "jose/key_ring.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace twofold::jose {
namespace {

constexpr Alg kAsymmetric[] = {Alg::RS256, Alg::ES256};

std::string read_pem_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw JoseError("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

KeyRing::KeyRing(KeyStore& store, core::Random& random,
                 std::chrono::seconds publish_after_retirement)
    : store_(store),
      random_(random),
      publish_after_retirement_(publish_after_retirement),
      state_(std::make_shared<State>()) {}

std::shared_ptr<const KeyRing::State> KeyRing::snapshot() const {
  std::lock_guard lock(state_mutex_);
  return state_;
}

void KeyRing::load_or_import(const std::filesystem::path& rs256_pem,
                             const std::filesystem::path& es256_pem, core::TimePoint now) {
  std::lock_guard lock(write_mutex_);
  if (store_.load().empty()) {
    const std::pair<Alg, const std::filesystem::path*> files[] = {{Alg::RS256, &rs256_pem},
                                                                  {Alg::ES256, &es256_pem}};
    for (const auto& [alg, path] : files) {
      if (path->empty() || !std::filesystem::exists(*path)) continue;
      std::string pem = read_pem_file(*path);
      SigningKey key = SigningKey::from_pem(pem, "");
      OPENSSL_cleanse(pem.data(), pem.size());
      if (key.alg() != alg)
        throw JoseError(path->string() + " holds an " + std::string(alg_name(key.alg())) +
                        " key, expected " + std::string(alg_name(alg)));
      // false: another instance imported the same file first, which is fine.
      store_.save({key.thumbprint(), alg, key.private_pem(), now, std::nullopt});
    }
  }
  reload_locked(now);
  bool added = false;
  for (const Alg alg : kAsymmetric) {
    const auto state = snapshot();
    if (!(alg == Alg::RS256 ? state->rs256 : state->es256)) {
      add_key(alg, now);
      added = true;
    }
  }
  if (added) reload_locked(now);
}

void KeyRing::reload(core::TimePoint now) {
  std::lock_guard lock(write_mutex_);
  reload_locked(now);
}

void KeyRing::reload_locked(core::TimePoint now) {
  const auto old = snapshot();
  auto next = std::make_shared<State>();
  for (StoredKey& row : store_.load()) {
    if (row.retired && *row.retired + publish_after_retirement_ <= now) continue;  // to prune
    std::shared_ptr<const SigningKey> key;
    for (const Entry& e : old->published)
      if (e.key->kid() == row.kid) key = e.key;
    if (!key) {
      key = std::make_shared<const SigningKey>(SigningKey::from_pem(row.private_pem, row.kid));
      if (key->alg() != row.alg)
        throw JoseError("stored key " + row.kid + " is not an " + std::string(alg_name(row.alg)) +
                        " key");
    }
    OPENSSL_cleanse(row.private_pem.data(), row.private_pem.size());
    next->published.push_back({std::move(key), row.created, row.retired});
  }
  std::sort(next->published.begin(), next->published.end(), [](const Entry& a, const Entry& b) {
    return a.created != b.created ? a.created > b.created : a.key->kid() < b.key->kid();
  });
  // Newest unretired key per alg; should two instances rotate at once, the newer one wins
  // everywhere and the other stays published until the next rotation retires it.
  nlohmann::json keys = nlohmann::json::array();
  for (const Entry& e : next->published) {
    auto& slot = e.key->alg() == Alg::RS256 ? next->rs256 : next->es256;
    if (!e.retired && !slot) slot = e.key;
    keys.push_back(e.key->public_jwk());
  }
  next->jwks = {{"keys", std::move(keys)}};
  next->jwks_text = std::make_shared<const std::string>(next->jwks.dump());
  std::lock_guard lock(state_mutex_);
  state_ = std::move(next);
}

std::string KeyRing::add_key(Alg alg, core::TimePoint now) {
  SigningKey key = SigningKey::generate(alg, random_.hex(8));
  if (!store_.save({key.kid(), alg, key.private_pem(), now, std::nullopt}))
    throw JoseError("key id collision: " + key.kid());
  return key.kid();
}

std::vector<std::string> KeyRing::rotate(core::TimePoint now) {
  std::lock_guard lock(write_mutex_);
  const std::vector<StoredKey> before = store_.load();
  std::vector<std::string> kids;
  for (const Alg alg : kAsymmetric) {
    // The new key is saved before the old one is retired, so the store always has a current
    // key for other instances that reload in between.
    kids.push_back(add_key(alg, now));
    for (const StoredKey& row : before)
      if (row.alg == alg && !row.retired) store_.retire(row.kid, now);
  }
  reload_locked(now);
  return kids;
}

std::size_t KeyRing::prune(core::TimePoint now) {
  std::lock_guard lock(write_mutex_);
  std::size_t removed = 0;
  for (const StoredKey& row : store_.load()) {
    if (row.retired && *row.retired + publish_after_retirement_ <= now) {
      store_.remove(row.kid);
      ++removed;
    }
  }
  reload_locked(now);
  return removed;
}

std::shared_ptr<const SigningKey> KeyRing::current(Alg alg) const {
  const auto state = snapshot();
  auto key = alg == Alg::RS256 ? state->rs256 : alg == Alg::ES256 ? state->es256 : nullptr;
  if (!key) throw JoseError("no current " + std::string(alg_name(alg)) + " signing key");
  return key;
}

nlohmann::json KeyRing::jwks() const {
  const auto state = snapshot();
  return state->jwks.is_null() ? nlohmann::json{{"keys", nlohmann::json::array()}} : state->jwks;
}

std::shared_ptr<const std::string> KeyRing::jwks_text() const {
  const auto state = snapshot();
  return state->jwks_text ? state->jwks_text
                          : std::make_shared<const std::string>(R"({"keys":[]})");
}

std::vector<KeyInfo> KeyRing::keys() const {
  const auto state = snapshot();
  std::vector<KeyInfo> out;
  for (const Entry& e : state->published)
    out.push_back({e.key->kid(), e.key->alg(), e.created, e.retired,
                   e.key == state->rs256 || e.key == state->es256});
  return out;
}

Outcome<Verified> KeyRing::verify(std::string_view compact) const {
  const auto state = snapshot();
  Error last{Failure::no_key, "no published key matches the token"};
  for (const Entry& e : state->published) {
    auto result = jose::verify(compact, *e.key);
    if (auto* error = std::get_if<Error>(&result)) {
      // no_key: not this key (kid or alg differ); a kid-less token may still match another
      // key after a bad_signature; anything else is the token's own fault.
      if (error->failure != Failure::no_key && error->failure != Failure::bad_signature)
        return result;
      if (error->failure == Failure::bad_signature) last = *error;
      continue;
    }
    return result;
  }
  return last;
}

}  // namespace twofold::jose
