#pragma once
// SMTP delivery with libcurl (R-F5): smtp:// with STARTTLS required when `starttls` is on,
// or smtps:// (TLS from the first byte); optional AUTH; bounded connect and total timeouts
// so a dead mail server turns into an error, never a hanging login.
#include <chrono>
#include <string>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "mail/message.hpp"

namespace twofold::mail {

struct SmtpConfig {
  std::string url = "smtp://localhost:25";  // smtp://host[:port] or smtps://host[:port]
  bool starttls = true;  // smtp:// only: require STARTTLS (fail if the server lacks it)
  std::string username;  // empty: no AUTH
  std::string password;
  std::string ca_file;     // PEM bundle to trust instead of the system's; empty: system
  bool verify_tls = true;  // off only for tests against a self-signed server
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};
  std::chrono::milliseconds timeout{std::chrono::seconds{30}};  // the whole transaction
};

class SmtpMailer final : public Mailer {
 public:
  // Throws MailError for a URL that is not smtp(s)://host, and for AUTH over an unencrypted
  // connection to anything but the loopback interface (the password would cross the wire).
  SmtpMailer(SmtpConfig config, const core::Clock& clock, core::Random& random);
  void send(const Message& message) override;
  const SmtpConfig& config() const { return config_; }

 private:
  SmtpConfig config_;
  bool implicit_tls_ = false;
  std::string host_;
  const core::Clock& clock_;
  core::Random& random_;
};

}  // namespace twofold::mail
