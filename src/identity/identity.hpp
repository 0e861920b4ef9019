#pragma once
// An ID: the user's login name on twofold (the seeds' "SecSign ID"), matched
// case-insensitively through its key (the lower-cased name).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace twofold::identity {

struct Identity {
  std::string key;   // lower-case name, the primary key
  std::string name;  // as first enrolled
  bool admin{false};
  bool locked{false};
  // R-S7: a concurrent second request suspends the ID until the user resumes on the device.
  bool suspended{false};
  core::TimePoint last_suspension{};
  std::uint32_t recent_suspensions{0};
  core::TimePoint priority_required_until{};  // plain-ID requests refused until then
  core::TimePoint created{};
};

// IDs are 1–255 characters of A–Z a–z 0–9 . _ @ -
bool is_valid_name(std::string_view name);
std::string key_of(std::string_view name);  // lower-case ASCII

// Persistence port; storage implements it.
class Directory {
 public:
  virtual ~Directory() = default;
  virtual std::optional<Identity> find(std::string_view key) = 0;
  // Inserts a new ID; returns false if the key exists. `admin_if_first` makes the very
  // first ID admin atomically (no race between two first enrolments).
  virtual bool create(Identity& identity, bool admin_if_first) = 0;
  virtual void save(const Identity& identity) = 0;
};

}  // namespace twofold::identity
