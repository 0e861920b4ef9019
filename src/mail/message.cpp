#include "mail/message.hpp"

#include <ctime>

#include "core/encoding.hpp"

namespace twofold::mail {
namespace {

bool has_crlf(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

bool is_printable_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t start = 0;
  while (start <= domain.size()) {
    const auto dot = domain.find('.', start);
    const auto label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
        return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

void check_address(const Address& a, const char* role) {
  if (has_crlf(a.email) || has_crlf(a.name))
    throw MailError(std::string("CR/LF in the ") + role + " address refused (header injection)");
  if (!is_valid_address(a.email))
    throw MailError(std::string("invalid ") + role + " address '" + a.email + "'");
  if (has_control(a.name) || !core::is_valid_utf8(a.name))
    throw MailError(std::string("invalid ") + role + " display name");
}

// Byte length of the UTF-8 sequence that starts with `lead` (input is validated UTF-8).
std::size_t utf8_len(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xe) return 3;
  return 4;
}

// RFC 2047 B-encoded words; each line (with `offset` characters before the first word, one
// folding space before the others) stays within 76 characters, and no UTF-8 character is
// split between two words.
std::string encoded_words(std::string_view utf8, std::size_t offset) {
  constexpr std::string_view kOpen = "=?UTF-8?B?", kClose = "?=";
  std::string out;
  std::size_t pos = 0;
  bool first = true;
  while (pos < utf8.size()) {
    const std::size_t room = 76 - (first ? offset : 1) - kOpen.size() - kClose.size();
    const std::size_t max_bytes = std::max<std::size_t>(room / 4 * 3, 6);
    std::size_t end = pos;
    while (end < utf8.size()) {
      const std::size_t n = utf8_len(static_cast<unsigned char>(utf8[end]));
      if (end + n - pos > max_bytes) break;
      end += n;
    }
    if (!first) out += "\r\n ";
    out += kOpen;
    out += core::base64_encode(utf8.substr(pos, end - pos));
    out += kClose;
    pos = end;
    first = false;
  }
  return out;
}

std::string header_text(std::string_view utf8, std::size_t offset) {
  // "=?" in plain text would be read as the start of an encoded word: encode it as well.
  if (is_printable_ascii(utf8) && utf8.find("=?") == std::string_view::npos &&
      offset + utf8.size() <= 998)
    return std::string(utf8);
  return encoded_words(utf8, offset);
}

std::string format_address(const Address& a, std::size_t offset) {
  if (a.name.empty()) return a.email;
  std::string phrase;
  bool plain = true;
  for (char c : a.name)
    if (!(is_atext(c) || c == ' ')) plain = false;
  if (plain) {
    phrase = a.name;
  } else if (is_printable_ascii(a.name) && a.name.find("=?") == std::string::npos) {
    phrase = "\"";
    for (char c : a.name) {
      if (c == '"' || c == '\\') phrase.push_back('\\');
      phrase.push_back(c);
    }
    phrase += "\"";
  } else {
    phrase = encoded_words(a.name, offset);
  }
  return phrase + " <" + a.email + ">";
}

}  // namespace

bool is_valid_address(std::string_view email) {
  if (email.size() > 254) return false;
  const auto at = email.rfind('@');
  if (at == std::string_view::npos) return false;
  const auto local = email.substr(0, at);
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos)
    return false;
  for (char c : local)
    if (!(is_atext(c) || c == '.')) return false;
  return is_valid_domain(email.substr(at + 1));
}

void validate(const Message& m) {
  check_address(m.from, "sender");
  if (m.to.empty()) throw MailError("a message needs at least one recipient");
  for (const auto& to : m.to) check_address(to, "recipient");
  if (has_crlf(m.subject)) throw MailError("CR/LF in the subject refused (header injection)");
  if (has_control(m.subject) || !core::is_valid_utf8(m.subject))
    throw MailError("the subject must be one line of UTF-8 text");
  if (!core::is_valid_utf8(m.text) || m.text.find('\0') != std::string::npos)
    throw MailError("the text must be UTF-8 without NUL characters");
}

std::string format_date(core::TimePoint t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string encode_header_text(std::string_view utf8) {
  return header_text(utf8, 0);
}

std::string quoted_printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t line_start = 0;
  while (line_start <= text.size()) {
    auto line_end = text.find('\n', line_start);
    const bool last = line_end == std::string_view::npos;
    auto line = text.substr(line_start, last ? std::string_view::npos : line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t col = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool at_end = i + 1 == line.size();
      // Literal: printable ASCII except '='; a space or tab only inside the line; a '.'
      // not at the start (so no line reads as SMTP's end of data).
      const bool literal = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && col == 0)) ||
                           ((c == ' ' || c == '\t') && !at_end);
      const std::size_t width = literal ? 1 : 3;
      if (col + width > 75) {  // 75 + the '=' of the soft break = 76
        out += "=\r\n";
        col = 0;
      }
      if (literal && !(c == '.' && col == 0)) {
        out.push_back(static_cast<char>(c));
        col += 1;
      } else {
        out.push_back('=');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
        col += 3;
      }
    }
    if (last) break;
    out += "\r\n";
    line_start = line_end + 1;
  }
  return out;
}

std::string render(const Message& m, core::TimePoint date, std::string_view message_id) {
  validate(m);
  if (message_id.empty() || !is_printable_ascii(message_id) ||
      message_id.find_first_of(" <>") != std::string_view::npos)
    throw MailError("invalid Message-ID");
  std::string out;
  out += "Date: " + format_date(date) + "\r\n";
  out += "From: " + format_address(m.from, 6) + "\r\n";
  out += "To: ";
  for (std::size_t i = 0; i < m.to.size(); ++i) {
    if (i) out += ",\r\n ";
    out += format_address(m.to[i], i ? 1 : 4);
  }
  out += "\r\n";
  out += "Subject: " + header_text(m.subject, 9) + "\r\n";
  out += "Message-ID: <" + std::string(message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n";
  // RFC 3834: tells auto-responders not to answer a machine's mail.
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  out += quoted_printable(m.text);
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

}  // namespace twofold::mail
