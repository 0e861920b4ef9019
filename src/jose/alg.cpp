#include "jose/alg.hpp"

namespace twofold::jose {

std::string_view alg_name(Alg alg) {
  switch (alg) {
    case Alg::RS256:
      return "RS256";
    case Alg::ES256:
      return "ES256";
    case Alg::HS256:
      return "HS256";
  }
  return "unknown";
}

std::optional<Alg> parse_alg(std::string_view name) {
  if (name == "RS256") return Alg::RS256;
  if (name == "ES256") return Alg::ES256;
  if (name == "HS256") return Alg::HS256;
  return std::nullopt;
}

}  // namespace twofold::jose
