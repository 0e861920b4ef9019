#include "login/session.hpp"

#include <algorithm>

#include "core/encoding.hpp"

namespace twofold::login {

bool is_plausible_secret(std::string_view secret) {
  return secret.size() == 43 && std::all_of(secret.begin(), secret.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

Sessions::Issued Sessions::create(const NewSession& request) {
  const auto now = clock_.now();
  Issued out;
  out.secret = random_.token(32);
  auto& s = out.session;
  s.sid = random_.token(16);
  s.secret_hash = core::sha256_hex(out.secret);
  s.identity_key = request.identity_key;
  s.auth_time = request.auth_time;
  s.amr = request.amr;
  s.acr = request.acr;
  s.persistent = request.stay_signed_in && settings_.stay_signed_in.count() > 0;
  s.created = s.last_seen = s.rotated = now;
  s.expires = now + (s.persistent ? settings_.stay_signed_in : settings_.max_life);
  store_.insert(s);
  return out;
}

std::optional<Sessions::Resumed> Sessions::resume(std::string_view secret) {
  if (!is_plausible_secret(secret)) return std::nullopt;
  const auto hash = core::sha256_hex(secret);
  auto found = store_.find_by_hash(hash);
  if (!found) return std::nullopt;
  auto& s = *found;
  const auto now = clock_.now();
  const bool current = core::secure_equals(s.secret_hash, hash);
  if (!current) {
    // An old secret: fine from a request that raced the rotation, else a stolen copy.
    if (now - s.rotated > settings_.rotation_grace) {
      store_.remove(s.sid);
      return std::nullopt;
    }
  }
  if (now >= s.expires || (!s.persistent && now - s.last_seen >= settings_.idle)) {
    store_.remove(s.sid);
    return std::nullopt;
  }
  Resumed out{s, {}};
  if (current && s.persistent && now - s.rotated >= settings_.rotate_after) {
    auto next = random_.token(32);
    auto next_hash = core::sha256_hex(next);
    if (store_.rotate(s.sid, hash, next_hash, now)) {
      out.session.previous_hash = hash;
      out.session.secret_hash = next_hash;
      out.session.rotated = now;
      out.new_secret = std::move(next);
    }
  }
  if (now - s.last_seen >= settings_.touch_every) {
    store_.touch(s.sid, now);
    out.session.last_seen = now;
  }
  return out;
}

void Sessions::end(std::string_view secret) {
  if (!is_plausible_secret(secret)) return;
  if (auto s = store_.find_by_hash(core::sha256_hex(secret))) store_.remove(s->sid);
}

std::size_t Sessions::sweep() {
  const auto now = clock_.now();
  return store_.remove_stale(now, now - settings_.idle);
}

std::string Sessions::cookie(std::string_view secret, const BrowserSession& session) const {
  std::string c = std::string(kSessionCookie) + "=" + std::string(secret) +
                  "; Path=/; Secure; HttpOnly; SameSite=Lax";
  if (session.persistent) {
    const auto left =
        std::chrono::duration_cast<std::chrono::seconds>(session.expires - clock_.now()).count();
    c += "; Max-Age=" + std::to_string(std::max<long long>(left, 0));
  }
  return c;
}

std::string Sessions::clear_cookie() {
  return std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0";
}

}  // namespace twofold::login
