#include "sources/database/policy.hpp"

namespace twofold::sources::database {
namespace {

regex::Pattern compile(const std::string& pattern, std::uint32_t match_limit) {
  try {
    return regex::Pattern(pattern, match_limit, "password policy regex");
  } catch (const regex::CompileError& e) {
    throw PolicyError(e.what());
  }
}

}  // namespace

PasswordPolicy::PasswordPolicy(std::string pattern, std::uint32_t match_limit)
    : pattern_(std::move(pattern)), regex_(compile(pattern_, match_limit)) {}

PasswordPolicy::~PasswordPolicy() = default;
PasswordPolicy::PasswordPolicy(PasswordPolicy&&) noexcept = default;
PasswordPolicy& PasswordPolicy::operator=(PasswordPolicy&&) noexcept = default;

PasswordPolicy::Verdict PasswordPolicy::check(std::string_view password) const {
  switch (regex_.match(password).status) {
    case regex::Match::Status::matched:
      return Verdict::accepted;
    case regex::Match::Status::no_match:
      return Verdict::refused;
    case regex::Match::Status::too_complex:
      break;
  }
  // The pattern is unfit, which is the operator's problem, not a reason to accept the password.
  return Verdict::too_complex;
}

}  // namespace twofold::sources::database
