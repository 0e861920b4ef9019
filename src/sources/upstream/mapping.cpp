#include "sources/upstream/mapping.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace twofold::sources::upstream {

struct ClaimMapping::Compiled {
  pcre2_code* code{nullptr};
  pcre2_match_context* context{nullptr};
  ~Compiled() {
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }
};

namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0)
    return "error " + std::to_string(code);
  return reinterpret_cast<const char*>(buffer);
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
    : settings_(std::move(settings)), compiled_(std::make_unique<Compiled>()) {
  if (settings_.claim.empty()) throw MappingError("the claim to map must not be empty");
  if (settings_.required_claim.empty() != settings_.required_value.empty())
    throw MappingError("required_claim and required_value go together");
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled_->code = pcre2_compile(
      reinterpret_cast<PCRE2_SPTR>(settings_.regex.data()), settings_.regex.size(),
      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C, &error, &offset, nullptr);
  if (!compiled_->code)
    throw MappingError("the claim regex does not compile at offset " + std::to_string(offset) +
                       ": " + pcre2_message(error));
  pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);  // optional speed-up
  compiled_->context = pcre2_match_context_create(nullptr);
  if (!compiled_->context) throw std::bad_alloc();
  pcre2_set_match_limit(compiled_->context, match_limit);
}

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
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(compiled_->code, nullptr), &pcre2_match_data_free);
  if (!data) throw std::bad_alloc();
  const int rc = pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                             subject.size(), 0, 0, data.get(), compiled_->context);
  if (rc == PCRE2_ERROR_NOMATCH)
    return refused("the \"" + settings_.claim + "\" claim does not match the configured pattern");
  if (rc < 0) return refused("the claim pattern is too complex for this value");
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
  // Group 1 when the regex has one and it took part in the match, else the whole match.
  std::size_t group = (rc >= 2 && ovector[2] != PCRE2_UNSET) ? 1 : 0;
  const auto start = ovector[2 * group], end = ovector[2 * group + 1];
  std::string id = subject.substr(start, end - start);
  if (id.empty()) return refused("the \"" + settings_.claim + "\" claim maps to an empty ID");
  return Outcome(std::in_place_index<0>, std::move(id));
}

}  // namespace twofold::sources::upstream
