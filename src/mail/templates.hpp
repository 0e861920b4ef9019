#pragma once
// Mail templates in files, one per name and language: `<dir>/<name>.<lang>.txt`, e.g.
// web/templates/mail/email_code.de.txt. The first line is "Subject: …", an empty line may
// follow, the rest is the plain-text body. `{{name}}` is replaced by the value of `name`;
// a placeholder without a value is an error, so a typo never reaches a user's inbox.
// Files are read on every render: mails are rare, and an edited template applies at once.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/text_template.hpp"

namespace twofold::mail {

using TemplateError = core::TemplateError;

struct RenderedMail {
  std::string subject;
  std::string text;
};

using Vars = core::TemplateVars;

// Replaces every {{name}} (spaces inside the braces allowed) in `text`; plain text, so
// nothing is escaped (core/text_template.hpp has the whole syntax).
inline std::string substitute(std::string_view text, const Vars& vars) {
  return core::fill_template(text, vars, core::Escape::none);
}

class Templates {
 public:
  // A template file's text by file name ("email_code.de.txt"), for copies built into the
  // binary; nullopt when there is none.
  using Builtin = std::function<std::optional<std::string>(const std::string& file_name)>;

  explicit Templates(std::filesystem::path dir, std::string fallback_language = "en")
      : dir_(std::move(dir)), fallback_(std::move(fallback_language)) {}
  // Only the built-in copies (no folder configured).
  explicit Templates(Builtin builtin, std::string fallback_language = "en")
      : fallback_(std::move(fallback_language)), builtin_(std::move(builtin)) {}

  // `language` like "de", "de-AT" or "de_DE": tried as given, then its primary subtag,
  // then the fallback language. Throws TemplateError when none exists or one is malformed.
  RenderedMail render(std::string_view name, std::string_view language, const Vars& vars) const;
  // The file `render` would use, or empty.
  std::filesystem::path find(std::string_view name, std::string_view language) const;

 private:
  std::vector<std::string> candidates(std::string_view name, std::string_view language) const;

  std::filesystem::path dir_;
  std::string fallback_;
  Builtin builtin_;
};

}  // namespace twofold::mail
