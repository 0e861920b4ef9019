#pragma once
// The device API (docs/device-api.md): JSON requests from authenticators, answered by the
// device and auth-session domains. No sockets: the HTTP edge passes an ApiRequest in and
// does the waiting when a long-poll finds nothing.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "accesspass/symbol_set.hpp"
#include "authsession/service.hpp"
#include "device/service.hpp"

namespace twofold::device {

struct ApiRequest {
  std::string method;  // "GET", "POST"
  std::string path;    // without the query
  std::string query;   // after '?'
  std::string bearer_token;
  std::string body;
  std::string remote_ip;
};

struct ApiReply {
  int status{200};
  nlohmann::json body;
  // Set when a long-poll found nothing: the edge waits for a new session of this ID (at
  // most `wait`) and asks again with `waited` = true.
  bool wait_for_sessions{false};
  std::string identity_key;
  std::chrono::seconds wait{0};
};

struct ApiSettings {
  std::chrono::seconds long_poll_max{60};
  bool lock_on_not_me{true};
};

class Api {
 public:
  Api(ApiSettings settings, Service& devices, authsession::Service& sessions,
      const accesspass::SymbolSet& symbols)
      : settings_(settings), devices_(devices), sessions_(sessions), symbols_(symbols) {}

  ApiReply handle(const ApiRequest& request, bool waited = false) const;

 private:
  ApiReply enrol(const ApiRequest& request) const;
  ApiReply status(const Device& device) const;
  ApiReply list_sessions(const Device& device, const ApiRequest& request, bool waited) const;
  ApiReply symbols(const Device& device, const std::string& session_id) const;
  ApiReply answer(const Device& device, const std::string& session_id,
                  const nlohmann::json& body) const;
  ApiReply action(const Device& device, const std::string& action,
                  const nlohmann::json& body) const;

  ApiSettings settings_;
  Service& devices_;
  authsession::Service& sessions_;
  const accesspass::SymbolSet& symbols_;
};

}  // namespace twofold::device
