#pragma once
// The admin REST API for OpenID Connect clients (R-O5, docs/admin-api.md): the operations of
// `twofold client add|list|show|update|delete|rotate-secret` as JSON under /admin/api/clients,
// for a caller AdminAccess let through. Pure: the HTTP edge hands in method, path, headers
// and body and sends the Reply back.
#include <string>

#include "admin/access.hpp"
#include "oidc/clients.hpp"

namespace twofold::admin {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string authorization;
  std::string content_type;
  std::string body;
};

// What the edge logs (never a body or a secret).
struct Outcome {
  oidc::Reply reply;
  std::string action;  // e.g. "created client ci-bot by client root-bot"; empty: nothing changed
};

class ClientApi {
 public:
  static constexpr std::string_view kPrefix = "/admin/api/";
  static bool owns(std::string_view path) {
    return path.substr(0, kPrefix.size()) == kPrefix || path == "/admin/api";
  }

  ClientApi(AdminAccess& access, oidc::Clients& clients) : access_(access), clients_(clients) {}

  Outcome handle(const Request& request);

 private:
  Outcome list();
  Outcome create(const Request& request, const Principal& who);
  Outcome show(const std::string& id);
  Outcome update(const Request& request, const std::string& id, const Principal& who);
  Outcome remove(const std::string& id, const Principal& who);
  Outcome rotate(const Request& request, const std::string& id, const Principal& who);

  AdminAccess& access_;
  oidc::Clients& clients_;
};

}  // namespace twofold::admin
