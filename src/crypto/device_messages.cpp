#include "crypto/device_messages.hpp"

namespace twofold::crypto {

std::string answer_message(std::string_view authsession_id, std::uint32_t symbol,
                           std::string_view nonce, std::string_view decision) {
  std::string m = "twofold-answer-v1\n";
  m.append(authsession_id).append("\n").append(std::to_string(symbol)).append("\n");
  m.append(nonce).append("\n").append(decision);
  return m;
}

std::string action_message(std::string_view action, std::string_view id, std::string_view nonce) {
  std::string m = "twofold-";
  m.append(action).append("-v1\n").append(id).append("\n").append(nonce);
  return m;
}

}  // namespace twofold::crypto
