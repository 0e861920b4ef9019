#pragma once
// Escaping of user input before it goes into LDAP filters and DNs. The LDAP id of a user comes
// from an admin, the typed login from anyone: neither may change the shape of a filter
// (`*)(uid=*` must not widen a search) or of a DN (`x,ou=admins` must not move the bind).
#include <map>
#include <string>
#include <string_view>

namespace twofold::sources::ldap {

// RFC 4515 §3: `*`, `(`, `)`, `\` and NUL become \2a \28 \29 \5c \00; everything else is kept.
std::string escape_filter_value(std::string_view value);

// RFC 4514 §2.4: `"` `+` `,` `;` `<` `>` `\` (and `=`, allowed) anywhere, `#` or space first, space
// last are backslash-escaped; NUL becomes \00.
std::string escape_dn_value(std::string_view value);

// Replaces every {name} of `pattern` with `values[name]` (already escaped by the caller).
// An unknown {name} or an unbalanced brace throws std::invalid_argument: configuration
// validation uses it to refuse a template before the server starts.
std::string expand(std::string_view pattern, const std::map<std::string, std::string>& values);

// A DN compared the way directories do for our purposes: lower-case ASCII, no spaces around
// `,` and `=`. Good enough to match configured group DNs; not a full RFC 4514 normaliser.
std::string normalize_dn(std::string_view dn);

// The value of the first RDN: "cn=Admins,ou=groups,dc=x" → "Admins" (escapes undone).
std::string first_rdn_value(std::string_view dn);

}  // namespace twofold::sources::ldap
