#include "sources/ldap/ldap_source.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <stdexcept>

#include "sources/ldap/escape.hpp"

namespace twofold::sources::ldap {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return lower(a) == lower(b);
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

std::string describe(const Result& r) {
  return r.message.empty() ? std::string("no details") : r.message;
}

}  // namespace

std::string Entry::first(std::string_view name) const {
  const auto& values = all(name);
  return values.empty() ? std::string() : values.front();
}

const std::vector<std::string>& Entry::all(std::string_view name) const {
  static const std::vector<std::string> none;
  const auto it = attributes.find(lower(name));
  return it == attributes.end() ? none : it->second;
}

void validate(const Settings& s) {
  auto check = [](const char* setting, const std::string& pattern,
                  std::map<std::string, std::string> values) {
    try {
      expand(pattern, values);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("setting [ldap] ") + setting + ": " + e.what());
    }
  };
  if (s.servers.empty()) throw std::invalid_argument("setting [ldap] servers must name a server");
  if (!s.user_dn_template.empty()) {
    check("user_dn_template", s.user_dn_template, {{"user", "u"}});
    if (s.user_dn_template.find("{user}") == std::string::npos)
      throw std::invalid_argument("setting [ldap] user_dn_template must contain {user}");
  } else {
    if (s.user_search_base.empty())
      throw std::invalid_argument(
          "settings [ldap]: set user_dn_template (direct bind) or user_search_base "
          "(search-then-bind)");
    check("user_search_filter", s.user_search_filter, {{"user", "u"}});
    if (s.user_search_filter.find("{user}") == std::string::npos)
      throw std::invalid_argument("setting [ldap] user_search_filter must contain {user}");
  }
  if (!s.group_search_base.empty())
    check("group_search_filter", s.group_search_filter, {{"user", "u"}, {"dn", "d"}});
  for (const auto& g : s.group_roles)
    for (const auto& r : g.roles)
      if (!identity::is_valid_role(r))
        throw std::invalid_argument("setting [ldap.group_roles] \"" + g.group +
                                    "\": not a valid role name: \"" + r + "\"");
}

std::vector<std::string> map_roles(const std::vector<std::string>& groups,
                                   const std::vector<GroupRoles>& table) {
  std::vector<std::string> roles;
  for (const auto& entry : table) {
    const bool by_dn = entry.group.find('=') != std::string::npos;
    const auto wanted = by_dn ? normalize_dn(entry.group) : lower(entry.group);
    const bool member = std::any_of(groups.begin(), groups.end(), [&](const std::string& dn) {
      return by_dn ? normalize_dn(dn) == wanted : iequals(first_rdn_value(dn), wanted);
    });
    if (member)
      for (const auto& r : entry.roles) add_unique(roles, r);
  }
  return roles;
}

Failure bind_failure(const Result& result) {
  const auto& m = result.message;
  if (m.find("data 532") != std::string::npos || m.find("data 773") != std::string::npos)
    return Failure::expired_password;
  return Failure::wrong_password;
}

Source::Source(Settings settings, Connector& connector, identity::Directory& identities,
               LinkStore& links, identity::ProfileStore* profiles, const core::Clock& clock)
    : settings_(std::move(settings)),
      connector_(connector),
      identities_(identities),
      links_(links),
      profiles_(profiles),
      clock_(clock) {
  validate(settings_);
}

// One server's answer: a user, a definitive failure (no other server would answer
// differently), or `failover` with the reason (try the next server).
struct Source::Attempt {
  std::optional<DirectoryUser> user;
  std::optional<Error> error;
  bool failover{false};
  std::string reason;
};

Source::Attempt Source::try_server(const std::string& uri, std::string_view ldap_id,
                                   std::string_view password) {
  Attempt a;
  auto down = [&](std::string what, const Result& r) {
    a.failover = true;
    a.reason = uri + ": " + what + ": " + describe(r);
    return std::move(a);
  };
  Result error;
  auto conn = connector_.connect(uri, error);
  if (!conn) return down("connect", error);

  const bool service = !settings_.bind_dn.empty();
  if (service) {
    const auto r = conn->bind(settings_.bind_dn, settings_.bind_password);
    if (r.status != Status::ok) return down("service account bind", r);
  }

  std::vector<std::string> attrs{settings_.email_attribute, settings_.name_attribute, "cn"};
  if (!settings_.member_of_attribute.empty()) attrs.push_back(settings_.member_of_attribute);

  std::optional<Entry> entry;
  std::string dn;
  if (!settings_.user_dn_template.empty()) {
    dn = expand(settings_.user_dn_template, {{"user", escape_dn_value(ldap_id)}});
  } else {
    const auto filter =
        expand(settings_.user_search_filter, {{"user", escape_filter_value(ldap_id)}});
    auto found =
        conn->search(settings_.user_search_base, settings_.user_search_scope, filter, attrs, 2);
    if (found.result.status != Status::ok) return down("user search", found.result);
    if (found.entries.size() != 1) {
      a.error = make_error(Failure::unknown_user, uri + ": the user search " + filter + " found " +
                                                      std::to_string(found.entries.size()) +
                                                      " entries, not one");
      return a;
    }
    entry = std::move(found.entries.front());
    dn = entry->dn;
  }

  const auto bound = conn->bind(dn, std::string(password));
  if (bound.status == Status::invalid_credentials) {
    a.error =
        make_error(bind_failure(bound), uri + ": bind as " + dn + " refused: " + describe(bound));
    return a;
  }
  if (bound.status != Status::ok) return down("bind as " + dn, bound);

  // Read the entry as the user (direct bind), or again as the service account for groups.
  if (!entry) {
    auto self = conn->search(dn, Scope::base, "(objectClass=*)", attrs, 1);
    if (self.result.status == Status::ok && !self.entries.empty())
      entry = std::move(self.entries.front());
    else if (self.result.status == Status::unavailable)
      return down("reading " + dn, self.result);
  }
  DirectoryUser user;
  user.dn = dn;
  user.server = uri;
  if (entry) {
    user.email = entry->first(settings_.email_attribute);
    user.display_name = entry->first(settings_.name_attribute);
    if (user.display_name.empty()) user.display_name = entry->first("cn");
    if (!settings_.member_of_attribute.empty())
      for (const auto& g : entry->all(settings_.member_of_attribute)) add_unique(user.groups, g);
  }
  if (!settings_.group_search_base.empty()) {
    if (service) {
      const auto r = conn->bind(settings_.bind_dn, settings_.bind_password);
      if (r.status != Status::ok) return down("service account bind for groups", r);
    }
    const auto filter =
        expand(settings_.group_search_filter,
               {{"dn", escape_filter_value(dn)}, {"user", escape_filter_value(ldap_id)}});
    auto groups = conn->search(settings_.group_search_base, Scope::sub, filter,
                               {settings_.group_name_attribute}, 0);
    // Roles from half an answer would be wrong roles: another server, or no login.
    if (groups.result.status != Status::ok) return down("group search", groups.result);
    for (const auto& g : groups.entries) add_unique(user.groups, g.dn);
  }
  user.roles = map_roles(user.groups, settings_.group_roles);
  a.user = std::move(user);
  return a;
}

Outcome<DirectoryUser> Source::check(std::string_view ldap_id, std::string_view password) {
  // An empty password would be an unauthenticated bind, which servers answer with success.
  if (password.empty() || password.size() > settings_.max_password_bytes)
    return make_error(Failure::wrong_password, "empty or over-long password");
  if (ldap_id.empty()) return make_error(Failure::not_applicable, "empty LDAP id");
  std::string reasons;
  for (const auto& uri : settings_.servers) {
    Attempt a;
    try {
      a = try_server(uri, ldap_id, password);
    } catch (const std::exception& e) {  // a bad template, an allocation failure: next server
      a.failover = true;
      a.reason = uri + ": " + e.what();
    }
    if (a.user) {
      a.user->skipped = reasons;
      return std::move(*a.user);
    }
    if (a.error) {
      if (!reasons.empty()) a.error->detail = reasons + "; " + a.error->detail;
      return std::move(*a.error);
    }
    if (!reasons.empty()) reasons += "; ";
    reasons += a.reason;
  }
  return make_error(Failure::unavailable, "no LDAP server answered: " + reasons);
}

Presence Source::look_up(const std::string& uri, std::string_view ldap_id, std::string& detail) {
  auto down = [&](const std::string& what, const Result& r) {
    detail = uri + ": " + what + ": " + describe(r);
    return Presence::unavailable;
  };
  Result error;
  auto conn = connector_.connect(uri, error);
  if (!conn) return down("connect", error);
  if (!settings_.bind_dn.empty()) {
    const auto r = conn->bind(settings_.bind_dn, settings_.bind_password);
    if (r.status != Status::ok) return down("service account bind", r);
  }
  // "1.1": no attributes, only whether the entry is there.
  SearchResult found;
  std::string what;
  if (!settings_.user_dn_template.empty()) {
    what = expand(settings_.user_dn_template, {{"user", escape_dn_value(ldap_id)}});
    found = conn->search(what, Scope::base, "(objectClass=*)", {"1.1"}, 1);
    if (found.result.status == Status::no_such_object) found = {Result{}, {}};
  } else {
    what = expand(settings_.user_search_filter, {{"user", escape_filter_value(ldap_id)}});
    found = conn->search(settings_.user_search_base, settings_.user_search_scope, what, {"1.1"}, 2);
  }
  // Any other answer than a clean one (a missing search base, no access, a timeout) cannot
  // prove the user gone: try the next server, and in the end keep the user signed in.
  if (found.result.status != Status::ok) return down("reading " + what, found.result);
  detail = uri + ": " + what + (found.entries.empty() ? " not found" : " found");
  return found.entries.empty() ? Presence::gone : Presence::present;
}

Presence Source::exists(std::string_view ldap_id, std::string* detail) {
  std::string reasons;
  auto say = [&](std::string text) {
    if (detail) *detail = std::move(text);
  };
  if (ldap_id.empty()) {
    say("empty LDAP id");
    return Presence::unavailable;
  }
  for (const auto& uri : settings_.servers) {
    std::string seen;
    Presence p = Presence::unavailable;
    try {
      p = look_up(uri, ldap_id, seen);
    } catch (const std::exception& e) {
      seen = uri + ": " + e.what();
    }
    if (p != Presence::unavailable) {
      say(reasons.empty() ? seen : seen + " (skipped " + reasons + ")");
      return p;
    }
    if (!reasons.empty()) reasons += "; ";
    reasons += seen;
  }
  say("no LDAP server answered: " + reasons);
  return Presence::unavailable;
}

Outcome<Authenticated> Source::authenticate(const Credentials& credentials) {
  if (!identity::is_valid_name(credentials.login))
    return make_error(Failure::unknown_user, "not a valid ID");
  const auto key = identity::key_of(credentials.login);
  std::optional<identity::Identity> id;
  std::optional<std::string> ldap_id;
  try {
    id = identities_.find(key);
    if (!id) return make_error(Failure::unknown_user, "no ID " + key);
    ldap_id = links_.ldap_id(key);
  } catch (const std::exception& e) {
    return make_error(Failure::unavailable, std::string("ldap source: ") + e.what());
  }
  if (!ldap_id) return make_error(Failure::not_applicable, "ID " + key + " has no LDAP id");

  auto outcome = check(*ldap_id, credentials.password);
  if (auto* error = std::get_if<Error>(&outcome)) {
    error->detail = "ID " + key + " (LDAP id " + *ldap_id + "): " + error->detail;
    return std::move(*error);
  }
  const auto& user = std::get<DirectoryUser>(outcome);
  Authenticated out;
  out.key = key;
  out.source = "ldap";
  out.username = id->name;
  out.display_name = user.display_name;
  out.email = user.email;
  out.roles = user.roles;
  out.groups = user.groups;
  out.detail = "LDAP " + user.server + " as " + user.dn;
  if (!user.skipped.empty()) out.detail += " (skipped " + user.skipped + ")";
  if (settings_.sync_profile && profiles_) sync(key, user, out.detail);
  return out;
}

void Source::sync(const std::string& key, const DirectoryUser& user, std::string& detail) {
  try {
    auto profile = profiles_->find_profile(key).value_or(identity::Profile{});
    profile.identity_key = key;
    bool changed = false;
    if (!user.display_name.empty() && profile.display_name != user.display_name) {
      profile.display_name = user.display_name;
      changed = true;
    }
    if (!user.email.empty() && identity::is_plausible_email(user.email) &&
        (profile.email != user.email || profile.email_verified != settings_.email_verified)) {
      profile.email = user.email;
      profile.email_verified = settings_.email_verified;
      changed = true;
    }
    // The table decides the roles of LDAP users; without a table, roles stay the admin's.
    if (!settings_.group_roles.empty() && profile.roles != user.roles) {
      profile.roles = user.roles;
      changed = true;
    }
    if (!changed) return;
    profile.updated = clock_.now();
    profiles_->save_profile(profile);
  } catch (const std::exception& e) {  // the password was right: the login goes on
    detail += std::string("; profile not updated: ") + e.what();
  }
}

}  // namespace twofold::sources::ldap
