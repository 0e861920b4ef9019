#include "admin/client_api.hpp"

#include "admin/client_request.hpp"
#include "oidc/client_json.hpp"

namespace twofold::admin {
namespace {

using nlohmann::json;

constexpr std::string_view kClients = "/admin/api/clients";

Outcome answer(int status, json body) {
  return {{status, std::move(body), {}}, {}};
}

Outcome error(int status, std::string_view code, std::string_view description) {
  return {oidc::oauth_error(status, code, description), {}};
}

Outcome not_found() {
  return error(404, "not_found", "no such client");
}

Outcome method_not_allowed(const char* allow) {
  Outcome out = error(405, "method_not_allowed", std::string("use ") + allow);
  out.reply.headers.push_back({"Allow", allow});
  return out;
}

Outcome client_error(const oidc::ClientError& e) {
  using R = oidc::ClientError::Reason;
  if (e.reason == R::unknown) return not_found();
  if (e.reason == R::taken) return error(409, "conflict", e.what());
  return error(400, "invalid_client_metadata", e.what());  // RFC 7591 §3.2.2
}

// The JSON object of a body-carrying request, or the 415/400 answer.
std::variant<json, Outcome> body_of(const Request& request) {
  if (!is_json_content_type(request.content_type))
    return error(415, "unsupported_media_type", "send Content-Type: application/json");
  auto parsed = parse_object(request.body);
  if (auto* why = std::get_if<std::string>(&parsed)) return error(400, "invalid_request", *why);
  return std::move(std::get<json>(parsed));
}

std::string location_of(const std::string& id) {
  return std::string(kClients) + "/" + id;
}

}  // namespace

Outcome ClientApi::handle(const Request& request) {
  auto access = access_.check(request.authorization);
  if (auto* refused = std::get_if<oidc::Reply>(&access)) return {std::move(*refused), {}};
  const Principal& who = std::get<Principal>(access);

  const std::string& m = request.method;
  std::string_view path = request.path;
  if (path.size() > kClients.size() && path.back() == '/') path.remove_suffix(1);
  if (path == kClients) {
    if (m == "GET" || m == "HEAD") return list();
    if (m == "POST") return create(request, who);
    return method_not_allowed("GET, POST");
  }
  if (path.substr(0, kClients.size() + 1) != std::string(kClients) + "/")
    return error(404, "not_found", "no such endpoint");
  std::string id(path.substr(kClients.size() + 1));
  constexpr std::string_view kRotate = "/rotate-secret";
  const bool rotate_path = id.size() > kRotate.size() &&
                           id.compare(id.size() - kRotate.size(), kRotate.size(), kRotate) == 0;
  if (rotate_path) id.resize(id.size() - kRotate.size());
  // Client ids never hold a slash; anything deeper is not an endpoint.
  if (id.empty() || id.find('/') != std::string::npos)
    return error(404, "not_found", "no such endpoint");
  if (rotate_path) {
    if (m != "POST") return method_not_allowed("POST");
    return rotate(request, id, who);
  }
  if (m == "GET" || m == "HEAD") return show(id);
  if (m == "PATCH") return update(request, id, who);
  if (m == "DELETE") return remove(id, who);
  return method_not_allowed("GET, PATCH, DELETE");
}

Outcome ClientApi::list() {
  json clients = json::array();
  for (const auto& c : clients_.list()) clients.push_back(oidc::describe(c));
  return answer(200, {{"clients", std::move(clients)}});
}

Outcome ClientApi::create(const Request& request, const Principal& who) {
  auto body = body_of(request);
  if (auto* refused = std::get_if<Outcome>(&body)) return std::move(*refused);
  oidc::Client client;
  if (auto why = apply_fields(std::get<json>(body), Mode::create, client))
    return error(400, "invalid_client_metadata", *why);
  if (client.id.empty() && std::get<json>(body).contains("client_id"))
    return error(400, "invalid_client_metadata", "client_id must not be empty");
  oidc::NewClient created;
  try {
    created = clients_.create(client);
  } catch (const oidc::ClientError& e) {
    return client_error(e);
  }
  json out = oidc::describe(created.client);
  if (!created.secret.empty()) out["client_secret"] = created.secret;  // this once only
  Outcome o = answer(201, std::move(out));
  o.reply.headers.push_back({"Location", location_of(created.client.id)});
  o.action = "created client " + created.client.id + " by " + who.describe();
  return o;
}

Outcome ClientApi::show(const std::string& id) {
  const auto client = clients_.find(id);
  if (!client) return not_found();
  return answer(200, oidc::describe(*client));
}

Outcome ClientApi::update(const Request& request, const std::string& id, const Principal& who) {
  auto body = body_of(request);
  if (auto* refused = std::get_if<Outcome>(&body)) return std::move(*refused);
  auto client = clients_.find(id);
  if (!client) return not_found();
  if (auto why = apply_fields(std::get<json>(body), Mode::update, *client))
    return error(400, "invalid_client_metadata", *why);
  try {
    clients_.update(*client);
  } catch (const oidc::ClientError& e) {
    return client_error(e);
  }
  Outcome o = answer(200, oidc::describe(*client));
  o.action = "updated client " + id + " by " + who.describe();
  return o;
}

Outcome ClientApi::remove(const std::string& id, const Principal& who) {
  if (!clients_.remove(id)) return not_found();
  Outcome o = answer(204, nullptr);
  o.action = "deleted client " + id + " by " + who.describe();
  return o;
}

Outcome ClientApi::rotate(const Request& request, const std::string& id, const Principal& who) {
  // No parameters: an empty body, or an empty JSON object.
  if (!request.body.empty()) {
    auto body = body_of(request);
    if (auto* refused = std::get_if<Outcome>(&body)) return std::move(*refused);
    if (!std::get<json>(body).empty())
      return error(400, "invalid_request", "rotate-secret takes no parameters");
  }
  std::string secret;
  try {
    secret = clients_.rotate_secret(id);
  } catch (const oidc::ClientError& e) {
    return client_error(e);
  }
  Outcome o = answer(200, {{"client_id", id}, {"client_secret", secret}});
  o.action = "rotated the secret of client " + id + " by " + who.describe();
  return o;
}

}  // namespace twofold::admin
