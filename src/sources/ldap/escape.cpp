#include "sources/ldap/escape.hpp"

#include <cctype>
#include <stdexcept>

namespace twofold::sources::ldap {
namespace {

char hex_digit(unsigned v) {
  return "0123456789abcdef"[v & 0xf];
}

void hex_escape(std::string& out, unsigned char ch) {
  out.push_back('\\');
  out.push_back(hex_digit(ch >> 4));
  out.push_back(hex_digit(ch));
}

int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

}  // namespace

std::string escape_filter_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    switch (ch) {
      case '*':
      case '(':
      case ')':
      case '\\':
      case '\0':
        hex_escape(out, static_cast<unsigned char>(ch));
        break;
      default:
        out.push_back(ch);
    }
  }
  return out;
}

std::string escape_dn_value(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 4);
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char ch = value[i];
    if (ch == '\0') {
      out += "\\00";
      continue;
    }
    const bool special = ch == '"' || ch == '+' || ch == ',' || ch == ';' || ch == '<' ||
                         ch == '>' || ch == '\\' || ch == '=';
    const bool leading = i == 0 && (ch == '#' || ch == ' ');
    const bool trailing = i + 1 == value.size() && ch == ' ';
    if (special || leading || trailing) out.push_back('\\');
    out.push_back(ch);
  }
  return out;
}

std::string expand(std::string_view pattern, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char ch = pattern[i];
    if (ch == '}')
      throw std::invalid_argument("unbalanced '}' in \"" + std::string(pattern) + "\"");
    if (ch != '{') {
      out.push_back(ch);
      continue;
    }
    const auto close = pattern.find('}', i);
    if (close == std::string_view::npos)
      throw std::invalid_argument("unbalanced '{' in \"" + std::string(pattern) + "\"");
    const std::string name(pattern.substr(i + 1, close - i - 1));
    const auto it = values.find(name);
    if (it == values.end())
      throw std::invalid_argument("unknown placeholder {" + name + "} in \"" +
                                  std::string(pattern) + "\"");
    out += it->second;
    i = close;
  }
  return out;
}

std::string normalize_dn(std::string_view dn) {
  std::string out;
  out.reserve(dn.size());
  for (std::size_t i = 0; i < dn.size(); ++i) {
    const char ch = dn[i];
    if (ch == '\\' && i + 1 < dn.size()) {  // keep escapes as they are (case folded)
      out.push_back(ch);
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(dn[++i]))));
      continue;
    }
    if (ch == ' ') {
      const bool after_sep = !out.empty() && (out.back() == ',' || out.back() == '=');
      std::size_t j = i;
      while (j < dn.size() && dn[j] == ' ') ++j;
      const bool before_sep = j == dn.size() || dn[j] == ',' || dn[j] == '=';
      if (after_sep || before_sep || out.empty()) {
        i = j - 1;
        continue;
      }
    }
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  return out;
}

std::string first_rdn_value(std::string_view dn) {
  const auto eq = dn.find('=');
  if (eq == std::string_view::npos) return {};
  std::string out;
  for (std::size_t i = eq + 1; i < dn.size(); ++i) {
    const char ch = dn[i];
    if (ch == ',' || ch == '+') break;
    if (ch == '\\' && i + 1 < dn.size()) {
      const int hi = hex_value(dn[i + 1]);
      const int lo = i + 2 < dn.size() ? hex_value(dn[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        out.push_back(dn[++i]);
      }
      continue;
    }
    out.push_back(ch);
  }
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace twofold::sources::ldap
