#pragma once
// Who must enter an email code (R-F2, seed 003): everyone or only administrators, minus a
// skip list of user names, compared case-insensitively (ASCII letters only: names with
// other letters must be listed as they are spelled).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twofold::factors::email_code {

enum class Scope { admins, all };

std::optional<Scope> parse_scope(std::string_view name);  // "admins" | "all"
std::string_view to_string(Scope scope);

// "alice, Bob ,carol" → {"alice", "Bob", "carol"}; empty entries dropped.
std::vector<std::string> parse_user_list(std::string_view comma_separated);

class Policy {
 public:
  Policy() = default;
  Policy(Scope scope, std::vector<std::string> skip_users);

  Scope scope() const { return scope_; }
  bool skips(std::string_view user_name) const;
  // True when this user has to prove the login with an emailed code.
  bool required_for(std::string_view user_name, bool is_admin) const;

 private:
  Scope scope_ = Scope::all;
  std::vector<std::string> skip_;  // folded to lower case
};

}  // namespace twofold::factors::email_code
