#pragma once
// One small template language for every text twofold renders (login pages, mails), no
// framework: `{{name}}` inserts a value (HTML-escaped when the caller asks for it),
// `{{&name}}` inserts it as is (trusted markup, e.g. another rendered template),
// `{{#name}}…{{/name}}` keeps its inside when the value is non-empty, `{{^name}}…{{/name}}`
// when it is empty. A placeholder without a value is an error, so a typo never reaches a
// browser or an inbox. Plus the bits of language-tag handling both need.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace twofold::core {

struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using TemplateVars = std::map<std::string, std::string, std::less<>>;

enum class Escape { none, html };

// & < > " ' → entities: safe in element content and in quoted attribute values.
std::string html_escape(std::string_view text);

// Throws TemplateError on an unknown name, an unclosed tag or an unclosed section.
std::string fill_template(std::string_view text, const TemplateVars& vars, Escape escape);

std::string ascii_lower(std::string_view s);
std::string_view trim(std::string_view s, std::string_view chars = " \t\r");
// "de-AT", "DE", "de_DE" → "de"; the primary subtag of a language tag, lower case.
std::string primary_language(std::string_view tag);

}  // namespace twofold::core
