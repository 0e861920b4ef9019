#include "crypto/openssl_error.hpp"

#include <openssl/err.h>

namespace twofold::crypto {

std::string with_openssl_reason(const std::string& what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  std::string message = what;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    message.append(": ").append(buf);
  }
  return message;
}

}  // namespace twofold::crypto
