#include "factors/email_code/policy.hpp"

#include <algorithm>

namespace twofold::factors::email_code {
namespace {

std::string fold(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Scope> parse_scope(std::string_view name) {
  if (name == "admins") return Scope::admins;
  if (name == "all") return Scope::all;
  return std::nullopt;
}

std::string_view to_string(Scope scope) {
  return scope == Scope::admins ? "admins" : "all";
}

std::vector<std::string> parse_user_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = text.find(',', pos);
    const auto item = trim(text.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

Policy::Policy(Scope scope, std::vector<std::string> skip_users) : scope_(scope) {
  for (const auto& name : skip_users)
    if (auto t = trim(name); !t.empty()) skip_.push_back(fold(t));
}

bool Policy::skips(std::string_view user_name) const {
  const auto folded = fold(trim(user_name));
  return std::find(skip_.begin(), skip_.end(), folded) != skip_.end();
}

bool Policy::required_for(std::string_view user_name, bool is_admin) const {
  if (scope_ == Scope::admins && !is_admin) return false;
  return !skips(user_name);
}

}  // namespace twofold::factors::email_code
