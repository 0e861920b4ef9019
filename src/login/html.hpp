#pragma once
// The login pages' view of the shared template language (core/text_template.hpp): values
// are always HTML-escaped unless the template says `{{&name}}`.
#include "core/text_template.hpp"

namespace twofold::login {

using TemplateError = core::TemplateError;
using Vars = core::TemplateVars;
using core::html_escape;

inline std::string fill(std::string_view text, const Vars& vars) {
  return core::fill_template(text, vars, core::Escape::html);
}

}  // namespace twofold::login
