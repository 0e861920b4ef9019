#pragma once
// `twofold setup` without --quick: asks for each setting on the terminal, showing the
// current value (from the flags, else the default) in brackets.
#include <iosfwd>

#include "setup/quick_setup.hpp"

namespace twofold::setup {

// Asks for host names, listen address, HTTPS port, HTTP port (0 = off) and the data
// directory. An empty answer keeps the value shown; an invalid one is explained and asked
// again; end of input keeps the remaining values. Returns the options with the answers.
Options ask(Options options, std::istream& in, std::ostream& out);

}  // namespace twofold::setup
