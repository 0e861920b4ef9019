#pragma once
// PCRE2 for patterns that come from the configuration (the password policy, the upstream claim
// mapping): compiled once at start (JIT where the platform has it), then matched from any
// thread under a match limit, so a pattern with catastrophic backtracking answers
// `too_complex` instead of hanging a thread. UTF-8 mode: `.` is a character, not a byte;
// invalid UTF-8 in a subject is matched as such instead of failing; `\C` is refused.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace twofold::regex {

struct CompileError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct Match {
  enum class Status { matched, no_match, too_complex };
  Status status{Status::no_match};
  // matched: capture group 1 when the pattern has one and it took part, else the whole match
  // (a view into the subject).
  std::string_view capture;
};

class Pattern {
 public:
  // Throws CompileError "<name> does not compile at offset N: <PCRE2's reason>".
  Pattern(std::string_view pattern, std::uint32_t match_limit, std::string_view name = "the regex");
  ~Pattern();
  Pattern(Pattern&&) noexcept;
  Pattern& operator=(Pattern&&) noexcept;

  // Thread-safe: the compiled code is shared, match data is per call. too_complex: the match,
  // depth, heap or JIT stack limit, or anything else PCRE2 gives up on.
  Match match(std::string_view subject) const;

  bool jit() const { return jit_; }

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
  bool jit_{false};
};

}  // namespace twofold::regex
