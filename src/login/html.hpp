#pragma once
// A tiny HTML template filler, no framework: `{{name}}` inserts a value HTML-escaped,
// `{{&name}}` inserts trusted markup (other rendered templates) as is, `{{#name}}…{{/name}}`
// keeps its inside when the value is non-empty, `{{^name}}…{{/name}}` when it is empty.
// A placeholder without a value is an error, so a typo never reaches a browser.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace twofold::login {

struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Vars = std::map<std::string, std::string, std::less<>>;

// & < > " ' → entities: safe in element content and in quoted attribute values.
std::string html_escape(std::string_view text);

// Throws TemplateError on an unknown name, an unclosed tag or an unclosed section.
std::string fill(std::string_view text, const Vars& vars);

}  // namespace twofold::login
