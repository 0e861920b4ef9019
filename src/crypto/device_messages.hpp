#pragma once
// The texts a device signs (UTF-8, '\n'-separated, no trailing newline): one definition for
// the signer (twofold-auth) and the verifier (the server's device API), so the two cannot drift.
#include <cstdint>
#include <string>
#include <string_view>

namespace twofold::crypto {

// The answer to an auth session: the chosen symbol (0 for a plain deny) and the decision.
std::string answer_message(std::string_view authsession_id, std::uint32_t symbol,
                           std::string_view nonce, std::string_view decision);
// An action on the device's ID (lock, unlock, resume, …) over a server nonce.
std::string action_message(std::string_view action, std::string_view id, std::string_view nonce);

}  // namespace twofold::crypto
