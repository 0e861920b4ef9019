#pragma once
// The audit trail: one durable record per auth session with its outcome (who, which service,
// from where, which device, final state, times). Written with every state change of the
// session, kept after the session itself is released or purged.
#include <optional>
#include <string>
#include <vector>

#include "authsession/auth_session.hpp"

namespace twofold::audit {

struct Record {
  std::string authsession_id;
  std::string secsignid;
  std::string service_name;
  std::string service_address;
  std::string requester_ip;
  std::string device_id;
  authsession::State state{authsession::State::nostate};
  core::TimePoint created{};
  core::TimePoint updated{};
};

struct Query {
  std::string identity_key;  // empty: every ID
  std::size_t limit{50};     // newest first
};

class Trail {
 public:
  virtual ~Trail() = default;
  virtual std::vector<Record> list(const Query& query) = 0;
};

// One line per record for the CLI: time, ID, state, service name and address, IP, device.
std::string format_table(const std::vector<Record>& records);

}  // namespace twofold::audit
