#pragma once
// OpenSSL queues its reasons per thread; a stale entry would be blamed on the next, unrelated
// failure. One place reads and clears that queue for every domain's error message.
#include <string>

namespace twofold::crypto {

// `what`, followed by ": " and the reason OpenSSL queued first (if any); clears the queue.
std::string with_openssl_reason(const std::string& what);

}  // namespace twofold::crypto
