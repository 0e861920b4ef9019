// [sources] (the order of credential sources, R-C3) and [ldap] (R-C2): parsing, validation
// with messages that name the setting, and the commented block `twofold setup` writes.
#include <cctype>
#include <cstdio>
#include <sstream>

#include "config/table_reader.hpp"

namespace twofold::config::detail {
namespace {

std::vector<std::string> split_order(const std::string& order) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(order);
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(" \t");
    const auto e = item.find_last_not_of(" \t");
    out.push_back(b == std::string::npos ? std::string() : item.substr(b, e - b + 1));
  }
  if (!order.empty() && order.back() == ',') out.emplace_back();
  return out;
}

// Only {user} (and {dn} where allowed) may appear; braces must pair up.
void check_template(const char* key, const std::string& value, bool allow_dn) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '}')
      throw ConfigError(std::string("setting [ldap] ") + key + ": unbalanced '}'");
    if (value[i] != '{') continue;
    const auto close = value.find('}', i);
    require(close != std::string::npos, std::string("setting [ldap] ") + key + ": unbalanced '{'");
    const auto name = value.substr(i + 1, close - i - 1);
    require(name == "user" || (allow_dn && name == "dn"),
            std::string("setting [ldap] ") + key + ": unknown placeholder {" + name + "} (" +
                (allow_dn ? "{user}, {dn}" : "{user}") + ")");
    i = close;
  }
}

bool valid_role(const std::string& r) {
  if (r.empty() || r.size() > 64) return false;
  for (char ch : r)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-' &&
        ch != ':' && ch != '/')
      return false;
  return true;
}

void validate_sources(const Config& c) {
  const auto names = split_order(c.sources.order);
  bool ldap = false, database = false;
  for (const auto& n : names) {
    require(n == "database" || n == "ldap",
            "setting [sources] order: unknown source \"" + n +
                "\" (use \"database\", \"ldap\", \"ldap,database\" or \"database,ldap\")");
    bool& seen = n == "ldap" ? ldap : database;
    require(!seen, "setting [sources] order names \"" + n + "\" twice");
    seen = true;
  }
  const auto& l = c.ldap;
  for (const auto& s : l.servers) {
    require(s.rfind("ldap://", 0) == 0 || s.rfind("ldaps://", 0) == 0,
            "setting [ldap] servers: \"" + s + "\" is not an ldap:// or ldaps:// URI");
    require(s.find_first_of(" \t,") == std::string::npos,
            "setting [ldap] servers: one URI per entry (\"" + s + "\")");
  }
  require(l.network_timeout_seconds >= 1 && l.network_timeout_seconds <= 300,
          "setting [ldap] network_timeout_seconds must be 1..300");
  require(l.operation_timeout_seconds >= 1 && l.operation_timeout_seconds <= 300,
          "setting [ldap] operation_timeout_seconds must be 1..300");
  require(
      l.user_search_scope == "base" || l.user_search_scope == "one" || l.user_search_scope == "sub",
      "setting [ldap] user_search_scope must be base, one or sub");
  require(l.bind_dn.empty() == l.bind_password_file.empty(),
          "settings [ldap] bind_dn and bind_password_file go together");
  check_template("user_dn_template", l.user_dn_template, false);
  check_template("user_search_filter", l.user_search_filter, false);
  check_template("group_search_filter", l.group_search_filter, true);
  require(
      !l.email_attribute.empty() && !l.name_attribute.empty() && !l.group_name_attribute.empty(),
      "settings [ldap] email_attribute, name_attribute and group_name_attribute must not be "
      "empty");
  for (const auto& [group, roles] : l.group_roles) {
    require(!group.empty(), "setting [ldap.group_roles]: empty group name");
    for (const auto& r : roles)
      require(valid_role(r), "setting [ldap.group_roles] \"" + group +
                                 "\": not a valid role name \"" + r +
                                 "\" (1-64 of a-z A-Z 0-9 . _ - : /)");
  }
  if (!ldap) return;
  require(!l.servers.empty(),
          "setting [sources] order uses ldap: [ldap] servers must name a server");
  require(!l.user_dn_template.empty() || !l.user_search_base.empty(),
          "settings [ldap]: set user_dn_template (direct bind) or user_search_base "
          "(search-then-bind)");
  require(l.user_dn_template.empty() || l.user_dn_template.find("{user}") != std::string::npos,
          "setting [ldap] user_dn_template must contain {user}");
  require(!l.user_dn_template.empty() || l.user_search_filter.find("{user}") != std::string::npos,
          "setting [ldap] user_search_filter must contain {user}");
  for (const auto& s : l.servers)
    require(!(l.starttls && s.rfind("ldaps://", 0) == 0),
            "setting [ldap] starttls is for ldap:// URIs; \"" + s + "\" already uses TLS");
}

void read_group_roles(TableReader& r, Config& c) {
  const toml::node* node = r.node("group_roles");
  if (!node) return;
  const auto* table = node->as_table();
  if (!table) r.fail("group_roles", "must be a table of group = role or [roles]");
  for (const auto& [k, v] : *table) {
    std::vector<std::string> roles;
    if (v.is_string()) {
      roles.push_back(*v.value<std::string>());
    } else if (const auto* arr = v.as_array()) {
      for (const auto& el : *arr) {
        if (!el.is_string())
          throw ConfigError("setting [ldap.group_roles] \"" + std::string(k.str()) +
                            "\" must be a role or an array of roles");
        roles.push_back(*el.value<std::string>());
      }
    } else {
      throw ConfigError("setting [ldap.group_roles] \"" + std::string(k.str()) +
                        "\" must be a role or an array of roles");
    }
    c.ldap.group_roles.emplace_back(std::string(k.str()), std::move(roles));
  }
}

}  // namespace

void parse_sources(const toml::table& root, Config& c) {
  TableReader so(root["sources"].as_table(), "sources");
  so.read("order", c.sources.order);
  so.finish();

  TableReader l(root["ldap"].as_table(), "ldap");
  l.read("servers", c.ldap.servers);
  l.read("starttls", c.ldap.starttls);
  l.read("ca_file", c.ldap.ca_file);
  l.read("tls_verify", c.ldap.tls_verify);
  l.read("network_timeout_seconds", c.ldap.network_timeout_seconds);
  l.read("operation_timeout_seconds", c.ldap.operation_timeout_seconds);
  l.read("user_dn_template", c.ldap.user_dn_template);
  l.read("bind_dn", c.ldap.bind_dn);
  l.read("bind_password_file", c.ldap.bind_password_file);
  l.read("user_search_base", c.ldap.user_search_base);
  l.read("user_search_filter", c.ldap.user_search_filter);
  l.read("user_search_scope", c.ldap.user_search_scope);
  l.read("email_attribute", c.ldap.email_attribute);
  l.read("name_attribute", c.ldap.name_attribute);
  l.read("group_search_base", c.ldap.group_search_base);
  l.read("group_search_filter", c.ldap.group_search_filter);
  l.read("group_name_attribute", c.ldap.group_name_attribute);
  l.read("member_of_attribute", c.ldap.member_of_attribute);
  l.read("sync_profile", c.ldap.sync_profile);
  l.read("email_verified", c.ldap.email_verified);
  read_group_roles(l, c);
  l.finish();

  validate_sources(c);
}

std::string render_sources(const Config& c) {
  const auto& l = c.ldap;
  std::ostringstream o;
  std::string servers;
  for (const auto& s : l.servers) servers += (servers.empty() ? "" : ", ") + quoted(s);
  o << "\n[sources]\n"
    << "# Where passwords are checked, in this order: \"database\", \"ldap\", \"ldap,database\"\n"
    << "# or \"database,ldap\". Each source is tried only for IDs that have what it needs (a\n"
    << "# password, an LDAP id); admins always keep the database.\n"
    << "order = " << quoted(c.sources.order) << "\n\n"
    << "[ldap]\n"
    << "# Directory servers, tried in this order (failover), e.g. [\"ldaps://ldap1:636\"].\n"
    << "servers = [" << servers << "]\n"
    << "starttls = " << (l.starttls ? "true" : "false") << "\n"
    << "# CA certificate (PEM) for ldaps:// and StartTLS; empty: the system trust store.\n"
    << "ca_file = " << quoted(l.ca_file) << "\n"
    << "tls_verify = " << (l.tls_verify ? "true" : "false") << "\n"
    << "network_timeout_seconds = " << l.network_timeout_seconds << "\n"
    << "operation_timeout_seconds = " << l.operation_timeout_seconds << "\n"
    << "# Direct bind: the user's DN, {user} is the ID's LDAP id. Empty: search, then bind.\n"
    << "user_dn_template = " << quoted(l.user_dn_template) << "\n"
    << "# Service account for the searches (empty: anonymous) and its password file.\n"
    << "bind_dn = " << quoted(l.bind_dn) << "\n"
    << "bind_password_file = " << quoted(l.bind_password_file) << "\n"
    << "user_search_base = " << quoted(l.user_search_base) << "\n"
    << "user_search_filter = " << quoted(l.user_search_filter) << "\n"
    << "user_search_scope = " << quoted(l.user_search_scope) << "\n"
    << "email_attribute = " << quoted(l.email_attribute) << "\n"
    << "name_attribute = " << quoted(l.name_attribute) << "\n"
    << "# Groups: a search ({dn}: the user's DN) and/or an attribute of the user's entry.\n"
    << "group_search_base = " << quoted(l.group_search_base) << "\n"
    << "group_search_filter = " << quoted(l.group_search_filter) << "\n"
    << "group_name_attribute = " << quoted(l.group_name_attribute) << "\n"
    << "member_of_attribute = " << quoted(l.member_of_attribute) << "\n"
    << "# Write the directory's email, name and (with group_roles) roles into the profile.\n"
    << "sync_profile = " << (l.sync_profile ? "true" : "false") << "\n"
    << "email_verified = " << (l.email_verified ? "true" : "false") << "\n";
  if (!l.group_roles.empty()) {
    o << "\n[ldap.group_roles]\n";
    for (const auto& [group, roles] : l.group_roles) {
      std::string list;
      for (const auto& r : roles) list += (list.empty() ? "" : ", ") + quoted(r);
      o << quoted(group) << " = [" << list << "]\n";
    }
  } else {
    o << "# [ldap.group_roles]: group DN or name = [\"role\", …]\n";
  }
  return o.str();
}

}  // namespace twofold::config::detail
