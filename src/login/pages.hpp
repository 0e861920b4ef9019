#pragma once
// The login pages: templates from web/templates/login (built into the binary, or read once
// from a configured folder), texts from a catalogue per language (English and German), the
// language chosen by ui_locales, then Accept-Language (OIDC Core §3.1.2.1, RFC 9110 §12.5.4).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "login/html.hpp"

namespace twofold::login {

enum class Language { en, de };
std::string_view code_of(Language language);
std::optional<Language> parse_language(std::string_view tag);  // "de", "de-AT", "en_GB"…
// The first of `ui_locales` we speak, else the best of Accept-Language (q-values), else en.
Language choose_language(const std::vector<std::string>& ui_locales,
                         std::string_view accept_language);

// The files built into the binary: "templates/login/<name>" and "static/<name>".
std::optional<std::string_view> embedded_file(std::string_view name);

class Pages {
 public:
  // `templates_dir` empty: the built-in templates. Throws TemplateError when a page or a
  // catalogue is missing or a catalogue line is malformed.
  explicit Pages(const std::filesystem::path& templates_dir = {});

  // The page template `name` (e.g. "identify") filled with `vars` plus every catalogue text
  // as `t.<key>`, inside the layout.
  std::string render(std::string_view name, Language language, Vars vars) const;
  // One catalogue text; the key itself when unknown (never empty on a page).
  std::string text(Language language, std::string_view key) const;
  // The error page of the login and logout pages: catalogue texts `title_key` and
  // `message_key`, and `detail`, a short technical reason (escaped; empty: none).
  std::string error_page(Language language, std::string_view title_key,
                         std::string_view message_key, std::string_view detail = {}) const;
  // A file of web/static (login.js, login.css), or nullopt.
  static std::optional<std::string_view> static_file(std::string_view name);

  static const std::vector<std::string>& page_names();

 private:
  std::map<std::string, std::string, std::less<>> templates_;
  std::map<std::string, std::string, std::less<>> texts_[2];
};

}  // namespace twofold::login
