#include "mail/smtp.hpp"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace twofold::mail {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
  void operator()(char* s) const { curl_free(s); }
};

struct Upload {
  const std::string* data;
  std::size_t pos;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t nitems, void* userdata) {
  auto* up = static_cast<Upload*>(userdata);
  const std::size_t n = std::min(size * nitems, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, n);
  up->pos += n;
  return n;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

std::string domain_of(const std::string& email) {
  const auto at = email.rfind('@');
  return at == std::string::npos ? "localhost" : email.substr(at + 1);
}

}  // namespace

SmtpMailer::SmtpMailer(SmtpConfig config, const core::Clock& clock, core::Random& random)
    : config_(std::move(config)), clock_(clock), random_(random) {
  global_init();
  std::unique_ptr<CURLU, CurlDeleter> url(curl_url());
  if (!url || curl_url_set(url.get(), CURLUPART_URL, config_.url.c_str(), 0) != CURLUE_OK)
    throw MailError("invalid SMTP URL '" + config_.url + "'");
  char* part = nullptr;
  std::string scheme;
  if (curl_url_get(url.get(), CURLUPART_SCHEME, &part, 0) == CURLUE_OK) {
    scheme = part;
    curl_free(part);
  }
  if (curl_url_get(url.get(), CURLUPART_HOST, &part, 0) == CURLUE_OK) {
    host_ = part;
    curl_free(part);
  }
  if ((scheme != "smtp" && scheme != "smtps") || host_.empty())
    throw MailError("the SMTP URL must be smtp://host[:port] or smtps://host[:port]");
  implicit_tls_ = scheme == "smtps";
  if (!config_.username.empty() && !implicit_tls_ && !config_.starttls && !is_loopback(host_))
    throw MailError("SMTP authentication needs starttls = true or an smtps:// URL");
}

void SmtpMailer::send(const Message& message) {
  // Message-ID: random left part, the sender's domain on the right (RFC 5322 §3.6.4).
  const std::string id = random_.hex(16) + "@" + domain_of(message.from.email);
  const std::string data = render(message, clock_.now(), id);  // validates; throws MailError

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw MailError("libcurl could not start");
  CURL* c = curl.get();
  curl_slist* head = nullptr;
  for (const auto& to : message.to) {
    curl_slist* next = curl_slist_append(head, ("<" + to.email + ">").c_str());
    if (!next) {
      curl_slist_free_all(head);
      throw MailError("out of memory");
    }
    head = next;
  }
  std::unique_ptr<curl_slist, CurlDeleter> rcpt(head);
  const std::string from = "<" + message.from.email + ">";
  Upload upload{&data, 0};
  char error[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(c, CURLOPT_URL, config_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(config_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
  if (!implicit_tls_ && config_.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, CURLUSESSL_ALL);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, config_.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, config_.verify_tls ? 2L : 0L);
  if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (!config_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, config_.password.c_str());
  }

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    std::string what = error[0] ? error : curl_easy_strerror(rc);
    if (reply >= 400) what += " (server replied " + std::to_string(reply) + ")";
    throw MailError("sending mail via " + host_ + " failed: " + what);
  }
}

}  // namespace twofold::mail
