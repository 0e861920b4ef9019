#include "sources/database/policy.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace twofold::sources::database {

struct PasswordPolicy::Compiled {
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

}  // namespace

PasswordPolicy::PasswordPolicy(std::string pattern, std::uint32_t match_limit)
    : pattern_(std::move(pattern)), compiled_(std::make_unique<Compiled>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.data()), pattern_.size(),
                                  PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C,
                                  &error, &offset, nullptr);
  if (!compiled_->code)
    throw PolicyError("password policy regex does not compile at offset " + std::to_string(offset) +
                      ": " + pcre2_message(error));
  // JIT is an optimisation: the interpreter gives the same answers where it is unavailable.
  jit_ = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
  compiled_->context = pcre2_match_context_create(nullptr);
  if (!compiled_->context) throw std::bad_alloc();
  // The match limit bounds the interpreter and JIT alike (PCRE2's default heap limit, 20 MB,
  // already bounds the interpreter's backtracking memory).
  pcre2_set_match_limit(compiled_->context, match_limit);
}

PasswordPolicy::~PasswordPolicy() = default;
PasswordPolicy::PasswordPolicy(PasswordPolicy&&) noexcept = default;
PasswordPolicy& PasswordPolicy::operator=(PasswordPolicy&&) noexcept = default;

PasswordPolicy::Verdict PasswordPolicy::check(std::string_view password) const {
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(compiled_->code, nullptr), &pcre2_match_data_free);
  if (!data) throw std::bad_alloc();
  const int rc = pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(password.data()),
                             password.size(), 0, 0, data.get(), compiled_->context);
  if (rc >= 0) return Verdict::accepted;
  if (rc == PCRE2_ERROR_NOMATCH) return Verdict::refused;
  // Match, depth, heap or JIT stack limit, or anything else PCRE2 gives up on: the pattern is
  // unfit, which is the operator's problem, not a reason to accept the password.
  return Verdict::too_complex;
}

}  // namespace twofold::sources::database
