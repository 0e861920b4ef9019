#include "sources/configured/configured.hpp"

#include "sources/database/from_config.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace twofold::sources {

ldap::Settings ldap_settings(const config::Config& c) {
  const auto& l = c.ldap;
  ldap::Settings s;
  s.servers = l.servers;
  s.user_dn_template = l.user_dn_template;
  s.bind_dn = l.bind_dn;
  if (!l.bind_password_file.empty()) {
    const auto path = c.resolve(l.bind_password_file);
    std::ifstream in(path, std::ios::binary);
    if (!in || !std::getline(in, s.bind_password))
      throw SetupError("setting [ldap] bind_password_file: cannot read " + path.string());
    if (!s.bind_password.empty() && s.bind_password.back() == '\r') s.bind_password.pop_back();
    if (s.bind_password.empty())
      throw SetupError("setting [ldap] bind_password_file: " + path.string() + " is empty");
  }
  s.user_search_base = l.user_search_base;
  s.user_search_filter = l.user_search_filter;
  s.user_search_scope = l.user_search_scope == "base"  ? ldap::Scope::base
                        : l.user_search_scope == "one" ? ldap::Scope::one
                                                       : ldap::Scope::sub;
  s.email_attribute = l.email_attribute;
  s.name_attribute = l.name_attribute;
  s.group_search_base = l.group_search_base;
  s.group_search_filter = l.group_search_filter;
  s.group_name_attribute = l.group_name_attribute;
  s.member_of_attribute = l.member_of_attribute;
  for (const auto& [group, roles] : l.group_roles) s.group_roles.push_back({group, roles});
  s.sync_profile = l.sync_profile;
  s.email_verified = l.email_verified;
  return s;
}

ldap::ConnectionOptions ldap_connection(const config::Config& c) {
  ldap::ConnectionOptions o;
  o.starttls = c.ldap.starttls;
  o.ca_file = c.ldap.ca_file.empty() ? std::string() : c.resolve(c.ldap.ca_file).string();
  if (!o.ca_file.empty() && !std::ifstream(o.ca_file))
    throw SetupError("setting [ldap] ca_file: cannot read " + o.ca_file);
  o.tls_verify = c.ldap.tls_verify;
  o.network_timeout = std::chrono::seconds(c.ldap.network_timeout_seconds);
  o.operation_timeout = std::chrono::seconds(c.ldap.operation_timeout_seconds);
  return o;
}

Outcome<Authenticated> AdminsOnly::authenticate(const Credentials& credentials) {
  try {
    if (identity::is_valid_name(credentials.login)) {
      const auto id = identities_.find(identity::key_of(credentials.login));
      if (id && id->admin) return inner_.authenticate(credentials);
    }
  } catch (const std::exception& e) {
    return make_error(Failure::unavailable, std::string("database (admins): ") + e.what());
  }
  return make_error(Failure::not_applicable, "the database is for admins only in this order");
}

ConfiguredSources::ConfiguredSources(const config::Config& config, SourcePorts ports)
    : ports_(ports) {
  database_ = std::make_unique<database::Source>(database::settings_from(config.password),
                                                 ports.clock, ports.identities, ports.passwords);
  std::vector<CredentialSource*> available{database_.get()};
  const auto& order = config.sources.order;
  if (order.find("ldap") != std::string::npos) {
    connector_ = std::make_unique<ldap::LibLdapConnector>(ldap_connection(config));
    try {
      ldap_ = std::make_unique<ldap::Source>(ldap_settings(config), *connector_, ports.identities,
                                             ports.links, ports.profiles, ports.clock);
    } catch (const std::invalid_argument& e) {
      throw SetupError(e.what());
    }
    available.push_back(ldap_.get());
  }
  auto chain = std::make_unique<Chain>(order, available);
  const auto& picked = chain->sources();
  if (std::find(picked.begin(), picked.end(), database_.get()) == picked.end()) {
    admins_ = std::make_unique<AdminsOnly>(*database_, ports.identities);
    auto with_admins = picked;
    with_admins.push_back(admins_.get());
    chain = std::make_unique<Chain>(std::move(with_admins));
  }
  chain_ = std::move(chain);
}

bool ConfiguredSources::has_password(const std::string& key) {
  if (database_->has_password(key)) return true;
  return ldap_ && ports_.links.ldap_id(key).has_value();
}

}  // namespace twofold::sources
