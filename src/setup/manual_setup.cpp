#include "setup/manual_setup.hpp"

#include <charconv>
#include <istream>
#include <optional>
#include <ostream>

#include "crypto/certificates.hpp"

namespace twofold::setup {
namespace {

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// "a.example, b.example 10.0.0.1" → three names; commas and blanks both separate.
std::vector<std::string> split_names(const std::string& answer) {
  std::vector<std::string> out;
  std::string current;
  for (char ch : answer + ",") {
    if (ch == ',' || ch == ' ' || ch == '\t') {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current.push_back(ch);
    }
  }
  return out;
}

std::optional<std::uint16_t> parse_port(const std::string& text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

class Questions {
 public:
  Questions(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

  // Asks until `accept` takes the answer (returns an empty error) or the answer is empty.
  // After end of input every further question silently keeps its value.
  template <typename Accept>
  void ask(const std::string& prompt, const std::string& current, Accept accept) {
    while (!eof_) {
      out_ << prompt << " [" << current << "]: " << std::flush;
      std::string line;
      if (!std::getline(in_, line)) {
        eof_ = true;
        out_ << "\n";
        return;
      }
      line = trim(line);
      if (line.empty()) return;
      const std::string error = accept(line);
      if (error.empty()) return;
      out_ << "  " << error << "\n";
    }
  }

 private:
  std::istream& in_;
  std::ostream& out_;
  bool eof_ = false;
};

}  // namespace

Options ask(Options o, std::istream& in, std::ostream& out) {
  Questions q(in, out);
  out << "Setting up twofold in " << std::filesystem::absolute(o.dir).lexically_normal().string()
      << ". Press Enter to keep the value in brackets.\n";

  q.ask("Host names clients use (comma-separated)", join(o.host_names),
        [&](const std::string& answer) -> std::string {
          auto names = split_names(answer);
          for (const auto& n : names)
            if (!crypto::is_dns_name(n) && !crypto::is_ip_address(n))
              return "\"" + n + "\" is neither a host name nor an IP address";
          o.host_names = std::move(names);
          return {};
        });

  q.ask("Listen address (0.0.0.0 or :: for all)", o.listen_address,
        [&](const std::string& answer) -> std::string {
          if (!crypto::is_ip_address(answer))
            return "\"" + answer + "\" is not an IP address; enter an IPv4 or IPv6 address.";
          o.listen_address = answer;
          return {};
        });

  q.ask("HTTPS port", std::to_string(o.https_port), [&](const std::string& answer) -> std::string {
    auto port = parse_port(answer);
    if (!port || *port == 0) return "Please enter a port number from 1 to 65535.";
    if (*port == o.http_port) return "That is the HTTP port; the two must differ.";
    o.https_port = *port;
    return {};
  });

  q.ask("HTTP port for a reverse proxy (0 = off)", std::to_string(o.http_port),
        [&](const std::string& answer) -> std::string {
          auto port = parse_port(answer);
          if (!port) return "Please enter a port number from 0 to 65535.";
          if (*port == o.https_port) return "That is the HTTPS port; the two must differ.";
          o.http_port = *port;
          return {};
        });

  const std::filesystem::path data = o.data_dir.empty() ? o.dir : o.data_dir;
  q.ask("Data directory (database)", std::filesystem::absolute(data).lexically_normal().string(),
        [&](const std::string& answer) -> std::string {
          o.data_dir = answer;
          return {};
        });
  return o;
}

}  // namespace twofold::setup
