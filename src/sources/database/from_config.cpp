#include "sources/database/from_config.hpp"

namespace twofold::sources::database {

Settings settings_from(const config::Password& section) {
  Settings s;
  s.argon2.opslimit = section.argon2_opslimit;
  s.argon2.memlimit = static_cast<std::size_t>(section.argon2_memlimit_kib) * 1024;
  s.policy_regex = section.policy;
  s.max_age_days = section.max_age_days;
  s.history = section.history;
  s.case_sensitive = section.case_sensitive;
  s.force_lower_case = section.force_lower_case;
  return s;
}

}  // namespace twofold::sources::database
