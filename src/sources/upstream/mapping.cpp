#include "sources/upstream/mapping.hpp"

namespace twofold::sources::upstream {
namespace {

// The settings' own checks come before the regex is compiled.
const MappingSettings& checked(const MappingSettings& s) {
  if (s.claim.empty()) throw MappingError("the claim to map must not be empty");
  if (s.required_claim.empty() != s.required_value.empty())
    throw MappingError("required_claim and required_value go together");
  return s;
}

regex::Pattern compile(const std::string& pattern, std::uint32_t match_limit) {
  try {
    return regex::Pattern(pattern, match_limit, "the claim regex");
  } catch (const regex::CompileError& e) {
    throw MappingError(e.what());
  }
}

using Outcome = std::variant<std::string, std::string>;
Outcome refused(std::string why) {
  return Outcome(std::in_place_index<1>, std::move(why));
}

bool holds(const nlohmann::json& value, const std::string& wanted) {
  if (value.is_string()) return value.get<std::string>() == wanted;
  if (value.is_boolean()) return (value.get<bool>() ? "true" : "false") == wanted;
  if (value.is_array())
    for (const auto& v : value)
      if (v.is_string() && v.get<std::string>() == wanted) return true;
  return false;
}

}  // namespace

ClaimMapping::ClaimMapping(MappingSettings settings, std::uint32_t match_limit)
    : settings_(std::move(settings)), regex_(compile(checked(settings_).regex, match_limit)) {}

ClaimMapping::~ClaimMapping() = default;
ClaimMapping::ClaimMapping(ClaimMapping&&) noexcept = default;
ClaimMapping& ClaimMapping::operator=(ClaimMapping&&) noexcept = default;

std::variant<std::string, std::string> ClaimMapping::local_id(const nlohmann::json& claims) const {
  if (!claims.is_object()) return refused("the provider's claims are not an object");
  if (!settings_.required_claim.empty()) {
    const auto it = claims.find(settings_.required_claim);
    if (it == claims.end() || !holds(*it, settings_.required_value))
      return refused("the account does not have the required \"" + settings_.required_claim +
                     "\" claim value");
  }
  const auto it = claims.find(settings_.claim);
  if (it == claims.end() || !it->is_string())
    return refused("the provider did not send the \"" + settings_.claim + "\" claim");
  const auto& subject = it->get_ref<const std::string&>();
  const auto match = regex_.match(subject);
  if (match.status == regex::Match::Status::no_match)
    return refused("the \"" + settings_.claim + "\" claim does not match the configured pattern");
  if (match.status == regex::Match::Status::too_complex)
    return refused("the claim pattern is too complex for this value");
  std::string id(match.capture);
  if (id.empty()) return refused("the \"" + settings_.claim + "\" claim maps to an empty ID");
  return Outcome(std::in_place_index<0>, std::move(id));
}

}  // namespace twofold::sources::upstream
