#include "login/pages.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace twofold::login {
namespace {

using core::trim;

// "key = text" lines; '#' starts a comment line.
std::map<std::string, std::string, std::less<>> parse_catalogue(std::string_view text,
                                                                const std::string& name) {
  std::map<std::string, std::string, std::less<>> out;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos)
      throw TemplateError(name + ":" + std::to_string(line_no) + ": expected key = text");
    out.emplace(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
  }
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TemplateError("cannot read template " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::string_view code_of(Language language) {
  return language == Language::de ? "de" : "en";
}

std::optional<Language> parse_language(std::string_view tag) {
  const auto primary = core::primary_language(tag);
  if (primary == "de") return Language::de;
  if (primary == "en") return Language::en;
  return std::nullopt;
}

Language choose_language(const std::vector<std::string>& ui_locales,
                         std::string_view accept_language) {
  for (const auto& tag : ui_locales)
    if (auto l = parse_language(tag)) return *l;
  // Accept-Language: "de-DE,de;q=0.9,en;q=0.8"; the highest q wins, ties by order.
  std::optional<Language> best;
  double best_q = 0;
  std::size_t pos = 0;
  while (pos < accept_language.size()) {
    auto end = accept_language.find(',', pos);
    if (end == std::string_view::npos) end = accept_language.size();
    auto item = trim(accept_language.substr(pos, end - pos));
    pos = end + 1;
    double q = 1;
    if (const auto semi = item.find(';'); semi != std::string_view::npos) {
      auto param = trim(item.substr(semi + 1));
      item = trim(item.substr(0, semi));
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        try {
          q = std::stod(std::string(param.substr(2)));
        } catch (const std::exception&) {
          q = 0;
        }
      }
    }
    auto l = parse_language(item);
    if (l && q > best_q) {
      best = l;
      best_q = q;
    }
  }
  return best.value_or(Language::en);
}

const std::vector<std::string>& Pages::page_names() {
  static const std::vector<std::string> names{"layout",  "identify", "push",   "code",
                                              "consent", "error",    "logout", "logged_out",
                                              "account", "password", "forgot", "password_done"};
  return names;
}

Pages::Pages(const std::filesystem::path& dir) {
  auto load = [&](const std::string& name) -> std::string {
    if (!dir.empty()) return read_file(dir / name);
    auto text = embedded_file("templates/login/" + name);
    if (!text) throw TemplateError("no built-in template " + name);
    return std::string(*text);
  };
  for (const auto& page : page_names()) templates_.emplace(page, load(page + ".html"));
  texts_[0] = parse_catalogue(load("messages.en.txt"), "messages.en.txt");
  texts_[1] = parse_catalogue(load("messages.de.txt"), "messages.de.txt");
  for (const auto& [key, _] : texts_[0])
    if (!texts_[1].count(key)) throw TemplateError("messages.de.txt lacks " + key);
  // Every page must fill with the catalogue and its own variables: checked at the first
  // render of each page (unit tests render them all).
}

std::string Pages::text(Language language, std::string_view key) const {
  const auto& texts = texts_[language == Language::de ? 1 : 0];
  auto it = texts.find(key);
  return it == texts.end() ? std::string(key) : it->second;
}

std::string Pages::error_page(Language language, std::string_view title_key,
                              std::string_view message_key, std::string_view detail) const {
  return render("error", language,
                {{"title", text(language, title_key)},
                 {"message", text(language, message_key)},
                 {"detail", std::string(detail)},
                 {"script", ""}});
}

std::string Pages::render(std::string_view name, Language language, Vars vars) const {
  auto page = templates_.find(name);
  if (page == templates_.end()) throw TemplateError("no page " + std::string(name));
  for (const auto& [key, text] : texts_[language == Language::de ? 1 : 0])
    vars.emplace("t." + key, text);
  vars["lang"] = std::string(code_of(language));
  vars["content"] = fill(page->second, vars);
  return fill(templates_.at("layout"), vars);
}

std::optional<std::string_view> Pages::static_file(std::string_view name) {
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  return embedded_file("static/" + std::string(name));
}

}  // namespace twofold::login
