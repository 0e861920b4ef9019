#pragma once
// Which four symbols the device offers: the right one among three decoys.
#include <array>
#include <cstddef>

#include "core/random.hpp"

namespace twofold::accesspass {

// The right symbol among three decoys, shuffled (Fisher-Yates with `random`): 4 distinct
// indices, each below `set_size`. Decoys are uniform over the other symbols and the right
// one is uniform over the four positions, so its position gives nothing away.
// Throws std::invalid_argument if set_size < 4, std::out_of_range if correct >= set_size.
std::array<std::size_t, 4> candidates(std::size_t correct, std::size_t set_size,
                                      core::Random& random);

}  // namespace twofold::accesspass
