#pragma once
// The service API handlers (SPEC §2): a validated request goes to the auth-session domain,
// its outcome comes back in the wire format. No sockets here; the HTTP edge calls handle().
#include <string>
#include <string_view>

#include "accesspass/symbol_set.hpp"
#include "authsession/service.hpp"

namespace twofold::serviceapi {

struct Answer {
  int http_status{200};
  std::string body;  // key=value&… (never empty)
};

class Endpoint {
 public:
  Endpoint(authsession::Service& sessions, const accesspass::SymbolSet& symbols)
      : sessions_(sessions), symbols_(symbols) {}

  // `body`: the POSTed form; `remote_ip`: who asked (recorded in the audit trail).
  Answer handle(std::string_view body, std::string_view remote_ip) const;

 private:
  authsession::Service& sessions_;
  const accesspass::SymbolSet& symbols_;
};

}  // namespace twofold::serviceapi
