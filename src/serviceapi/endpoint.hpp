#pragma once
// The service API handlers (SPEC §2): a validated request goes to the auth-session domain,
// its outcome comes back in the wire format. No sockets here; the HTTP edge calls handle().
#include <string>
#include <string_view>

#include "accesspass/symbol_set.hpp"
#include "authsession/service.hpp"
#include "servicekey/service_key.hpp"

namespace twofold::serviceapi {

struct Answer {
  int http_status{200};
  std::string body;  // key=value&… (never empty)
  std::string log;   // what the server log should say about a failure (never sent)
};

class Endpoint {
 public:
  // `keys`: when given, every request must carry a valid `apikey` (R-S8).
  Endpoint(authsession::Service& sessions, const accesspass::SymbolSet& symbols,
           servicekey::Keys* keys = nullptr)
      : sessions_(sessions), symbols_(symbols), keys_(keys) {}

  // `body`: the POSTed form; `remote_ip`: who asked (recorded in the audit trail).
  Answer handle(std::string_view body, std::string_view remote_ip) const;

 private:
  authsession::Service& sessions_;
  const accesspass::SymbolSet& symbols_;
  servicekey::Keys* keys_;
};

}  // namespace twofold::serviceapi
