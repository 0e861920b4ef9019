#pragma once
// The HTTPS client for the device API (docs/device-api.md). The server is authenticated
// with the CA file remembered at enrolment, hostname included; nothing else is trusted.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/device_messages.hpp"

namespace twofold::authenticator {

// The messages the device signs (src/crypto/device_messages.hpp).
using crypto::action_message;
using crypto::answer_message;

// The server could not be reached or not be trusted (DNS, TCP, TLS, certificate, timeout).
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The server answered with an error status (`{"error":"<code>","message":"<text>"}`).
class ApiError : public std::runtime_error {
 public:
  ApiError(long status, std::string code, const std::string& message);
  long status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  long status_;
  std::string code_;
};

struct PendingSession {
  std::string authsessionid;
  std::string servicename;
  std::string serviceaddress;
  std::int64_t created{0};  // unix ms
  std::int64_t expires{0};  // unix ms
  bool showaccesspass{true};
  std::string nonce;
  nlohmann::json raw;  // as the server sent it, for --json
};

struct Candidate {
  std::uint32_t symbol{0};
  std::string name;
  std::string png;  // decoded bytes
};

struct AnswerResult {
  std::string authsessionid;
  std::string state;  // "ACCEPTED", "DENIED", …
  int authsessionstate{0};
  std::string message;
  nlohmann::json raw;
};

struct Challenge {
  std::string nonce;
  std::int64_t expires{0};
};

struct Enrolment {
  std::string id;
  std::string device_id;
  std::string device_token;
  bool admin{false};
};

// True for IDs we may put into a URL path (the server's are 19 digits).
bool is_plausible_session_id(std::string_view id);
// "https://host[:port][/prefix]" without trailing slashes; throws std::invalid_argument.
std::string normalize_server_url(std::string_view url);

// Response parsers, separate so the protocol mapping is testable; throw std::runtime_error.
std::vector<PendingSession> parse_sessions(const nlohmann::json& body);
std::vector<Candidate> parse_candidates(const nlohmann::json& body);
AnswerResult parse_answer(const nlohmann::json& body);

class DeviceClient {
 public:
  // `device_token` may be empty for enrolment.
  DeviceClient(std::string server_url, std::filesystem::path ca_file,
               std::string device_token = {});

  Enrolment enroll(std::string_view id, std::string_view device_name, std::string_view key_type,
                   std::string_view public_key_pem, std::string_view activation_code);
  nlohmann::json status();
  // Long-polls up to `wait_seconds` (0–60) when nothing is pending.
  std::vector<PendingSession> sessions(int wait_seconds);
  std::vector<Candidate> symbols(std::string_view authsessionid);
  AnswerResult answer(std::string_view authsessionid, std::string_view decision,
                      std::uint32_t symbol, std::string_view nonce, std::string_view signature_b64);
  Challenge challenge();
  // POST /device/v1/<action> with a signed nonce; returns the server's JSON.
  nlohmann::json signed_action(std::string_view action, std::string_view nonce,
                               std::string_view signature_b64);

  // One JSON call; `body` null means no body (GET). Throws ConnectionError or ApiError.
  nlohmann::json call(std::string_view method, std::string_view path, const nlohmann::json* body,
                      long timeout_seconds = 30);

 private:
  std::string server_url_;
  std::filesystem::path ca_file_;
  std::string token_;
};

}  // namespace twofold::authenticator
