// The host side of the test executable.
#pragma once

#include "base/error.hpp"

namespace ktstr::detail {

// Prints the --ktstr-list lines to stdout (format: listing.cpp).
// all_gauntlet: list gauntlet variants for every test, not only those declared so.
Result<void> print_listing(bool all_gauntlet);

}  // namespace ktstr::detail
