#pragma once
// From verified upstream claims to a local ID (R-C4): a configured claim (e.g.
// preferred_username or email) is matched with a PCRE2 regex; its first capture group — or the
// whole match when the regex has none — is the local ID. Optionally a claim must hold a value
// (a string equal to it, or an array containing it: "hd" = "example.com", "groups" ∋ "staff").
// Compiled once at start; every match runs under a match limit.
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <variant>

namespace twofold::sources::upstream {

struct MappingError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct MappingSettings {
  std::string claim{"preferred_username"};
  std::string regex{"^(.+)$"};
  std::string required_claim{};  // empty: no requirement
  std::string required_value{};
};

class ClaimMapping {
 public:
  // Throws MappingError when the regex does not compile or a setting is inconsistent.
  explicit ClaimMapping(MappingSettings settings, std::uint32_t match_limit = 100'000);
  ~ClaimMapping();
  ClaimMapping(ClaimMapping&&) noexcept;
  ClaimMapping& operator=(ClaimMapping&&) noexcept;

  // The local ID, or why the claims do not give one (shown to the user; names no values).
  std::variant<std::string, std::string> local_id(const nlohmann::json& claims) const;

  const MappingSettings& settings() const { return settings_; }

 private:
  struct Compiled;
  MappingSettings settings_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace twofold::sources::upstream
