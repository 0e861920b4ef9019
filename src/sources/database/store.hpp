#pragma once
// Persistence port of the database source; storage/password_store.* implements it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace twofold::sources::database {

struct StoredPassword {
  std::string hash;  // Argon2id PHC string
  core::TimePoint changed{};
};

class PasswordStore {
 public:
  virtual ~PasswordStore() = default;
  virtual std::optional<StoredPassword> find(std::string_view key) = 0;
  // Hashes of the newest `limit` passwords, newest first; the current password is the first.
  virtual std::vector<std::string> history(std::string_view key, std::size_t limit) = 0;
  // Makes `password` the current one, appends it to the history and keeps only the newest
  // `keep` history entries, in one transaction.
  virtual void set(std::string_view key, const StoredPassword& password, std::size_t keep) = 0;
  // The same password hashed with new parameters: replaces `old_hash` (current and history)
  // unless the password was changed meanwhile; false then. Keeps the change time.
  virtual bool rehash(std::string_view key, const std::string& old_hash,
                      const std::string& new_hash) = 0;
  // Removes the password and its history (the user becomes LDAP- or push-only).
  virtual bool remove(std::string_view key) = 0;
};

}  // namespace twofold::sources::database
