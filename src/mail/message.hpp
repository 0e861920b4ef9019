#pragma once
// Outgoing mail (R-F5): the message, the Mailer port domain code sends through, and the
// RFC 5322 rendering. Every header value is checked before it is written: a CR or LF in an
// address, a name or the subject is refused, so no caller input can add a header (Bcc:…)
// or end the headers early. Non-ASCII text is encoded (RFC 2047 words in headers,
// quoted-printable UTF-8 bodies), so the message is 7-bit clean for any SMTP server.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace twofold::mail {

struct MailError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Address {
  std::string email;  // local@domain, ASCII
  std::string name;   // display name, UTF-8, may be empty
};

struct Message {
  Address from;
  std::vector<Address> to;
  std::string subject;  // UTF-8, one line
  std::string text;     // UTF-8 plain text; line ends are normalised to CRLF
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Delivers or throws MailError.
  virtual void send(const Message& message) = 0;
};

// A plain addr-spec a server accepts in MAIL FROM / RCPT TO: printable ASCII, one '@',
// a dot-atom local part and a host name. Never any whitespace or control character.
bool is_valid_address(std::string_view email);

// Throws MailError naming the first problem (header injection, bad address, bad UTF-8…).
void validate(const Message& message);

// "Tue, 14 Nov 2023 22:13:20 +0000"
std::string format_date(core::TimePoint t);
// As is when plain printable ASCII, else RFC 2047 "=?UTF-8?B?…?=" words of at most 75
// characters, folded with CRLF + space.
std::string encode_header_text(std::string_view utf8);
// RFC 2045 quoted-printable with CRLF line ends and soft breaks at 76 characters.
std::string quoted_printable(std::string_view text);

// The complete message (validated first) with CRLF line ends, ready for DATA.
std::string render(const Message& message, core::TimePoint date, std::string_view message_id);

}  // namespace twofold::mail
