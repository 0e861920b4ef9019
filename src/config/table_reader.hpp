#pragma once
// Internal to src/config: typed reads from one TOML table that remember which keys they knew,
// so that a misspelt key is an error instead of a silently ignored setting.
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"

namespace twofold::config::detail {

// For render(): a TOML basic string (quotes, backslashes and control characters escaped)
// and a TOML boolean.
std::string quoted(const std::string& s);
std::string boolean(bool v);
// Throws ConfigError(message) unless ok: for the validation of every section.
inline void require(bool ok, const std::string& message) {
  if (!ok) throw ConfigError(message);
}

class TableReader {
 public:
  TableReader(const toml::table* table, std::string name) : table_(table), name_(std::move(name)) {}

  template <typename T>
  void read(const char* key, T& out) {
    known_.insert(key);
    if (!table_) return;
    const toml::node* node = table_->get(key);
    if (!node) return;
    if constexpr (std::is_same_v<T, bool>) {
      auto v = node->value<bool>();
      if (!node->is_boolean() || !v) fail(key, "must be true or false");
      out = *v;
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!node->is_string()) fail(key, "must be a string");
      out = *node->value<std::string>();
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      const auto* arr = node->as_array();
      if (!arr) fail(key, "must be an array of strings");
      out.clear();
      for (const auto& el : *arr) {
        if (!el.is_string()) fail(key, "must be an array of strings");
        out.push_back(*el.value<std::string>());
      }
    } else {
      static_assert(std::is_integral_v<T>);
      if (!node->is_integer()) fail(key, "must be an integer");
      const auto v = *node->value<std::int64_t>();
      if (v < 0 || static_cast<std::uint64_t>(v) > std::numeric_limits<T>::max())
        fail(key, "is out of range");
      out = static_cast<T>(v);
    }
  }

  // A key read by other means (a sub-table): known, so finish() accepts it.
  const toml::node* node(const char* key) {
    known_.insert(key);
    return table_ ? table_->get(key) : nullptr;
  }

  void finish() const {
    if (!table_) return;
    for (const auto& [k, v] : *table_)
      if (!known_.count(std::string(k.str())))
        throw ConfigError("unknown setting [" + name_ + "] " + std::string(k.str()));
  }

  [[noreturn]] void fail(const char* key, const char* why) const {
    throw ConfigError("setting [" + name_ + "] " + key + " " + why);
  }

 private:
  const toml::table* table_;
  std::string name_;
  std::set<std::string> known_;
};

// [sources] and [ldap] (sources_config.cpp).
void parse_sources(const toml::table& root, Config& c);
std::string render_sources(const Config& c);
void parse_upstream(const toml::table& root, Config& c);
std::string render_upstream(const Config& c);
// [mail], [email_code] and [totp] (factors_config.cpp).
void parse_factors(const toml::table& root, Config& c);
std::string render_factors(const Config& c);

}  // namespace twofold::config::detail
