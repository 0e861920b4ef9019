#include "audit/audit.hpp"

#include <ctime>
#include <iomanip>
#include <sstream>

namespace twofold::audit {

std::string format_table(const std::vector<Record>& records) {
  std::ostringstream out;
  out << std::left << std::setw(20) << "TIME (UTC)" << std::setw(20) << "ID" << std::setw(10)
      << "STATE" << std::setw(28) << "SERVICE" << std::setw(16) << "FROM"
      << "DEVICE\n";
  for (const auto& r : records) {
    const std::time_t t = std::chrono::system_clock::to_time_t(r.created);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::string service = r.service_name + " (" + r.service_address + ")";
    out << std::left << std::put_time(&tm, "%Y-%m-%d %H:%M:%S") << " " << std::setw(20)
        << r.secsignid << std::setw(10) << authsession::state_name(r.state) << std::setw(28)
        << service << std::setw(16) << r.requester_ip << (r.device_id.empty() ? "-" : r.device_id)
        << "\n";
  }
  return out.str();
}

}  // namespace twofold::audit
