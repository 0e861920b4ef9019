#include "mail/templates.hpp"

#include <fstream>
#include <sstream>
#include <vector>

#include "core/encoding.hpp"

namespace twofold::mail {
namespace {

// Names and language tags end up in a path: letters, digits, '_' and '-' only.
bool is_safe_part(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  return true;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TemplateError("cannot read mail template " + path.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

// The file names to try: `language` as given, its primary subtag, the fallback language.
std::vector<std::string> Templates::candidates(std::string_view name,
                                               std::string_view language) const {
  std::vector<std::string> out;
  if (!is_safe_part(name)) return out;
  std::vector<std::string> langs;
  std::string lang = core::ascii_lower(language);
  for (auto& c : lang)
    if (c == '_') c = '-';
  if (is_safe_part(lang)) {
    langs.push_back(lang);
    if (auto primary = core::primary_language(lang); primary != lang) langs.push_back(primary);
  }
  langs.push_back(fallback_);
  for (const auto& l : langs) out.push_back(std::string(name) + "." + l + ".txt");
  return out;
}

std::filesystem::path Templates::find(std::string_view name, std::string_view language) const {
  if (dir_.empty()) return {};
  for (const auto& file : candidates(name, language)) {
    auto path = dir_ / file;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return path;
  }
  return {};
}

RenderedMail Templates::render(std::string_view name, std::string_view language,
                               const Vars& vars) const {
  std::string raw;
  std::string label;
  if (builtin_) {
    for (const auto& file : candidates(name, language)) {
      if (auto text = builtin_(file)) {
        raw = std::move(*text);
        label = "built-in " + file;
        break;
      }
    }
    if (label.empty()) throw TemplateError("no built-in mail template '" + std::string(name) + "'");
  } else {
    const auto path = find(name, language);
    if (path.empty())
      throw TemplateError("no mail template '" + std::string(name) + "' in " + dir_.string());
    raw = read_file(path);
    label = path.string();
  }
  if (raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);  // editors' UTF-8 BOM
  if (!core::is_valid_utf8(raw)) throw TemplateError(label + " is not UTF-8");
  std::string text;
  text.reserve(raw.size());
  for (char c : raw)
    if (c != '\r') text.push_back(c);

  constexpr std::string_view kSubject = "Subject:";
  const auto eol = text.find('\n');
  const std::string_view first = std::string_view(text).substr(0, eol);
  if (first.substr(0, kSubject.size()) != kSubject)
    throw TemplateError(label + ": the first line must be 'Subject: …'");
  RenderedMail out;
  out.subject = substitute(core::trim(first.substr(kSubject.size())), vars);
  std::string_view body = eol == std::string::npos ? "" : std::string_view(text).substr(eol + 1);
  if (!body.empty() && body.front() == '\n') body.remove_prefix(1);
  out.text = substitute(body, vars);
  return out;
}

}  // namespace twofold::mail
