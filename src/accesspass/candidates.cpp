#include "accesspass/candidates.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

namespace twofold::accesspass {

std::array<std::size_t, 4> candidates(std::size_t correct, std::size_t set_size,
                                      core::Random& random) {
  if (set_size < 4) throw std::invalid_argument("accesspass: need at least 4 symbols");
  if (correct >= set_size) throw std::out_of_range("accesspass: correct symbol out of range");

  // Three decoys without replacement: a partial Fisher-Yates over the other indices.
  std::vector<std::size_t> others;
  others.reserve(set_size - 1);
  for (std::size_t i = 0; i < set_size; ++i)
    if (i != correct) others.push_back(i);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::size_t j = i + random.uniform(others.size() - i);
    std::swap(others[i], others[j]);
  }

  std::array<std::size_t, 4> out{correct, others[0], others[1], others[2]};
  for (std::size_t i = out.size() - 1; i > 0; --i) {
    const std::size_t j = random.uniform(i + 1);
    std::swap(out[i], out[j]);
  }
  return out;
}

}  // namespace twofold::accesspass
