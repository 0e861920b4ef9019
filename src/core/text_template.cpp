#include "core/text_template.hpp"

namespace twofold::core {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s, std::string_view chars) {
  while (!s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  while (!s.empty() && chars.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  return s;
}

std::string primary_language(std::string_view tag) {
  return ascii_lower(tag.substr(0, tag.find_first_of("-_")));
}

namespace {

const std::string& lookup(const TemplateVars& vars, std::string_view name) {
  auto it = vars.find(name);
  if (it == vars.end()) throw TemplateError("template: no value for {{" + std::string(name) + "}}");
  return it->second;
}

void render(std::string_view text, const TemplateVars& vars, Escape escape, std::string& out,
            int depth) {
  if (depth > 8) throw TemplateError("template: sections nested too deeply");
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      return;
    }
    out.append(text.substr(pos, open - pos));
    const auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) throw TemplateError("template: unclosed {{");
    const auto tag = trim(text.substr(open + 2, close - open - 2), " ");
    pos = close + 2;
    if (tag.empty()) throw TemplateError("template: empty {{}}");
    const char kind = tag.front();
    if (kind == '#' || kind == '^') {
      const auto name = trim(tag.substr(1), " ");
      const std::string end_tag = "{{/" + std::string(name) + "}}";
      const auto end = text.find(end_tag, pos);
      if (end == std::string_view::npos)
        throw TemplateError("template: section " + std::string(name) + " is not closed");
      const bool set = !lookup(vars, name).empty();
      if (set == (kind == '#')) render(text.substr(pos, end - pos), vars, escape, out, depth + 1);
      pos = end + end_tag.size();
    } else if (kind == '/') {
      throw TemplateError("template: stray {{" + std::string(tag) + "}}");
    } else if (kind == '&') {
      out += lookup(vars, trim(tag.substr(1), " "));
    } else if (escape == Escape::html) {
      out += html_escape(lookup(vars, tag));
    } else {
      out += lookup(vars, tag);
    }
  }
}

}  // namespace

std::string fill_template(std::string_view text, const TemplateVars& vars, Escape escape) {
  std::string out;
  out.reserve(text.size() * 2);
  render(text, vars, escape, out, 0);
  return out;
}

}  // namespace twofold::core
