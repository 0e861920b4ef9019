#include "authenticator/device_client.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "core/encoding.hpp"

namespace twofold::authenticator {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxResponse = 8 << 20;  // four PNG symbols fit many times over
constexpr long kConnectTimeout = 10;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw ConnectionError("libcurl cannot be initialised");
  });
}

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Sink {
  std::string data;
  bool overflow{false};
};

std::size_t write_body(char* ptr, std::size_t size, std::size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * nmemb;
  if (sink->data.size() + n > kMaxResponse) {
    sink->overflow = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  sink->data.append(ptr, n);
  return n;
}

std::string string_field(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t int_field(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string connection_message(CURLcode rc, const std::string& url, const char* detail,
                               const std::string& ca_file) {
  std::string msg = "cannot reach " + url + ": ";
  msg += *detail != '\0' ? detail : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      msg += " (the server is checked against the CA certificate " + ca_file + ")";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      msg += " (timed out)";
      break;
    default:
      break;
  }
  return msg;
}

}  // namespace

ApiError::ApiError(long status, std::string code, const std::string& message)
    : std::runtime_error("the server refused (HTTP " + std::to_string(status) +
                         (code.empty() ? std::string() : " " + code) + ")" +
                         (message.empty() ? std::string() : ": " + message)),
      status_(status),
      code_(std::move(code)) {}

bool is_plausible_session_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
          c == '_'))
      return false;
  return true;
}

std::string normalize_server_url(std::string_view url) {
  constexpr std::string_view scheme = "https://";
  if (url.substr(0, scheme.size()) != scheme)
    throw std::invalid_argument("the server URL must start with https://");
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '?' || c == '#')
      throw std::invalid_argument("the server URL contains a character it may not have");
  while (url.size() > scheme.size() && url.back() == '/') url.remove_suffix(1);
  if (url.size() == scheme.size()) throw std::invalid_argument("the server URL has no host");
  return std::string(url);
}

std::vector<PendingSession> parse_sessions(const json& body) {
  if (!body.is_object() || !body.contains("sessions") || !body["sessions"].is_array())
    throw std::runtime_error("the server's session list has no \"sessions\" array");
  std::vector<PendingSession> out;
  for (const auto& s : body["sessions"]) {
    if (!s.is_object()) throw std::runtime_error("a pending session is not an object");
    PendingSession p;
    p.authsessionid = string_field(s, "authsessionid");
    if (!is_plausible_session_id(p.authsessionid))
      throw std::runtime_error("the server sent a session without a valid authsessionid");
    p.servicename = string_field(s, "servicename");
    p.serviceaddress = string_field(s, "serviceaddress");
    p.created = int_field(s, "created");
    p.expires = int_field(s, "expires");
    p.showaccesspass = !s.contains("showaccesspass") || s["showaccesspass"] != false;
    p.nonce = string_field(s, "nonce");
    if (p.nonce.empty()) throw std::runtime_error("the server sent a session without a nonce");
    p.raw = s;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<Candidate> parse_candidates(const json& body) {
  if (!body.is_object()) throw std::runtime_error("the server's symbol list is not an object");
  std::vector<Candidate> out;
  auto it = body.find("candidates");
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) throw std::runtime_error("\"candidates\" is not an array");
  for (const auto& c : *it) {
    if (!c.is_object() || !c.contains("symbol") || !c["symbol"].is_number_unsigned())
      throw std::runtime_error("a candidate symbol has no symbol number");
    Candidate cand;
    const auto number = c["symbol"].get<std::uint64_t>();
    if (number > 0xffffffffu) throw std::runtime_error("a candidate symbol number is too large");
    cand.symbol = static_cast<std::uint32_t>(number);
    cand.name = string_field(c, "name");
    auto png = core::base64_decode(string_field(c, "png"));
    if (!png) throw std::runtime_error("a candidate's png is not base64");
    cand.png = std::move(*png);
    out.push_back(std::move(cand));
  }
  return out;
}

AnswerResult parse_answer(const json& body) {
  if (!body.is_object()) throw std::runtime_error("the server's answer is not an object");
  AnswerResult r;
  r.authsessionid = string_field(body, "authsessionid");
  r.state = string_field(body, "state");
  r.authsessionstate = static_cast<int>(int_field(body, "authsessionstate"));
  r.message = string_field(body, "message");
  r.raw = body;
  if (r.state.empty()) throw std::runtime_error("the server's answer has no state");
  return r;
}

DeviceClient::DeviceClient(std::string server_url, std::filesystem::path ca_file,
                           std::string device_token)
    : server_url_(normalize_server_url(server_url)),
      ca_file_(std::move(ca_file)),
      token_(std::move(device_token)) {}

json DeviceClient::call(std::string_view method, std::string_view path, const json* body,
                        long timeout_seconds) {
  global_init();
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) throw ConnectionError("libcurl cannot create a handle");
  CURL* c = curl.get();
  const std::string url = server_url_ + std::string(path);
  const std::string ca = ca_file_.string();
  const std::string payload = body != nullptr ? body->dump() : std::string();
  std::string auth;
  if (!token_.empty()) auth = "Authorization: Bearer " + token_;

  std::unique_ptr<curl_slist, SlistFree> headers;
  auto add_header = [&](const std::string& h) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next == nullptr) throw ConnectionError("out of memory");
    (void)headers.release();
    headers.reset(next);
  };
  add_header("Accept: application/json");
  if (body != nullptr) add_header("Content-Type: application/json");
  if (!auth.empty()) add_header(auth);

  Sink sink;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);  // only our CA, not the system store
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // the bearer token goes nowhere else
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, kConnectTimeout);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_seconds);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "twofold-auth/0.1");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  } else if (method != "GET") {
    throw std::invalid_argument("unsupported method");
  }

  const CURLcode rc = curl_easy_perform(c);
  if (sink.overflow) throw ConnectionError("the answer of " + url + " is too large");
  if (rc != CURLE_OK) throw ConnectionError(connection_message(rc, url, error, ca));

  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  json answer = json::parse(sink.data, nullptr, /*allow_exceptions=*/false);
  if (status >= 400) {
    if (answer.is_object())
      throw ApiError(status, string_field(answer, "error"), string_field(answer, "message"));
    throw ApiError(status, "", "");
  }
  if (status < 200 || status >= 300)
    throw ApiError(status, "", "unexpected HTTP status from " + url);
  if (answer.is_discarded()) throw ConnectionError("the server's answer is not JSON: " + url);
  return answer;
}

Enrolment DeviceClient::enroll(std::string_view id, std::string_view device_name,
                               std::string_view key_type, std::string_view public_key_pem,
                               std::string_view activation_code) {
  json req = {{"id", id},
              {"device_name", device_name},
              {"key_type", key_type},
              {"public_key", public_key_pem}};
  if (!activation_code.empty()) req["activation_code"] = activation_code;
  const json j = call("POST", "/device/v1/enroll", &req);
  Enrolment e;
  e.id = string_field(j, "id");
  e.device_id = string_field(j, "device_id");
  e.device_token = string_field(j, "device_token");
  e.admin = j.is_object() && j.contains("admin") && j["admin"] == true;
  if (e.device_token.empty()) throw std::runtime_error("the server sent no device_token");
  if (e.id.empty()) e.id = std::string(id);
  return e;
}

json DeviceClient::status() {
  return call("GET", "/device/v1/status", nullptr);
}

std::vector<PendingSession> DeviceClient::sessions(int wait_seconds) {
  if (wait_seconds < 0 || wait_seconds > 60) throw std::invalid_argument("wait must be 0-60");
  const std::string path = "/device/v1/sessions?wait=" + std::to_string(wait_seconds);
  return parse_sessions(call("GET", path, nullptr, wait_seconds + 30L));
}

std::vector<Candidate> DeviceClient::symbols(std::string_view authsessionid) {
  if (!is_plausible_session_id(authsessionid))
    throw std::invalid_argument("not a valid session ID: " + std::string(authsessionid));
  return parse_candidates(
      call("GET", "/device/v1/sessions/" + std::string(authsessionid) + "/symbols", nullptr));
}

AnswerResult DeviceClient::answer(std::string_view authsessionid, std::string_view decision,
                                  std::uint32_t symbol, std::string_view nonce,
                                  std::string_view signature_b64) {
  if (!is_plausible_session_id(authsessionid))
    throw std::invalid_argument("not a valid session ID: " + std::string(authsessionid));
  const json req = {
      {"decision", decision}, {"symbol", symbol}, {"nonce", nonce}, {"signature", signature_b64}};
  return parse_answer(
      call("POST", "/device/v1/sessions/" + std::string(authsessionid) + "/answer", &req));
}

Challenge DeviceClient::challenge() {
  const json empty = json::object();
  const json j = call("POST", "/device/v1/challenge", &empty);
  Challenge c{string_field(j, "nonce"), int_field(j, "expires")};
  if (c.nonce.empty()) throw std::runtime_error("the server's challenge has no nonce");
  return c;
}

json DeviceClient::signed_action(std::string_view action, std::string_view nonce,
                                 std::string_view signature_b64) {
  const json req = {{"nonce", nonce}, {"signature", signature_b64}};
  return call("POST", "/device/v1/" + std::string(action), &req);
}

}  // namespace twofold::authenticator
