#include "device/api.hpp"

#include <spdlog/spdlog.h>

#include "accesspass/candidates.hpp"
#include "core/encoding.hpp"

namespace twofold::device {
namespace {

using nlohmann::json;

ApiReply error(int status, std::string code, std::string message) {
  return {status, json{{"error", std::move(code)}, {"message", std::move(message)}}};
}

ApiReply from_failure(const device::Error& e) {
  switch (e.failure) {
    case Failure::invalid_request:
      return error(400, "invalid_request", e.message);
    case Failure::invalid_key:
      return error(400, "invalid_key", e.message);
    case Failure::activation_required:
      return error(403, "activation_required", e.message);
    case Failure::invalid_activation_code:
      return error(403, "invalid_activation_code", e.message);
    case Failure::invalid_signature:
      return error(403, "invalid_signature", e.message);
    case Failure::invalid_nonce:
      return error(403, "invalid_nonce", e.message);
    case Failure::storage:
      return error(503, "storage_unavailable", e.message);
  }
  return error(400, "invalid_request", e.message);
}

ApiReply from_failure(const authsession::Error& e) {
  using F = authsession::Failure;
  switch (e.failure) {
    case F::unknown_session:
      return error(404, "unknown_session", e.message);
    case F::not_pending:
      return error(409, "not_pending", e.message);
    case F::storage:
      return error(503, "storage_unavailable", e.message);
    default:
      return error(409, "not_pending", e.message);
  }
}

std::int64_t ms(core::TimePoint t) {
  return core::to_millis(t);
}

json session_json(const authsession::AuthSession& s) {
  return {{"authsessionid", s.id},
          {"servicename", s.service_name},
          {"serviceaddress", s.service_address},
          {"created", ms(s.created)},
          {"expires", ms(s.expires)},
          {"showaccesspass", s.show_access_pass},
          {"nonce", s.nonce},
          {"state", authsession::state_name(s.state)}};
}

// Reads `?wait=N` (0 when absent or malformed).
long wait_seconds(const std::string& query) {
  const std::string key = "wait=";
  auto pos = query.find(key);
  if (pos == std::string::npos || (pos > 0 && query[pos - 1] != '&')) return 0;
  long v = 0;
  for (auto i = pos + key.size(); i < query.size() && query[i] != '&'; ++i) {
    if (query[i] < '0' || query[i] > '9') return 0;
    v = v * 10 + (query[i] - '0');
    if (v > 100000) return 0;
  }
  return v;
}

std::optional<json> parse_body(const std::string& body) {
  auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::optional<std::string> string_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

ApiReply Api::handle(const ApiRequest& req, bool waited) const {
  static const std::string prefix = "/device/v1/";
  if (req.path.rfind(prefix, 0) != 0) return error(404, "not_found", "No such endpoint.");
  const std::string rest = req.path.substr(prefix.size());

  if (rest == "enroll" || rest == "enrol") {
    if (req.method != "POST") return error(405, "method_not_allowed", "Use POST.");
    return enrol(req);
  }

  auto device = devices_.authenticate(req.bearer_token);
  if (!device) return error(401, "unauthorized", "A valid device token is required.");

  if (rest == "status") return status(*device);
  if (rest == "sessions") {
    if (req.method != "GET") return error(405, "method_not_allowed", "Use GET.");
    return list_sessions(*device, req, waited);
  }
  if (rest == "challenge") {
    if (req.method != "POST") return error(405, "method_not_allowed", "Use POST.");
    auto n = devices_.issue_challenge(*device);
    return {200, json{{"nonce", n.value}, {"expires", ms(n.expires)}}};
  }
  if (rest.rfind("sessions/", 0) == 0) {
    const auto tail = rest.substr(9);
    const auto slash = tail.find('/');
    if (slash == std::string::npos) return error(404, "not_found", "No such endpoint.");
    const auto id = tail.substr(0, slash);
    const auto what = tail.substr(slash + 1);
    if (what == "symbols" && req.method == "GET") return symbols(*device, id);
    if (what == "answer" && req.method == "POST") {
      auto body = parse_body(req.body);
      if (!body) return error(400, "invalid_request", "The body must be a JSON object.");
      return answer(*device, id, *body);
    }
    return error(404, "not_found", "No such endpoint.");
  }
  if (rest == "lock" || rest == "unlock" || rest == "resume" || rest == "priority-code" ||
      rest == "activation-code") {
    if (req.method != "POST") return error(405, "method_not_allowed", "Use POST.");
    auto body = parse_body(req.body);
    if (!body) return error(400, "invalid_request", "The body must be a JSON object.");
    return action(*device, rest, *body);
  }
  return error(404, "not_found", "No such endpoint.");
}

ApiReply Api::enrol(const ApiRequest& req) const {
  auto body = parse_body(req.body);
  if (!body) return error(400, "invalid_request", "The body must be a JSON object.");
  EnrolRequest er;
  auto id = string_field(*body, "id");
  auto name = string_field(*body, "device_name");
  auto type = string_field(*body, "key_type");
  auto key = string_field(*body, "public_key");
  if (!id || !name || !type || !key)
    return error(400, "invalid_request",
                 "id, device_name, key_type and public_key are required strings.");
  er.id = *id;
  er.device_name = *name;
  er.key_type = *type;
  er.public_key_pem = *key;
  if (body->contains("activation_code")) {
    auto code = string_field(*body, "activation_code");
    if (!code) return error(400, "invalid_request", "activation_code must be a string.");
    er.activation_code = *code;
  }
  auto out = devices_.enrol(er);
  if (auto* e = std::get_if<Error>(&out)) return from_failure(*e);
  const auto& enrolled = std::get<Enrolled>(out);
  spdlog::info("device {} enrolled for ID {} from {}{}", enrolled.device.id, enrolled.identity.name,
               req.remote_ip, enrolled.identity.admin ? " (admin)" : "");
  return {201, json{{"id", enrolled.identity.name},
                    {"device_id", enrolled.device.id},
                    {"device_token", enrolled.token},
                    {"admin", enrolled.identity.admin}}};
}

ApiReply Api::status(const Device& device) const {
  auto outcome = devices_.identity_of(device);
  if (auto* e = std::get_if<Error>(&outcome)) return from_failure(*e);
  const auto& id = std::get<identity::Identity>(outcome);
  return {200, json{{"id", id.name},
                    {"device_id", device.id},
                    {"device_name", device.name},
                    {"admin", id.admin},
                    {"locked", id.locked},
                    {"suspended", id.suspended},
                    {"priority_required", id.priority_required_until > devices_.now()}}};
}

ApiReply Api::list_sessions(const Device& device, const ApiRequest& req, bool waited) const {
  auto outcome = sessions_.fetch(device.identity_key);
  if (auto* e = std::get_if<authsession::Error>(&outcome)) return from_failure(*e);
  const auto& live = std::get<std::vector<authsession::AuthSession>>(outcome);
  const long wait = std::min<long>(wait_seconds(req.query), settings_.long_poll_max.count());
  if (live.empty() && wait > 0 && !waited) {
    ApiReply r;
    r.wait_for_sessions = true;
    r.identity_key = device.identity_key;
    r.wait = std::chrono::seconds(wait);
    return r;
  }
  json list = json::array();
  for (const auto& s : live) list.push_back(session_json(s));
  return {200, json{{"sessions", list}}};
}

ApiReply Api::symbols(const Device& device, const std::string& session_id) const {
  auto s = sessions_.find(device.identity_key, session_id);
  if (!s) return error(404, "unknown_session", "No such auth session.");
  json candidates = json::array();
  if (s->show_access_pass) {
    // Seeded by the session's nonce so a device asking twice sees the same four symbols.
    core::SeededRandom r(std::hash<std::string>{}(s->nonce));
    for (auto index : accesspass::candidates(s->symbol, symbols_.size(), r)) {
      const auto& sym = symbols_.at(index);
      candidates.push_back({{"symbol", index},
                            {"name", sym.name_en},
                            {"name_de", sym.name_de},
                            {"png", sym.png_base64}});
    }
  }
  return {200, json{{"authsessionid", s->id},
                    {"showaccesspass", s->show_access_pass},
                    {"candidates", candidates}}};
}

ApiReply Api::answer(const Device& device, const std::string& session_id, const json& body) const {
  auto decision = string_field(body, "decision");
  auto nonce = string_field(body, "nonce");
  auto signature = string_field(body, "signature");
  auto sym = body.find("symbol");
  if (!decision || !nonce || !signature || sym == body.end() || !sym->is_number_unsigned() ||
      sym->get<std::uint64_t>() > 0xffffffffULL)
    return error(400, "invalid_request",
                 "decision, symbol (unsigned integer), nonce and signature are required.");
  if (*decision != "accept" && *decision != "deny" && *decision != "not-me")
    return error(400, "invalid_request", "decision must be accept, deny or not-me.");
  const auto symbol = static_cast<std::uint32_t>(sym->get<std::uint64_t>());

  // The signature proves the key (and so the PIN); without it nothing changes.
  if (!devices_.verify(device, answer_message(session_id, symbol, *nonce, *decision), *signature)) {
    spdlog::warn("invalid answer signature from device {} for auth session {}", device.id,
                 session_id);
    return error(403, "invalid_signature", "The signature does not verify.");
  }

  if (*decision == "not-me") {
    auto out = sessions_.deny_all(device.identity_key, session_id, *nonce, device.id);
    if (auto* e = std::get_if<authsession::Error>(&out)) return from_failure(*e);
    const auto& denied = std::get<std::vector<authsession::AuthSession>>(out);
    spdlog::warn(
        "ADMIN NOTICE: the owner of ID {} reported a login request as not theirs "
        "(auth session {}, service {} at {}, requested from {}); {} session(s) denied",
        denied.front().secsignid, session_id, denied.front().service_name,
        denied.front().service_address, denied.front().requester_ip, denied.size());
    bool locked = false;
    if (settings_.lock_on_not_me) {
      auto id = devices_.set_locked(device.identity_key, true);
      locked = std::holds_alternative<identity::Identity>(id);
    }
    return {200, json{{"authsessionid", session_id},
                      {"state", "DENIED"},
                      {"authsessionstate", static_cast<int>(authsession::State::denied)},
                      {"denied", denied.size()},
                      {"locked", locked},
                      {"message", "All pending requests were denied."}}};
  }

  auto out = sessions_.answer(
      device.identity_key, session_id,
      *decision == "accept" ? authsession::Decision::accept : authsession::Decision::deny, symbol,
      *nonce, device.id);
  if (auto* e = std::get_if<authsession::Error>(&out)) return from_failure(*e);
  const auto& s = std::get<authsession::AuthSession>(out);
  if (*decision == "accept" && s.state == authsession::State::denied)
    spdlog::warn("wrong access-pass symbol for auth session {} of ID {} (device {})", s.id,
                 s.secsignid, device.id);
  return {200, json{{"authsessionid", s.id},
                    {"state", authsession::state_name(s.state)},
                    {"authsessionstate", static_cast<int>(s.state)},
                    {"message", s.message}}};
}

ApiReply Api::action(const Device& device, const std::string& action, const json& body) const {
  auto nonce = string_field(body, "nonce");
  auto signature = string_field(body, "signature");
  if (!nonce || !signature)
    return error(400, "invalid_request", "nonce and signature are required.");
  auto authorized = devices_.authorize_action(device, action, *nonce, *signature);
  if (auto* e = std::get_if<Error>(&authorized)) return from_failure(*e);
  const auto& id = std::get<identity::Identity>(authorized);

  if (action == "priority-code") {
    auto code = sessions_.issue_priority_code(id.key);
    if (auto* e = std::get_if<authsession::Error>(&code)) return from_failure(*e);
    const auto& pc = std::get<authsession::PriorityCode>(code);
    return {200, json{{"code", pc.code}, {"expires", ms(pc.expires)}}};
  }
  if (action == "activation-code") {
    auto code = devices_.issue_activation_code(id.key);
    if (auto* e = std::get_if<Error>(&code)) return from_failure(*e);
    const auto& ac = std::get<IssuedCode>(code);
    return {200, json{{"code", ac.code}, {"expires", ms(ac.expires)}}};
  }
  Outcome<identity::Identity> changed = id;
  if (action == "lock") changed = devices_.set_locked(id.key, true);
  if (action == "unlock") changed = devices_.set_locked(id.key, false);
  if (action == "resume") changed = devices_.resume(id.key);
  if (auto* e = std::get_if<Error>(&changed)) return from_failure(*e);
  spdlog::info("ID {}: {} by device {}", id.name, action, device.id);
  return status(device);
}

}  // namespace twofold::device
