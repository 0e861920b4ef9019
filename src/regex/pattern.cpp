#include "regex/pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace twofold::regex {

struct Pattern::Compiled {
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

Pattern::Pattern(std::string_view pattern, std::uint32_t match_limit, std::string_view name)
    : compiled_(std::make_unique<Compiled>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                  PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C,
                                  &error, &offset, nullptr);
  if (!compiled_->code)
    throw CompileError(std::string(name) + " does not compile at offset " + std::to_string(offset) +
                       ": " + pcre2_message(error));
  // JIT is an optimisation: the interpreter gives the same answers where it is unavailable.
  jit_ = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
  compiled_->context = pcre2_match_context_create(nullptr);
  if (!compiled_->context) throw std::bad_alloc();
  // The match limit bounds the interpreter and JIT alike (PCRE2's default heap limit, 20 MB,
  // already bounds the interpreter's backtracking memory).
  pcre2_set_match_limit(compiled_->context, match_limit);
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

Match Pattern::match(std::string_view subject) const {
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(compiled_->code, nullptr), &pcre2_match_data_free);
  if (!data) throw std::bad_alloc();
  const int rc = pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                             subject.size(), 0, 0, data.get(), compiled_->context);
  if (rc == PCRE2_ERROR_NOMATCH) return {Match::Status::no_match, {}};
  if (rc < 0) return {Match::Status::too_complex, {}};
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
  // rc is one more than the highest group that took part (0: the match data was too small,
  // which match data made from the pattern never is).
  const std::size_t group = (rc >= 2 && ovector[2] != PCRE2_UNSET) ? 1 : 0;
  const auto start = ovector[2 * group], end = ovector[2 * group + 1];
  return {Match::Status::matched, subject.substr(start, end - start)};
}

}  // namespace twofold::regex
